"""One cycle of the monitor: crawl the platforms, check, alert once.

``run``, each ``schedule`` round and ``demo`` call ``run_cycle``; they differ only
in how they crawl (a command's own runner with a progress display, or the
scheduler's long-lived one) and in what they print of the returned ``Cycle``.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field

from monitor.digest.send import Delivery, send_alerts
from monitor.judge.check import check_all
from monitor.outputs.progress import Progress
from monitor.preconditions import add_network_causes, open_database
from monitor.run.crawl import CrawlResult, runner_for


@dataclass
class Cycle:
    """What one cycle did. ``stopped``: the runner was stopped during the crawls,
    so nothing was checked or alerted (the next cycle does it)."""

    results: list[CrawlResult]
    reports: list = field(default_factory=list)  # check's CheckReports
    delivery: Delivery | None = None  # None when this cycle did not alert
    stopped: bool = False


def run_crawls(cfg, slugs, base_urls=None, now=None, parallel=None, quiet=False):
    """Crawl ``slugs`` with a progress display (on stderr unless ``quiet``)."""
    progress = Progress(io.StringIO() if quiet else None)
    runner = runner_for(cfg, base_urls, now, parallel, on_progress=progress)
    try:
        results = runner.run(slugs)
    except KeyboardInterrupt:
        runner.stop()
        raise
    finally:
        progress.done()
    add_network_causes(cfg.database, results)
    return results


def run_cycle(
    cfg,
    slugs,
    runner=None,
    *,
    base_urls=None,
    now=None,
    quiet=False,
    probe=None,
    alert=True,
    lock=None,
) -> Cycle:
    """Crawl ``slugs`` (with ``runner`` if given, else a new one), then one check
    and, if ``alert``, one alert run; ``lock`` (if given) is held around both."""
    if runner is None:
        results = run_crawls(cfg, slugs, base_urls, now, quiet=quiet)
    else:
        results = runner.run(slugs)
        if runner.stopping:
            return Cycle(results, stopped=True)
    with lock or contextlib.nullcontext():
        db = open_database(cfg, create=True)
        try:
            reports = check_all(db, cfg, probe=probe)
            delivery = send_alerts(db, cfg) if alert else None
        finally:
            db.close()
    return Cycle(results, reports, delivery)
