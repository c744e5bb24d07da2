"""``schedule``: crawls on cron schedules with APScheduler, then check and alert."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.alerting import send_alerts
from monitor.check import check_all
from monitor.crawl import runner_for
from storage.db import open_db
from storage.snapshots import mark_stale_crawls_failed

log = logging.getLogger("prakerja_monitor.schedule")


def trigger_for(cfg, slug: str):
    sched = cfg["schedule"]
    if sched.get("interval_seconds"):
        return IntervalTrigger(seconds=float(sched["interval_seconds"]))
    cron = cfg["platforms"][slug].get("schedule") or sched["cron"]
    return CronTrigger.from_crontab(cron, timezone=sched["timezone"])


class Monitor:
    """The scheduled work: one crawl job per platform; check and alert after each."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.runner = runner_for(cfg)
        self.check_lock = threading.Lock()  # one check/alert at a time
        self.scheduler = BlockingScheduler(timezone=cfg["schedule"]["timezone"])
        grace = int(cfg["schedule"]["misfire_grace_time"])
        for slug in cfg.enabled_platforms():
            self.scheduler.add_job(
                self.crawl_job,
                trigger_for(cfg, slug),
                args=[slug],
                id=f"crawl-{slug}",
                name=f"crawl {slug}, then check and alert",
                max_instances=1,  # never two crawls of one platform at once
                coalesce=True,  # missed runs collapse into one
                misfire_grace_time=grace,
                next_run_time=datetime.now(self.scheduler.timezone)
                if cfg["schedule"].get("interval_seconds")
                else None,
            )

    def crawl_job(self, slug: str) -> None:
        if self.runner.stopping:
            return
        result = self.runner.run_one(slug)
        log.info(
            "crawl %s: crawl %s %s, %s items%s",
            slug,
            result.crawl_id,
            result.status,
            result.items,
            f" ({'; '.join(result.reasons)})" if result.reasons else "",
        )
        if self.runner.stopping:
            return
        with self.check_lock:
            db = open_db(self.cfg.database)
            try:
                for report in check_all(db, self.cfg):
                    log.info(
                        "check %s crawl %s: %d new, %d reopened, %d resolved",
                        report.platform,
                        report.crawl_id,
                        len(report.opened),
                        len(report.reopened),
                        len(report.resolved),
                    )
                for line in send_alerts(db, self.cfg):
                    log.info("alert: %s", line)
            finally:
                db.close()

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
        name = signal.Signals(signum).name if signum else "a stop request"
        self.runner.stop(reason=f"stopped: the scheduler received {name}")
        threading.Thread(target=self.scheduler.shutdown, daemon=True).start()

    def serve(self) -> None:
        open_db(self.cfg.database).close()
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        log.info("scheduler started with %d jobs", len(self.scheduler.get_jobs()))
        self.scheduler.start()
        db = open_db(self.cfg.database)
        try:  # a crawl process that died unseen must not stay 'running'
            for crawl_id in mark_stale_crawls_failed(db):
                log.warning("crawl %s ended without closing: marked failed", crawl_id)
        finally:
            db.close()
        log.info("scheduler stopped")
