"""The ``prakerja-monitor`` command line: one entry point, one sub-command per job."""

from __future__ import annotations

import argparse
import sys
import textwrap

from monitor import commands
from monitor.config import SLUGS, ConfigError
from monitor.errors import explain
from monitor.run.crawl import terminate_as_interrupt


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    pass


def number(kind, low=None, high=None, what="a number"):
    """An argparse type: ``kind`` (int/float) within [low, high]."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f">= {low}"
            raise argparse.ArgumentTypeError(f"{text} is out of range ({bounds})")
        return value

    return parse


COUNT = number(int, 1, what="a whole number")  # --parallel, --size, --max-rows
PORT = number(int, 0, 65535, what="a port number")
DAYS = number(int, 1, what="a whole number of days")
SECONDS = number(float, 0.001, 86400, what="a number of seconds")


def add(sub, name, func, summary: str, example: str, description: str = "", first=""):
    """Register a sub-command whose help text ends with an example (``first``:
    what the example needs, e.g. a running replica)."""
    text = textwrap.dedent(description).strip() or summary
    parser = sub.add_parser(
        name,
        help=summary,
        description=text,
        epilog="Example:" + (f" (first: {first})" if first else "") + "\n  " + example,
        formatter_class=HelpFormatter,
    )
    parser.set_defaults(func=func)
    return parser


def common(parser, db: bool = True, now: bool = False, config: bool = True) -> None:
    if config:
        parser.add_argument(
            "--config",
            help="TOML configuration file (default: $PRAKERJA_MONITOR_CONFIG"
            " or ./prakerja-monitor.toml if present)",
        )
    if db:
        parser.add_argument(
            "--db", help="SQLite database (default from config: prakerja.db)"
        )
    if now:
        parser.add_argument(
            "--now",
            help="ISO time the run counts as observed at, e.g. 2020-07-02T10:00+07:00"
            " (default: $PRAKERJA_MONITOR_NOW or the wall clock)",
        )


def lang_option(parser) -> None:
    parser.add_argument(
        "--lang",
        choices=("id", "en"),
        help="language of the digest and report (default from config: id)",
    )


def backfill(parser) -> None:
    parser.add_argument(
        "--backfill",
        action="store_true",
        help="allow --now earlier than a platform's newest checked crawl (stored"
        " as an older observation; findings decided later stay as they are)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prakerja-monitor",
        description="Crawl the eight Kartu Prakerja platforms, keep SQLite snapshots,"
        " and alert the PMO about training bundles still payable with Kartu Prakerja"
        " after the halt of 30 June 2020 (letter S-148/Dir-Eks/06/2020).",
        epilog="Example:\n  prakerja-monitor demo",
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__()}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = add(
        sub,
        "crawl",
        commands.crawl,
        "crawl platforms into the snapshot database",
        "prakerja-monitor crawl tokopedia --base-url"
        " tokopedia=http://127.0.0.1:8400/tokopedia",
        """
        Run the chosen platforms' spiders (all enabled ones by default), each in its
        own process, store their listings, and print per platform the items, pages,
        trust status and reasons. Exits 1 when a crawl could not be trusted.
        """,
        first="prakerja-monitor replica --port 8400, in another terminal",
    )
    p.add_argument(
        "platforms", nargs="*", metavar="SLUG", help=f"one of {', '.join(SLUGS)}"
    )
    common(p, now=True)
    p.add_argument(
        "--base-url",
        action="append",
        default=[],
        metavar="SLUG=URL",
        help="base URL of a platform (repeatable), e.g. a replica or a recorded site",
    )
    p.add_argument("--parallel", type=COUNT, help="crawls at a time (default 4)")
    backfill(p)

    p = add(
        sub,
        "replica",
        commands.replica,
        "serve the local stand-in of the platforms",
        "prakerja-monitor replica --port 8400 --as-of 2020-07-02",
        """
        Serve the eight platforms' public Prakerja pages from a generated catalog on
        127.0.0.1, for the demo, tests and benchmarks. Prefix mode puts every
        platform under /<slug>/ on one port; port mode gives each its own port.
        Control API under /__replica/ (clock, faults, log, reset, truth).
        """,
    )
    p.add_argument("--port", type=PORT, default=8400)
    p.add_argument("--as-of", default="2020-07-08", help="the replica's clock (a date)")
    p.add_argument(
        "--size", type=COUNT, default=1900, help="listings over all platforms"
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--mode", choices=("prefix", "port"), default="prefix")

    p = add(
        sub,
        "config",
        commands.config,
        "show the effective configuration",
        "prakerja-monitor config --show --config prakerja-monitor.example.toml",
        """
        Validate the configuration (file, defaults, environment overrides) and, with
        --show, print it with secrets masked.
        """,
    )
    common(p, db=False)
    p.add_argument("--show", action="store_true", help="print the effective settings")
    p = add(
        sub,
        "check",
        commands.check,
        "compare crawls and update the findings",
        "prakerja-monitor check --db prakerja-demo/prakerja.db",
        """
        For every platform, compare each new complete crawl with the previous
        complete one (added, removed, changed field by field, into `changes`),
        classify bundles, apply the rule bundle-prakerja-after-halt, and open,
        extend, resolve or reopen findings. Incomplete and failed crawls are never
        compared and never make a listing removed.
        """,
    )
    common(p, now=True)

    p = add(
        sub,
        "alert",
        commands.alert,
        "e-mail the digest of new findings to the PMO",
        "prakerja-monitor alert --dry-run --db prakerja-demo/prakerja.db",
        """
        Send one digest of what changed since the last alert: new, reopened and
        resolved findings per platform, and crawls that could not be trusted. By
        SMTP when smtp.host is set (password only from
        $PRAKERJA_MONITOR_SMTP_PASSWORD), else as an .eml file in the outbox
        folder. A digest that could not be delivered stays pending and is retried
        by the next run; nothing is announced twice.
        """,
    )
    common(p)
    p.add_argument("--dry-run", action="store_true", help="print, store nothing")
    p.add_argument("--outbox", help="outbox folder (default from config: outbox)")
    lang_option(p)

    p = add(
        sub,
        "run",
        commands.run,
        "crawl, check and alert once",
        "prakerja-monitor run --config prakerja-monitor.toml",
        """
        The scheduled job, once: crawl every enabled platform (each in its own
        process), check, and send the digest. One summary line per platform.
        Exits 1 when a platform could not be verified.
        """,
        first="cp prakerja-monitor.example.toml prakerja-monitor.toml, then edit it",
    )
    common(p, now=True)
    lang_option(p)
    backfill(p)

    p = add(
        sub,
        "schedule",
        commands.schedule,
        "run crawls on their schedules",
        "prakerja-monitor schedule --config prakerja-monitor.example.toml --list",
        """
        Run the monitor as a service: one job per enabled platform on its cron
        schedule (default every 6 hours, Asia/Jakarta), each crawl in its own
        process, never two crawls of one platform at once, missed runs coalesced;
        check and alert after each crawl. SIGTERM or Ctrl-C stops it cleanly.
        """,
    )
    common(p)
    p.add_argument("--list", action="store_true", help="print jobs and next runs")
    lang_option(p)

    p = add(
        sub,
        "demo",
        commands.demo,
        "run the whole chain against the local replica",
        "prakerja-monitor demo --dir prakerja-demo",
        """
        Start the replica on a free loopback port, crawl all eight platforms as of
        2020-06-29 (before the halt) and 2020-07-02 (after it), check, write the
        digest to the outbox, and print per platform: listings, bundles, bundles
        payable with Kartu Prakerja, open findings and crawl status.
        """,
    )
    p.add_argument(
        "--dir",
        default="prakerja-demo",
        help="output folder (prakerja-demo): created, or reused when the demo made"
        " it; a non-empty folder it did not make is refused",
    )
    p.add_argument("--size", type=COUNT, default=1900, help="replica catalog size")
    p.add_argument("--seed", type=int, default=1, help="replica catalog seed")
    lang_option(p)

    p = add(
        sub,
        "query",
        commands.query,
        "run read-only SQL on the snapshot database",
        "prakerja-monitor query --db prakerja-demo/prakerja.db"
        " --saved bundles-payable-after-halt --param platform=tokopedia",
        """
        Run ad hoc SQL (or a saved query) on a read-only connection with a time
        limit and a row cap. Tables and views: crawls, listings, snapshots,
        changes, findings, alerts. Write statements are refused.
        """,
    )
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

    p = add(
        sub,
        "evidence",
        commands.evidence,
        "extract, package, sign, verify and replay a finding's archived evidence",
        "prakerja-monitor evidence 12 --db prakerja-demo/prakerja.db"
        " --package finding-12.wacz",
        """
        FINDING_ID: print the finding, write the archived response of the crawl
        that opened it to a file (--out) and verify its SHA-256. --package OUT:
        write a signed WACZ with every archived record of the finding's life
        (listing and detail pages, requests, revisits and their originals), a
        summary page and screenshots; --replay: serve it with pywb on 127.0.0.1.
        `evidence keygen` creates the signing key (evidence.signing_key);
        `evidence verify PACKAGE.wacz` checks it offline. --prune drops archived
        records older than the retention that no finding or package cites.
        """,
    )
    p.add_argument("finding", nargs="?", metavar="FINDING_ID|keygen|verify")
    p.add_argument("target", nargs="?", metavar="PACKAGE", help="for verify")
    common(p)
    p.add_argument("--out", default=".", help="folder for the extracted body")
    p.add_argument("--package", metavar="OUT.wacz", help="write a signed WACZ")
    p.add_argument("--replay", action="store_true", help="replay it with pywb")
    p.add_argument("--port", type=PORT, help="replay port (default: a free one)")
    p.add_argument("--key", help="signing key (default: evidence.signing_key)")
    p.add_argument("--no-screenshots", action="store_true", help="skip chromium")
    p.add_argument("-v", "--verbose", action="store_true", help="every check")
    p.add_argument("--prune", action="store_true", help="apply the retention")
    p.add_argument("--days", type=DAYS, help="retention in days (default 90)")

    p = add(
        sub,
        "serve",
        commands.serve,
        "browse the database in Datasette, read-only",
        "prakerja-monitor serve --db prakerja-demo/prakerja.db --port 8001",
        """
        Serve the snapshot database with Datasette at http://HOST:PORT/prakerja,
        read-only (every connection opens with mode=ro; write statements are
        refused), with descriptions of the public tables and the saved queries as
        canned queries, e.g. /prakerja/bundles-payable-after-halt?platform=tokopedia.
        Listens on 127.0.0.1 by default: only this machine can connect.
        """,
    )
    common(p)
    p.add_argument("--port", type=PORT, default=8001, help="port (default 8001)")
    p.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")

    p = add(
        sub,
        "report",
        commands.report,
        "write a self-contained HTML report per platform",
        "prakerja-monitor report --db prakerja-demo/prakerja.db --out report.html",
        """
        Write one HTML file (no external scripts, styles or fonts) with, per
        platform: bundles payable with Kartu Prakerja per crawl over time (an SVG
        chart, untrusted crawls marked), the open findings with their evidence
        (archived record and SHA-256), and the health of the recent crawls.
        """,
    )
    common(p)
    p.add_argument("--out", default="report.html", help="output file (report.html)")
    lang_option(p)

    return parser


def check_usage(parser, args) -> None:
    """Combinations of options that make no sense: a usage error (exit 2)."""
    if args.command == "evidence":
        if args.prune and args.finding is not None:
            parser.error("evidence: give a FINDING_ID or --prune, not both")
        if args.days is not None and not args.prune:
            parser.error("evidence: --days goes with --prune")


def __version__() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("prakerja-monitor")
    except PackageNotFoundError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    terminate_as_interrupt()  # SIGTERM stops a command like Ctrl-C, children too
    check_usage(parser, args)
    try:
        return args.func(args) or 0
    except ConfigError as exc:
        for line in str(exc).splitlines():
            print(f"prakerja-monitor: configuration error: {line}", file=sys.stderr)
        return 2
    except commands.UserError as exc:
        print(f"prakerja-monitor {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - known failures become one line
        message = explain(exc, args)
        if message is None:
            raise
        print(f"prakerja-monitor {args.command}: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
