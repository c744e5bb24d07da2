"""``query``: read-only SQL, ad hoc or saved, on the snapshot database."""

from __future__ import annotations

import sys

from monitor.cli.options import COUNT, SECONDS, common, settings
from monitor.preconditions import UserError, require_database

NAME = "query"
SUMMARY = "run read-only SQL on the snapshot database"
EXAMPLE = (
    "prakerja-monitor query --db prakerja-demo/prakerja.db"
    " --saved bundles-payable-after-halt --param platform=tokopedia"
)
DESCRIPTION = """
Run ad hoc SQL (or a saved query) on a read-only connection with a time
limit and a row cap. Tables and views: crawls, listings, snapshots,
changes, findings, alerts. Write statements are refused.
"""


def add_arguments(p) -> None:
    p.add_argument("sql", nargs="?", help="the SQL to run")
    common(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--saved", metavar="NAME", help="run a saved query (see --list)")
    p.add_argument("--list", action="store_true", help="list the saved queries")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of the saved query (repeatable)",
    )
    p.add_argument("--timeout", type=SECONDS, help="seconds before giving up (5)")
    p.add_argument("--max-rows", type=COUNT, help="rows printed at most (1000)")


def list_saved(language: str) -> int:
    """The saved queries, their titles in the configured language."""
    from monitor.i18n import gettext
    from storage.queries import SAVED

    for q in SAVED.values():
        params = f"  [--param {'=... --param '.join(q.params)}=...]" if q.params else ""
        print(f"{q.name:<30} {gettext(q.title, language)}{params}")
    return 0


def statement(args) -> tuple[str, dict]:
    """The SQL and parameters the options ask for."""
    from storage.queries import SAVED, QueryError, saved_params

    params = dict(p.partition("=")[::2] for p in args.param)
    if args.saved:
        if args.sql:
            raise UserError("give either SQL or --saved NAME, not both")
        if args.saved not in SAVED:
            raise UserError(
                f"no saved query {args.saved!r}; see prakerja-monitor query --list"
            )
        try:
            return SAVED[args.saved].sql, saved_params(SAVED[args.saved], params)
        except QueryError as exc:
            raise UserError(str(exc)) from None
    if args.sql:
        return args.sql, params
    raise UserError('give SQL, e.g. "select * from crawls", or --saved NAME')


def run(args) -> int:
    from monitor.outputs.display import format_rows
    from storage.queries import QueryError, run_query

    cfg = settings(args)
    if args.list:
        return list_saved(cfg["language"])
    sql, params = statement(args)
    require_database(cfg)
    try:
        result = run_query(
            cfg.database,
            sql,
            params,
            timeout=args.timeout or cfg["query"]["timeout"],
            max_rows=args.max_rows or cfg["query"]["max_rows"],
        )
    except QueryError as exc:
        raise UserError(str(exc)) from None
    if result.note:
        print(result.note, file=sys.stderr)
    format_rows(result, args.format, sys.stdout)
    if result.truncated:
        print(
            f"note: output cut at {len(result.rows)} rows (--max-rows to change)",
            file=sys.stderr,
        )
    return 0
