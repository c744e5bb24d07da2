"""``report``: write a self-contained HTML report per platform."""

from __future__ import annotations

from monitor.cli.options import common, lang_option, settings
from monitor.preconditions import UserError, require_database

NAME = "report"
SUMMARY = "write a self-contained HTML report per platform"
EXAMPLE = "prakerja-monitor report --db prakerja-demo/prakerja.db --out report.html"
DESCRIPTION = """
Write one HTML file (no external scripts, styles or fonts) with, per
platform: bundles payable with Kartu Prakerja per crawl over time (an SVG
chart, untrusted crawls marked), the open findings with their evidence
(archived record and SHA-256), and the health of the recent crawls.
"""


def add_arguments(p) -> None:
    common(p)
    p.add_argument("--out", default="report.html", help="output file (report.html)")
    lang_option(p)


def run(args) -> int:
    from monitor.outputs.report import write_report
    from storage.db import check_database

    cfg = settings(args)
    check_database(require_database(cfg), write=False)
    try:
        context = write_report(
            cfg.database, args.out, language=cfg["language"], halt=cfg["halt"]
        )
    except FileNotFoundError as exc:
        raise UserError(f"{exc}; run crawl or demo first") from None
    print(
        f"report written: {args.out} ({len(context['platforms'])} platforms,"
        f" {context['open_total']} open findings)"
    )
    return 0
