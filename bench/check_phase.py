"""One timed phase of the check benchmark, in a fresh process for a clean peak RSS.

``python -m bench.check_phase PHASE DB [BUDGET_S]`` prints one JSON line: seconds,
the peak RSS before and after the phase and their difference, and what it found.
Phases: ``join`` (the baseline: plain SQL join diff into temp tables), ``diff``
(``storage.diff.diff_crawls``), ``removals`` (``storage.diff.removal_candidates``)
and ``check`` (``monitor.judge.check.check_crawl``, everything, with a breakdown).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator

from bench.common import peak_rss_mb, reset_peak_rss, rss_mb
from bench.synth import NEW, OLD, PLATFORM

JOIN_SQL = (
    """
    CREATE TEMP TABLE changed AS
    SELECT n.listing_key, o.version_id AS old_version, n.version_id AS new_version
    FROM sightings n
    JOIN sightings o ON o.crawl_id = :old AND o.listing_key = n.listing_key
    WHERE n.crawl_id = :new AND o.version_id != n.version_id
    """,
    """
    CREATE TEMP TABLE added AS
    SELECT n.listing_key FROM sightings n
    WHERE n.crawl_id = :new AND NOT EXISTS (
        SELECT 1 FROM sightings o
        WHERE o.crawl_id = :old AND o.listing_key = n.listing_key)
    """,
    """
    CREATE TEMP TABLE removed AS
    SELECT o.listing_key FROM sightings o
    WHERE o.crawl_id = :old AND NOT EXISTS (
        SELECT 1 FROM sightings n
        WHERE n.crawl_id = :new AND n.listing_key = o.listing_key)
    """,
)


def join(db) -> dict:
    conn = db.conn
    for sql in JOIN_SQL:
        conn.execute(sql, {"old": OLD, "new": NEW})
    return {
        name: conn.execute(f"SELECT count(*) FROM temp.{name}").fetchone()[0]
        for name in ("changed", "added", "removed")
    }


def diff(db) -> dict:
    from storage.diff import diff_crawls

    return diff_crawls(db, OLD, NEW)


def removals(db) -> dict:
    from storage.diff import removal_candidates

    return {"candidates": len(removal_candidates(db, PLATFORM, NEW))}


class Clock:
    """Wraps functions to add up the seconds spent in each (the check breakdown)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.interrupted: list[str] = []

    def wrap(self, module, name: str, label: str | None = None) -> None:
        """Time ``module.name`` (skipped when the module has no such function)."""
        inner = getattr(module, name, None)
        if inner is None:
            return
        label = label or name

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                found = inner(*args, **kwargs)
            finally:
                self.add(label, time.perf_counter() - started)
            if isinstance(found, Iterator) and not isinstance(found, list):
                return self.timed_iter(label, found)
            return found

        setattr(module, name, timed)

    def add(self, label: str, spent: float) -> None:
        self.seconds[label] = self.seconds.get(label, 0.0) + spent

    def timed_iter(self, label: str, found: Iterator):
        """A generator's items, with the time spent producing them added up."""
        while True:
            started = time.perf_counter()
            try:
                item = next(found)
            except StopIteration:
                self.add(label, time.perf_counter() - started)
                return
            self.add(label, time.perf_counter() - started)
            yield item


def prepare_check(db) -> None:
    # An earlier diff wrote crawl 2's changes; every diff starts without them.
    db.conn.execute("DELETE FROM changes WHERE to_crawl_id = ?", [NEW])


def check(db, clock: Clock) -> dict:
    from monitor.config import load_config
    from monitor.judge import check as chk
    from monitor.judge import judging as jg
    from storage import diff as d
    from storage import findings as f
    from storage import rule_groups as rg
    from storage.snapshots import get_crawl

    clock.wrap(d, "diff_crawls")
    clock.wrap(chk, "judge", "judge (classify new versions)")
    groups = "rule groups (rule once per group)"
    clock.wrap(rg, "candidates", groups)
    clock.wrap(jg, "_rule_pass", groups)
    clock.wrap(f, "rows_to_evaluate", "rows_to_evaluate (load rows)")
    for name in ("vanished_bundles", "see_finding", "open_finding", "resolve_finding"):
        clock.wrap(f, name)
    clock.wrap(d, "removal_candidates")
    cfg = load_config(env={})
    report = chk.check_crawl(db, get_crawl(db, NEW), cfg, probe=lambda url: False)
    return {
        "added": report.added,
        "changed": report.changed,
        "removed": report.removed,
        "opened": len(report.opened),
        "reopened": len(report.reopened),
        "resolved": len(report.resolved),
        "needs_review": len(report.needs_review),
    }


def main(argv: list[str] | None = None) -> int:
    args = argv or sys.argv[1:]
    phase, path = args[:2]
    from storage.db import open_db

    db = open_db(path)
    clock = Clock()
    if phase == "check":  # the process ready to check: its modules loaded
        import monitor.config  # noqa: F401
        import monitor.judge.check  # noqa: F401
    if phase in ("diff", "check"):
        prepare_check(db)
    reset_peak_rss()
    before = rss_mb()
    started = time.perf_counter()
    if phase == "check":
        found = check(db, clock)
    else:
        found = {"join": join, "diff": diff, "removals": removals}[phase](db)
    seconds = time.perf_counter() - started
    after = peak_rss_mb()
    extra = {}
    db.close()
    out = {
        "phase": phase,
        "seconds": round(seconds, 3),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(after, 1),
        "peak_delta_mb": round(after - before, 1),
        "found": found,
    }
    if clock.seconds:
        out["breakdown_s"] = {k: round(v, 3) for k, v in clock.seconds.items()}
    if clock.interrupted:
        out["interrupted"] = clock.interrupted
    out.update(extra)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
