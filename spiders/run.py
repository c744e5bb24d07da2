"""Run one platform's spider in this process: ``python -m spiders.run SLUG ...``.

The monitor starts one such process per crawl (Scrapy's reactor cannot restart in
one process). Progress goes to stdout as JSON lines; Scrapy's log to stderr.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sqlite3
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from spiders.stats import CRAWL_ID, FATAL, STORAGE_ERROR, STORE_ERROR


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m spiders.run")
    parser.add_argument("slug")
    parser.add_argument("--db", required=True, help="SQLite file to store into")
    parser.add_argument("--base-url", help="the platform's base URL")
    parser.add_argument("--now", help="ISO time the crawl counts as observed at")
    parser.add_argument("--evidence-dir", help="folder for the crawl's WARC file")
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument(
        "-s", dest="settings", action="append", default=[], metavar="NAME=VALUE"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Work from any folder, not only next to scrapy.cfg.
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "spiders.settings")
    settings = get_project_settings()
    settings.set("PRAKERJA_DB_PATH", args.db, priority="cmdline")
    settings.set("PRAKERJA_NOW", args.now, priority="cmdline")
    settings.set("LOG_LEVEL", args.log_level, priority="cmdline")
    settings.set("PRAKERJA_PROGRESS", True, priority="cmdline")
    if args.evidence_dir:
        settings.set("PRAKERJA_EVIDENCE_DIR", args.evidence_dir, priority="cmdline")
    if args.base_url:
        urls = {args.slug: args.base_url.rstrip("/")}
        settings.set("PRAKERJA_BASE_URLS", json.dumps(urls), priority="cmdline")
    for pair in args.settings:
        name, _, value = pair.partition("=")
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(args.slug)
    # Start-up objects (modules, classes, settings) live as long as the process:
    # frozen, the collector no longer walks them in every full collection. Before
    # crawl(): its Deferreds must stay collectable (an unhandled failure is logged
    # when its Deferred is collected).
    gc.freeze()
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    crawl_id = stats.get(CRAWL_ID)
    problem = stats.get(FATAL) or stats.get(STORE_ERROR)
    if crawl_id is None and args.db:
        problem = problem or "the crawl could not open its row in the database"
    if crawl_id is not None:
        problem = close_row(args.db, crawl_id, problem)
    done = {
        "event": "done",
        "platform": args.slug,
        "crawl_id": crawl_id,
        "items": stats.get("item_scraped_count", 0),
        "pages": stats.get("response_received_count", 0),
        "finish_reason": stats.get("finish_reason"),
        "error": problem,
    }
    print(json.dumps(done), flush=True)
    if problem:  # the last stderr line is what the monitor records
        print(f"crawl of {args.slug} failed: {problem}", file=sys.stderr, flush=True)
        return 1
    return 0


def close_row(db_path: str, crawl_id: int, problem: str | None) -> str | None:
    """Make sure the crawl's row is closed, ``failed`` with ``problem`` if any;
    the problem (or why the row could not be closed) for the exit status."""
    from storage import snapshots
    from storage.db import open_db

    try:
        db = open_db(db_path)
        try:
            if problem:
                snapshots.fail_crawl(db, crawl_id, problem, STORAGE_ERROR, force=True)
            elif snapshots.get_crawl(db, crawl_id)["status"] == snapshots.RUNNING:
                problem = "the crawl ended without closing its row"
                snapshots.fail_crawl(db, crawl_id, problem)
        finally:
            db.close()
    except sqlite3.Error as exc:
        problem = f"{problem or 'crawl ended'}; its row could not be closed: {exc}"
    return problem


if __name__ == "__main__":
    sys.exit(main())
