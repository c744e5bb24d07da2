"""Item pipelines, one job each: normalize -> validate (-> store: spiders/store.py)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from scrapy.exceptions import DropItem

from spiders import normalize as n
from spiders.items import ITEM_FIELDS, REQUIRED_FIELDS
from spiders.ledger import listing_key
from spiders.stats import (
    ITEMS_DROPPED,
    ITEMS_VALID,
    field_stat,
)
from storage.classifier import classify, title_keywords

logger = logging.getLogger(__name__)
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
        out["listing_id"] = listing_id or None
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
