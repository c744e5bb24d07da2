"""The normalized listing item: its fields in order, and what a spider yields raw."""

from __future__ import annotations

# The keys of a normalized item (replica/data/CONTRACTS.md §2), in contract order.
ITEM_FIELDS = (
    "platform",
    "listing_id",
    "url",
    "title",
    "provider",
    "price_idr",
    "list_price_idr",
    "bundle_label",
    "bundle_keywords",
    "components",
    "is_bundle",
    "payment_methods",
    "prakerja_payment",
    "prakerja_evidence",
    "available",
    "category",
    "rating",
    "rating_count",
)

# Keys a spider yields: raw values; the normalize pipeline turns them into
# ITEM_FIELDS.  ``price`` and ``list_price`` are raw Rupiah strings or ints,
# ``rating``/``rating_count`` raw strings or numbers.
RAW_FIELDS = (
    "platform",
    "listing_id",
    "url",
    "title",
    "provider",
    "price",
    "list_price",
    "bundle_label",
    "components",
    "payment_methods",
    "prakerja_payment",
    "prakerja_evidence",
    "available",
    "category",
    "rating",
    "rating_count",
)

# Keys the pipelines may add beyond ITEM_FIELDS; contract comparisons ignore them.
EXTRA_FIELDS = ("crawled_at", "source_urls", "payment_channels", "evidence")

# Without these an item cannot be stored; the validate pipeline drops it.
REQUIRED_FIELDS = ("platform", "listing_id", "title")
