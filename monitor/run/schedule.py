"""``schedule``: rounds of crawls on cron schedules (APScheduler); one check and one
digest after each round.

A round is every enabled platform that shares a schedule (all of them with
``schedule.interval_seconds``): its crawls run (``crawl.parallel`` at a time), then
one check, then one alert, so a round sends at most one digest. A crawl that the
scheduler's own shutdown cut short is recorded as interrupted, never announced as
a health problem, and crawled again in the next round (at once after a restart).
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.run.crawl import runner_for
from monitor.run.cycle import run_cycle
from storage.db import open_db
from storage.interruptions import interrupted_platforms, mark_interrupted
from storage.snapshots import mark_stale_crawls_failed, now_iso

log = logging.getLogger("prakerja_monitor.schedule")


def trigger_for(cfg, slug: str):
    sched = cfg["schedule"]
    if sched.get("interval_seconds"):
        return IntervalTrigger(seconds=float(sched["interval_seconds"]))
    cron = cfg["platforms"][slug].get("schedule") or sched["cron"]
    return CronTrigger.from_crontab(cron, timezone=sched["timezone"])


def rounds(cfg) -> list[list[str]]:
    """Enabled platforms grouped by schedule: each group is crawled as one round."""
    groups: dict[str, list[str]] = {}
    for slug in cfg.enabled_platforms():
        if cfg["schedule"].get("interval_seconds"):
            key = "interval"
        else:
            key = cfg["platforms"][slug].get("schedule") or cfg["schedule"]["cron"]
        groups.setdefault(key, []).append(slug)
    return list(groups.values())


class Monitor:
    """The scheduled work: one job per round of platforms; check and alert after."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.runner = runner_for(cfg)
        self.check_lock = threading.Lock()  # one check/alert at a time
        self.stopped_at: str | None = None  # when our own shutdown began
        self.scheduler = BlockingScheduler(timezone=cfg["schedule"]["timezone"])
        grace = int(cfg["schedule"]["misfire_grace_time"])
        interval = cfg["schedule"].get("interval_seconds")
        for slugs in rounds(cfg):
            self.scheduler.add_job(
                self.round,
                trigger_for(cfg, slugs[0]),
                args=[slugs],
                id="round-" + "-".join(slugs) if len(slugs) < 3 else "round",
                name=f"crawl {', '.join(slugs)}, then check and alert",
                max_instances=1,  # never two crawls of one platform at once
                coalesce=True,  # missed runs collapse into one
                misfire_grace_time=grace,
                next_run_time=datetime.now(self.scheduler.timezone)
                if interval
                else None,
            )

    def round(self, slugs: list[str]) -> None:
        """Crawl ``slugs``, then (unless we are stopping) one check and one alert."""
        if self.runner.stopping:
            return
        cycle = run_cycle(self.cfg, slugs, self.runner, lock=self.check_lock)
        for result in cycle.results:
            log.info(
                "crawl %s: crawl %s %s, %s items%s",
                result.platform,
                result.crawl_id,
                result.status,
                result.items,
                f" ({'; '.join(result.reasons)})" if result.reasons else "",
            )
        if cycle.stopped:  # this round was cut short; the next one checks
            self._record_interrupted(cycle.results)
            return
        for report in cycle.reports:
            log.info(
                "check %s crawl %s: %d new, %d reopened, %d resolved",
                report.platform,
                report.crawl_id,
                len(report.opened),
                len(report.reopened),
                len(report.resolved),
            )
        for line in cycle.delivery:
            log.info("alert: %s", line)
        log.info("round done: %s; %d digest(s)", ", ".join(slugs), len(cycle.delivery))

    def _record_interrupted(self, results) -> None:
        db = open_db(self.cfg.database)
        try:
            for result in results:
                if result.crawl_id is None or result.status == "complete":
                    continue
                if mark_interrupted(db, result.crawl_id, self.stopped_at or now_iso()):
                    log.info(
                        "crawl %s: crawl %s interrupted by the shutdown",
                        result.platform,
                        result.crawl_id,
                    )
        finally:
            db.close()

    def retry_interrupted(self) -> None:
        """After a restart: a round now for platforms whose newest crawl was
        interrupted (interval schedules start a round at once anyway)."""
        if self.cfg["schedule"].get("interval_seconds"):
            return
        db = open_db(self.cfg.database)
        try:
            enabled = set(self.cfg.enabled_platforms())
            slugs = [s for s in interrupted_platforms(db) if s in enabled]
        finally:
            db.close()
        if slugs:
            log.info("retrying interrupted crawls now: %s", ", ".join(slugs))
            self.scheduler.add_job(
                self.round, DateTrigger(), args=[slugs], id="retry-interrupted"
            )

    def jobs(self) -> list[tuple[str, str]]:
        """(job name, next run time) for --list, without starting anything."""
        out = []
        now = datetime.now(self.scheduler.timezone)
        for job in self.scheduler.get_jobs():
            next_time = job.trigger.get_next_fire_time(None, now)
            out.append((job.id, next_time.isoformat() if next_time else "never"))
        return out

    def stop(self, signum=None, frame=None) -> None:
        log.info("stopping: finishing running crawls")
        self.stopped_at = self.stopped_at or now_iso()
        name = signal.Signals(signum).name if signum else "a stop request"
        self.runner.stop(reason=f"stopped: the scheduler received {name}")
        threading.Thread(target=self.scheduler.shutdown, daemon=True).start()

    def serve(self) -> None:
        open_db(self.cfg.database).close()
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        self.retry_interrupted()
        log.info("scheduler started with %d jobs", len(self.scheduler.get_jobs()))
        self.scheduler.start()
        db = open_db(self.cfg.database)
        try:  # a crawl process that died unseen must not stay 'running'
            for crawl_id in mark_stale_crawls_failed(db):
                log.warning("crawl %s ended without closing: marked failed", crawl_id)
        finally:
            db.close()
        log.info("scheduler stopped")
