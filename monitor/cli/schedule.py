"""``schedule``: run the monitor as a service, crawls on their schedules."""

from __future__ import annotations

from monitor.cli.options import common, lang_option, settings

NAME = "schedule"
SUMMARY = "run crawls on their schedules"
EXAMPLE = "prakerja-monitor schedule --config prakerja-monitor.example.toml --list"
DESCRIPTION = """
Run the monitor as a service: one job per enabled platform on its cron
schedule (default every 6 hours, Asia/Jakarta), each crawl in its own
process, never two crawls of one platform at once, missed runs coalesced;
check and alert after each crawl. SIGTERM or Ctrl-C stops it cleanly.
"""


def add_arguments(p) -> None:
    common(p)
    p.add_argument("--list", action="store_true", help="print jobs and next runs")
    lang_option(p)


def run(args) -> int:
    import logging

    from monitor.run.schedule import Monitor

    cfg = settings(args)
    monitor = Monitor(cfg)
    if args.list:
        for job, next_run in monitor.jobs():
            print(f"{job:<22} next run {next_run}")
        return 0
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    monitor.serve()
    return 0
