"""StorePipeline: items to SQLite in batches, the crawl row closed with its verdict."""

from __future__ import annotations

import logging
import sqlite3

from scrapy import signals
from scrapy.exceptions import NotConfigured

from spiders.stats import CRAWL_ID, STORE_ERROR, STORE_LOST, WARC_PATH, field_stat
from spiders.trust import (
    COVERAGE_FIELDS,
    FAILED,
    INCOMPLETE,
    Seen,
    error_count,
    verdict,
)

logger = logging.getLogger(__name__)
# What storing a batch can raise: the database (locked, full, a constraint), the
# disk, a number SQLite cannot hold, a value JSON cannot encode.
STORE_ERRORS = (sqlite3.Error, OSError, OverflowError, TypeError, ValueError)


def case_variants(seen: set[str], known: set[str]) -> int:
    """Ids seen that another known id of the platform equals apart from letter
    case and surrounding spaces (ids are case-sensitive by contract)."""
    folds: dict[str, int] = {}
    for listing_id in known | seen:
        key = listing_id.strip().casefold()
        folds[key] = folds.get(key, 0) + 1
    return sum(1 for i in seen if folds[i.strip().casefold()] > 1)


class StorePipeline:
    """Write items to the snapshot database through ``storage``, in batches."""

    def __init__(self, db_path: str, now: str | None, batch: int, limits, stats):
        self.db_path, self.now, self.batch_size = db_path, now, batch
        self.limits, self.stats = limits, stats
        self.buffer: list[dict] = []
        self.items = self.lost = 0
        self.present = dict.fromkeys(COVERAGE_FIELDS, 0)
        self.stored_ids: set[str] = set()
        self.lost_error = None
        self.db = self.crawl_id = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.get("PRAKERJA_DB_PATH"):
            raise NotConfigured("PRAKERJA_DB_PATH is not set")
        from spiders.trust import Thresholds

        limits = Thresholds.from_settings(settings)
        pipe = cls(
            settings.get("PRAKERJA_DB_PATH"),
            settings.get("PRAKERJA_NOW"),
            settings.getint("PRAKERJA_STORE_BATCH", 500),
            limits,
            crawler.stats,
        )
        pipe.crawler = crawler
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def open_spider(self, spider=None):
        from storage import snapshots
        from storage.db import open_db

        spider = spider or self.crawler.spider
        self.db = open_db(self.db_path)
        self.crawl_id = snapshots.start_crawl(
            self.db,
            spider.name,
            observed_at=self.now,
            base_url=getattr(spider, "base_url", None),
        )
        self.stats.set_value(CRAWL_ID, self.crawl_id)
        spider.logger.info("crawl %s of %s started", self.crawl_id, spider.name)

    def process_item(self, item: dict) -> dict:
        self.items += 1
        for name in COVERAGE_FIELDS:
            self.present[name] += item.get(name) not in (None, "")
        self.stored_ids.add(str(item.get("listing_id")))
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        from storage import snapshots

        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        try:
            snapshots.save_listings(self.db, self.crawl_id, batch)
        except STORE_ERRORS as exc:  # count the batch, go on with the next
            # The batch rolled back; the crawl cannot be complete without it.
            self.lost += len(batch)
            self.lost_error = f"{type(exc).__name__}: {exc}"
            self.stats.inc_value(STORE_LOST, len(batch))
            self.stats.set_value(STORE_ERROR, self.lost_error)
            logger.error("could not store %d items: %s", len(batch), exc)

    def close_spider(self, spider=None):
        self.flush()

    def spider_closed(self, spider, reason):
        """Close the crawl row with its verdict; the signal carries the reason
        (finished, shutdown, closespider_pagecount, ...)."""
        from storage import snapshots
        from storage import trust as stored_trust

        if self.db is None:
            return
        stats = self.stats.get_stats()
        stored = self.items - self.lost
        unread = self.unread_of(spider)
        seen = self.seen(spider, stats, stored, unread)
        history = stored_trust.history(self.db, spider.name, self.crawl_id)
        judged = verdict(spider.name, stats, reason, seen, history, self.limits)
        if self.lost:
            judged.add(
                "store_failed",
                f"{self.lost} items could not be stored ({self.lost_error})",
                FAILED if not stored else INCOMPLETE,
            )
        try:
            snapshots.save_unread(self.db, self.crawl_id, unread)
        except STORE_ERRORS as exc:
            judged.add("store_failed", f"unread listings not stored ({exc})")
        snapshots.finish_crawl(
            self.db,
            self.crawl_id,
            status=judged.status,
            finish_reason=reason,
            items=stored,
            pages=stats.get("response_received_count", 0),
            errors=error_count(stats),
            health=judged.reasons,
            stats=stats,
            warc_path=stats.get(WARC_PATH),
        )
        stored_trust.save_trust(
            self.db,
            self.crawl_id,
            judged.readable,
            judged.complete,
            seen.listed,
            seen.announced,
            seen.coverage,
            judged.notice,
        )
        spider.logger.info(
            "crawl %s of %s: %s %s",
            self.crawl_id,
            spider.name,
            judged.status,
            "; ".join(r["message"] for r in judged.reasons),
        )
        self.db.close()
        self.db = None

    def unread_of(self, spider) -> set[str]:
        """Listed ids without a stored item (any reason), and those given up on."""
        ledger = getattr(spider, "ledger", None)
        explicit = set(getattr(spider, "unread_ids", set()))
        if ledger is None:
            return explicit
        return ledger.unread(self.stored_ids, explicit)

    def seen(self, spider, stats: dict, stored: int, unread: set[str]) -> Seen:
        """What the crawl saw, for the verdict."""
        from storage import trust as stored_trust

        ledger = getattr(spider, "ledger", None)
        untitled = stats.get(field_stat("title", "missing"), 0)
        coverage = (
            {name: count / self.items for name, count in self.present.items()}
            if self.items
            else {}
        )
        if self.items or untitled:
            coverage["title"] = self.present["title"] / (self.items + untitled)
        variants = case_variants(
            self.stored_ids, stored_trust.listing_ids(self.db, spider.name)
        )
        if ledger is None:
            return Seen(stored, coverage=coverage, case_variants=variants)
        return Seen(
            items=stored,
            listed=len(ledger.listed),
            announced=ledger.announced_items,
            unread=len(unread),
            duplicate_ids=ledger.duplicate_ids,
            duplicate_pages=list(ledger.duplicate_pages),
            unconfirmed=list(ledger.unconfirmed),
            mismatches=dict(ledger.mismatches),
            coverage=coverage,
            case_variants=variants,
        )
