"""Crawl-wide watchers: progress lines on stdout, storage faults, runaway paging."""

from __future__ import annotations

import errno
import json
import logging
import sqlite3
import sys

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from spiders.stats import (
    CRAWL_ID,
    FATAL,
    PAGES_ANNOUNCED,
    PAGES_CAP,
    PAGES_CAPPED,
    PAGES_DROPPED,
    PAGES_REACHED,
    STORAGE_ERROR,
    STORE_ERROR,
)

logger = logging.getLogger(__name__)
# Listing requests dropped from one response's output before the rest of that
# output is left unread: a page claiming millions of pages costs no more CPU.
GIVE_UP_AFTER = 1000
ARCHIVE_MODULE = "spiders/evidence.py"
STORAGE_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EDQUOT, errno.EIO}


class ProgressReporter:
    """Every ``interval`` seconds: items, listing pages and responses so far."""

    def __init__(self, stats, interval: float = 1.0):
        self.stats, self.interval, self.loop = stats, interval, None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("PRAKERJA_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler.stats, crawler.settings.getfloat("PRAKERJA_PROGRESS_S", 1.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        self.spider = spider
        self.loop = task.LoopingCall(self.report, "progress")
        self.loop.start(self.interval, now=True)

    def report(self, event: str) -> None:
        stats = self.stats
        line = {
            "event": event,
            "platform": self.spider.name,
            "crawl_id": stats.get_value(CRAWL_ID),
            "items": stats.get_value("item_scraped_count", 0),
            "pages": stats.get_value("response_received_count", 0),
            "listing_pages": stats.get_value(PAGES_REACHED, 0),
            "listing_pages_announced": stats.get_value(PAGES_ANNOUNCED, 0),
        }
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()

    def spider_closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()


def storage_fault(exc: BaseException, frames=()) -> str | None:
    """What an exception says about the disk or database, or None if nothing;
    ``frames`` (a Twisted failure's) tell an archive write from other code."""
    if isinstance(exc, sqlite3.DatabaseError):
        return f"database error: {exc}"
    archive = any(str(f[1]).endswith(ARCHIVE_MODULE) for f in frames)
    if isinstance(exc, OSError) and (archive or exc.errno in STORAGE_ERRNOS):
        return f"cannot write the archive: {exc}" if archive else f"disk: {exc}"
    return None


class StorageGuard:
    """Stop the crawl at the first error writing the archive or the database
    (disk full, read-only, corrupted): what it saw could not be kept."""

    def __init__(self, crawler):
        self.crawler, self.stats = crawler, crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.item_done, signal=signals.item_scraped)
        return ext

    def spider_error(self, failure, response, spider):
        self.check(failure, spider)

    def item_error(self, item, response, spider, failure):
        self.check(failure, spider)

    def item_done(self, item, response, spider):
        error = self.stats.get_value(STORE_ERROR)
        if error and not self.stats.get_value(FATAL):
            self.stop(f"cannot store items: {error}", spider)

    def check(self, failure, spider) -> None:
        why = storage_fault(failure.value, getattr(failure, "frames", ()))
        if why and not self.stats.get_value(FATAL):
            self.stop(why, spider)

    def stop(self, why: str, spider) -> None:
        stop_for_storage(self.crawler, spider, why)


def stop_for_storage(crawler, spider, why: str) -> None:
    """End the crawl as ``storage_error`` with ``why`` (the first reason wins)."""
    if crawler.stats.get_value(FATAL):
        return
    crawler.stats.set_value(FATAL, why)
    logger.error("stopping the crawl: %s", why)
    crawler.engine.close_spider(spider, STORAGE_ERROR)


class PaginationGuard:
    """Spider middleware: listing requests beyond the page count the crawl
    announced, or beyond a cap relative to the platform's recent crawls, are
    never queued (so memory stays bounded however many pages a platform
    claims), and the crawl then ends as ``pagination_cap``: incomplete."""

    def __init__(self, crawler, factor: float, floor: int, first: int):
        self.crawler, self.stats = crawler, crawler.stats
        self.factor, self.floor, self.first = factor, floor, first
        self.cap = first
        self.seen: set[str] = set()
        self.why: str | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        mw = cls(
            crawler,
            settings.getfloat("PRAKERJA_PAGE_CAP_FACTOR", 3.0),
            settings.getint("PRAKERJA_PAGE_CAP_MIN", 50),
            settings.getint("PRAKERJA_PAGE_CAP_FIRST", 5000),
        )
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_idle, signal=signals.spider_idle)
        return mw

    def spider_opened(self, spider):
        recent = self.recent_pages(spider.name)
        if recent:
            self.cap = max(self.floor, int(self.factor * max(recent)))
        self.stats.set_value(PAGES_CAP, self.cap)

    def recent_pages(self, platform: str) -> list[int]:
        path = self.crawler.settings.get("PRAKERJA_DB_PATH")
        if not path:
            return []
        from storage.db import open_db
        from storage.snapshots import recent_listing_pages

        db = open_db(path)
        try:
            return recent_listing_pages(db, platform, PAGES_ANNOUNCED)
        finally:
            db.close()

    def allowed(self, out, spider) -> bool:
        """False for a listing request past the cap or the announced count."""
        listing = isinstance(out, Request) and out.callback == spider.parse
        if not listing or out.url in self.seen:
            return True
        announced = self.stats.get_value(PAGES_ANNOUNCED, 0)
        if announced and len(self.seen) + 1 > announced:
            why = f"listing pages went beyond the {announced} announced"
        elif len(self.seen) + 1 > self.cap:
            why = (
                f"{announced or 'more'} listing pages, over the cap of {self.cap}"
                " (3x the platform's recent crawls)"
            )
        else:
            self.seen.add(out.url)
            return True
        if self.why is None:
            self.why = why
            self.stats.set_value(PAGES_CAPPED, why)
            logger.error("pagination stopped: %s", why)
        self.stats.inc_value(PAGES_DROPPED)
        return False

    def spider_idle(self, spider):
        if self.why:  # what it could fetch is done: not a normal finish
            self.crawler.engine.close_spider(spider, "pagination_cap")

    async def process_start(self, start):
        """Start requests are never capped; their listing pages count."""
        async for out in start:
            spider = self.crawler.spider
            if isinstance(out, Request) and out.callback == spider.parse:
                self.seen.add(out.url)
            yield out

    def process_spider_output(self, response, result, spider=None):
        spider, dropped = spider or self.crawler.spider, 0
        for out in result:
            if self.allowed(out, spider):
                yield out
                continue
            dropped += 1
            if dropped > GIVE_UP_AFTER:
                return

    async def process_spider_output_async(self, response, result, spider=None):
        spider, dropped = spider or self.crawler.spider, 0
        async for out in result:
            if self.allowed(out, spider):
                yield out
                continue
            dropped += 1
            if dropped > GIVE_UP_AFTER:
                return
