"""Relisting: a bundle that reappears under a new id with mostly the same classes
is linked to the vanished listing it replaces."""

from __future__ import annotations

RELIST_SIMILARITY = 0.6  # Jaccard similarity of component classes


def relisted_from(row: dict, vanished: list[dict]) -> dict:
    """The vanished bundle this one relists (same or mostly the same classes)."""
    mine = {c.casefold() for c in row.get("components") or []}
    if len(mine) < 2:
        return {}
    best, score = None, 0.0
    for old in vanished:
        theirs = {c.casefold() for c in old["components"] or []}
        if old["listing_id"] == row["listing_id"] or len(theirs) < 2:
            continue
        similarity = len(mine & theirs) / len(mine | theirs)
        if similarity > score:
            best, score = old, similarity
    if best is None or score < RELIST_SIMILARITY:
        return {}
    return {
        "listing_id": best["listing_id"],
        "finding_id": best.get("finding_id"),
        "detail": f"relisted from {best['listing_id']} ({score:.0%} same classes)",
    }
