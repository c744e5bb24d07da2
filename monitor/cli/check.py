"""``check``: compare crawls and update the findings."""

from __future__ import annotations

from monitor.cli.options import common, now_arg, settings
from monitor.preconditions import open_database

NAME = "check"
SUMMARY = "compare crawls and update the findings"
EXAMPLE = "prakerja-monitor check --db prakerja-demo/prakerja.db"
DESCRIPTION = """
For every platform, compare each new complete crawl with the previous
complete one (added, removed, changed field by field, into `changes`),
classify bundles, apply the rule bundle-prakerja-after-halt, and open,
extend, resolve or reopen findings. Incomplete and failed crawls are never
compared and never make a listing removed.
"""


def add_arguments(p) -> None:
    common(p, now=True)


def run(args) -> int:
    from monitor.judge.check import check_all
    from monitor.outputs.display import print_check
    from storage.findings import count_open

    cfg = settings(args)
    db = open_database(cfg)
    try:
        reports = check_all(db, cfg, now=now_arg(args))
        print_check(reports)
        print(f"open findings: {count_open(db)}")
    finally:
        db.close()
    return 0
