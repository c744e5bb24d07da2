"""Item pipelines, one job each: normalize -> validate -> store."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from spiders import normalize as n
from spiders.items import ITEM_FIELDS, REQUIRED_FIELDS
from spiders.ledger import listing_key
from spiders.stats import (
    CRAWL_ID,
    ITEMS_DROPPED,
    ITEMS_VALID,
    STORE_ERROR,
    STORE_LOST,
    WARC_PATH,
    field_stat,
)
from spiders.trust import (
    COVERAGE_FIELDS,
    FAILED,
    INCOMPLETE,
    Seen,
    error_count,
    verdict,
)
from storage.classifier import classify, title_keywords

logger = logging.getLogger(__name__)
# What storing a batch can raise: the database (locked, full, a constraint), the
# disk, a number SQLite cannot hold, a value JSON cannot encode.
STORE_ERRORS = (sqlite3.Error, OSError, OverflowError, TypeError, ValueError)
TEXT_FIELDS = ("title", "provider", "category", "bundle_label")
LIST_FIELDS = ("components", "payment_methods", "prakerja_evidence")


class NormalizePipeline:
    """Turn a spider's raw values into the normalized item of the contracts."""

    def __init__(self, stats=None):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def problem(self, field: str, kind: str, value: object) -> None:
        if self.stats is not None:
            self.stats.inc_value(field_stat(field, kind))
        logger.warning("field %s %s: %.200r", field, kind, value)

    def process_item(self, item: dict) -> dict:
        raw = dict(item)
        out = {key: None for key in ITEM_FIELDS}
        out["platform"] = raw.get("platform")
        listing_id = raw.get("listing_id")
        listing_id = listing_key(listing_id)  # stripped, per the contracts
        out["listing_id"] = n.valid_text(listing_id) if listing_id else None
        url = raw.get("url")
        if url is not None and not isinstance(url, str):
            self.problem("url", "invalid", url)
        out["url"] = n.valid_text(url) if isinstance(url, str) else None
        for field in TEXT_FIELDS:
            out[field] = n.clean_text(raw.get(field)) or None
        for field in LIST_FIELDS:
            raws = raw.get(field) or []
            if not isinstance(raws, list | tuple):
                self.problem(field, "invalid", raws)
                raws = []
            values = [n.clean_text(v) for v in raws]
            out[field] = [v for v in values if v]
        out["price_idr"] = self.rupiah("price", raw.get("price"))
        list_price = raw.get("list_price")
        list_price = (
            None if list_price in (None, "") else self.rupiah("list_price", list_price)
        )
        out["list_price_idr"] = None if list_price == out["price_idr"] else list_price
        # the one classifier decides, so that exported items agree with `check`
        out["bundle_keywords"] = title_keywords(out["title"])
        out["is_bundle"] = classify(out).is_bundle
        prakerja = raw.get("prakerja_payment")
        out["prakerja_payment"] = None if prakerja is None else bool(prakerja)
        if not out["prakerja_payment"]:
            out["prakerja_evidence"] = []
        out["available"] = bool(raw.get("available"))
        out["rating_count"] = self.parsed("rating_count", n.parse_count, raw)
        out["rating"] = self.parsed("rating", n.parse_rating, raw)
        if out["rating_count"] == 0:
            out["rating"] = None
        out["payment_channels"] = sorted(
            {n.canonical_payment(m) for m in out["payment_methods"]}
        )
        out["crawled_at"] = raw.get("crawled_at") or datetime.now(UTC).isoformat(
            timespec="seconds"
        )
        out["source_urls"] = list(raw.get("source_urls") or [])
        if raw.get("evidence"):
            out["evidence"] = raw["evidence"]
        return out

    def rupiah(self, field: str, value: object) -> int | None:
        if value is None or value == "":
            self.problem(field, "missing", value)
            return None
        try:
            return n.parse_idr(value)
        except n.ParseError:
            self.problem(field, "invalid", value)
            return None

    def parsed(self, field: str, parse, raw: dict):
        try:
            return parse(raw.get(field))
        except n.ParseError:
            self.problem(field, "invalid", raw.get(field))
            return None


def case_variants(seen: set[str], known: set[str]) -> int:
    """Ids seen that another known id of the platform equals apart from letter
    case and surrounding spaces (ids are case-sensitive by contract)."""
    folds: dict[str, int] = {}
    for listing_id in known | seen:
        key = listing_id.strip().casefold()
        folds[key] = folds.get(key, 0) + 1
    return sum(1 for i in seen if folds[i.strip().casefold()] > 1)


class ValidatePipeline:
    """Count field problems; drop only items that cannot be identified."""

    def __init__(self, stats=None):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item: dict) -> dict:
        missing = [f for f in REQUIRED_FIELDS if not item.get(f)]
        for field in missing:
            self.stats.inc_value(field_stat(field, "missing"))
        if missing:
            self.stats.inc_value(ITEMS_DROPPED)
            raise DropItem(f"item without {', '.join(missing)}: {item.get('url')}")
        for field in ("provider", "price_idr", "url"):
            if item.get(field) is None:
                self.stats.inc_value(field_stat(field, "missing"))
        if item.get("prakerja_payment") is None:
            self.stats.inc_value(field_stat("prakerja_payment", "unknown"))
        if not item["payment_methods"] and item.get("prakerja_payment") is None:
            self.stats.inc_value(field_stat("payment_methods", "missing"))
        self.stats.inc_value(ITEMS_VALID)
        return item


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
