"""The ground truth on a date: every visible listing and whether it is a violation."""

from __future__ import annotations

from functools import lru_cache

from replica import hostile
from replica import scenario as sc
from replica.catalog import Catalog
from replica.model import SLUGS


@lru_cache(maxsize=4)
def catalog(seed: int = 1, size: int = 1900) -> Catalog:
    """A shared catalog per (seed, size); catalogs are immutable."""
    return Catalog(seed=seed, size=size)


def truth_of(
    cat: Catalog, as_of: str, faults: dict[str, list[dict]] | None = None
) -> dict[str, list[dict]]:
    """``{slug: [{listing_id, is_bundle, prakerja_payment, available, violation,
    needs_review, relisted_from?}, ...]}`` for the listings visible on ``as_of``, in
    listing order, as the platforms' ``unknown_payment`` faults show them (an
    unknown payment is no violation)."""
    out: dict[str, list[dict]] = {}
    for slug in SLUGS:
        rows = []
        varied = {
            f["kind"]: f
            for f in (faults or {}).get(slug, [])
            if f["kind"] == "unknown_payment"
        }
        for i in cat.visible(slug, as_of):
            entry = cat.entry(slug, i)
            item = hostile.vary(sc.on_date(entry, as_of), varied)
            row = {
                "listing_id": item.listing_id,
                "is_bundle": item.is_bundle,
                "prakerja_payment": item.prakerja_payment,
                "available": item.available,
                "violation": sc.violation(item, as_of),
                "needs_review": sc.needs_review(item, as_of),
            }
            if entry.relisted_from:
                row["relisted_from"] = entry.relisted_from
            rows.append(row)
        out[slug] = rows
    return out


def truth(as_of: str, seed: int = 1, size: int = 1900) -> dict[str, list[dict]]:
    """The truth of the catalog (seed, size) on ``as_of`` (an ISO date)."""
    return truth_of(catalog(seed, size), as_of)
