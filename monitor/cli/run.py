"""``run``: the scheduled job once: crawl, check and alert."""

from __future__ import annotations

import sys

from monitor.cli.options import backfill, common, lang_option, now_arg, settings
from monitor.config import DISPLAY_NAMES
from monitor.preconditions import check_time_order, preflight

NAME = "run"
SUMMARY = "crawl, check and alert once"
EXAMPLE = "prakerja-monitor run --config prakerja-monitor.toml"
FIRST = "cp prakerja-monitor.example.toml prakerja-monitor.toml, then edit it"
DESCRIPTION = """
The scheduled job, once: crawl every enabled platform (each in its own
process), check, and send the digest. One summary line per platform.
Exits 1 when a platform could not be verified.
"""


def add_arguments(p) -> None:
    common(p, now=True)
    lang_option(p)
    backfill(p)


def run(args) -> int:
    """Exits 0 when every platform was verified, 1 otherwise."""
    from monitor.run.cycle import run_cycle

    cfg, now = settings(args), now_arg(args)
    check_time_order(cfg, cfg.enabled_platforms(), now, args.backfill)
    preflight(cfg)
    cycle = run_cycle(cfg, cfg.enabled_platforms(), now=now)
    write_summary(cycle, sys.stdout)
    return 0 if all(r.status == "complete" for r in cycle.results) else 1


def write_summary(cycle, out) -> None:
    """One line per platform (crawl, status, listings, findings), then the alert."""
    reports = {r.platform: r for r in cycle.reports}
    for r in cycle.results:
        rep = reports.get(r.platform)
        found = (
            f"{len(rep.opened)} new, {len(rep.resolved)} resolved findings"
            if rep
            else "not compared"
        )
        why = f" ({'; '.join(r.reasons)})" if r.reasons else ""
        out.write(
            f"{DISPLAY_NAMES[r.platform]:<14} crawl {r.crawl_id}: {r.status}{why},"
            f" {r.items} listings, {found}\n"
        )
    for line in cycle.delivery:
        out.write(f"alert: {line}\n")
    out.flush()
