"""Hostile fault kinds: listings varied per request, bodies deep or varied, redirects.

Listing-level kinds change what ``RequestContext`` hands the renderers:
``unknown_payment`` (a ``share`` of listings shows payment as unknown, only where
the contract allows null), ``empty_title`` (a ``share`` of details with an empty
title), ``id_case`` (ids with swapped letter case and surrounding spaces),
``paging`` (every listing page serves page ``page``: the ``page`` parameter
ignored), ``duplicate_pages`` (page N >= 2 shows the listings of page N - 1).
Body-level kinds: ``deep_json`` (a JSON body nested ``depth`` deep), ``redirect``
(a 302 to the platform's listing page 1). ``surface`` is in ``replica.surface``.
"""

from __future__ import annotations

import zlib
from dataclasses import replace

from replica.model import Listing, Response

LISTING_KINDS = (
    "unknown_payment",
    "empty_title",
    "id_case",
    "paging",
    "duplicate_pages",
)
BODY_KINDS = ("deep_json", "redirect", "surface")
KINDS = LISTING_KINDS + BODY_KINDS
# Platforms whose contract lets a page say nothing about payment (prakerja_payment
# null): sekolahmu paymentOptions null, pijarmahir paymentMethods null, sisnaker
# without the "Metode Pembayaran" row.
NULL_PAYMENT = frozenset({"sekolahmu", "pijarmahir", "sisnaker"})
LISTING_PAGE_1 = {
    "bukalapak": "/kartu-prakerja",
    "maubelajarapa": "/kartuprakerja/",
    "pijarmahir": "/api/v1/courses?category=kartu-prakerja&page=1&limit=8",
    "pintaria": "/kartuprakerja",
    "sekolahmu": "/kartuprakerja/",
    "sisnaker": "/pelatihan",
    "skillacademy": "/api/skillacademy/discovery/search?searchQuery=prakerja&page=1"
    "&pageSize=20",
    "tokopedia": "/discovery/kartu-prakerja/",
}


def check_params(fault: dict, error) -> None:
    """Validate and default one hostile fault's parameters (``error``: the class)."""
    kind = fault["kind"]
    if kind in ("unknown_payment", "empty_title"):
        share = fault.setdefault("share", 0.1)
        if not isinstance(share, int | float) or not 0 <= share <= 1:
            raise error("share must be between 0 and 1")
    elif kind == "paging":
        if fault.setdefault("page", 1) not in (1, 2):
            raise error("paging page must be 1 or 2 (the page every request serves)")
    elif kind == "deep_json":
        depth = fault.setdefault("depth", 200_000)
        if not isinstance(depth, int) or not 1 <= depth <= 1_000_000:
            raise error("depth must be an int between 1 and 1000000")


def chosen(slug: str, listing_id: str, share: float, salt: str) -> bool:
    """A stable pseudo-random choice of ``share`` of a platform's listings."""
    return zlib.crc32(f"{salt}:{slug}:{listing_id}".encode()) % 10_000 < share * 10_000


def unknown_payment(listing: Listing, share: float) -> Listing:
    if listing.platform not in NULL_PAYMENT or not chosen(
        listing.platform, listing.listing_id, share, "unknown_payment"
    ):
        return listing
    return replace(listing, prakerja_payment=None, payment_methods=())


def vary(listing: Listing, faults: dict) -> Listing:
    """The listing as the listing-level faults (kind -> fault) show it."""
    if not isinstance(listing, Listing):
        return listing
    if "unknown_payment" in faults:
        listing = unknown_payment(listing, faults["unknown_payment"]["share"])
    empty = faults.get("empty_title")
    if empty and chosen(listing.platform, listing.listing_id, empty["share"], "title"):
        listing = replace(listing, title="")
    if "id_case" in faults:
        listing = replace(listing, listing_id=f" {listing.listing_id.swapcase()} ")
    return listing


def shown_page(number: int, faults: dict) -> tuple[int, int]:
    """(page number the page says it is, page whose listings it shows)."""
    if "paging" in faults:
        page = int(faults["paging"]["page"])
        return page, page
    if "duplicate_pages" in faults and number >= 2:
        return number, number - 1
    return number, number


def deep_json(depth: int) -> bytes:
    """A JSON envelope whose data is ``depth`` nested arrays."""
    return b'{"status":true,"code":200,"data":' + b"[" * depth + b"]" * depth + b"}"


def listing_faults(by_kind: dict) -> dict:
    """The listing-level faults among those applied (kind -> fault)."""
    return {k: f for k, f in by_kind.items() if k in LISTING_KINDS}


def cache_key(faults: dict) -> tuple:
    return tuple(sorted((k, repr(sorted(f.items()))) for k, f in faults.items()))


def redirect(slug: str, base: str, fault: dict) -> Response:
    """A 302 to the platform's listing page 1 (or the fault's ``location`` path)."""
    location = base + fault.get("location", LISTING_PAGE_1[slug])
    return Response(302, "text/html; charset=utf-8", b"", (("Location", location),))


def transform(response: Response, by_kind: dict) -> Response:
    """A rendered response with the body-level faults applied."""
    from replica.surface import surface

    deep = by_kind.get("deep_json")
    if deep and response.status == 200:
        if "json" in response.content_type:
            body = deep_json(int(deep["depth"]))
        else:
            body = deep_ld_json(response.body, int(deep["depth"]))
        response = replace(response, body=body)
    if "surface" in by_kind and response.status == 200:
        response = replace(response, body=surface(response.body, response.content_type))
    return response


def deep_ld_json(body: bytes, depth: int) -> bytes:
    """An HTML page whose JSON in scripts is ``depth`` nested arrays."""
    nested = b"[" * depth + b"]" * depth
    marker = b'<script type="application/ld+json">'
    start = body.find(marker)
    if start < 0:
        return body.replace(
            b"</body>", b"<script>window.__deep=" + nested + b";</script></body>"
        )
    end = body.find(b"</script>", start)
    return body[: start + len(marker)] + nested + body[end:]
