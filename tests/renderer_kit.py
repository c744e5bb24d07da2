"""Test helpers for the page renderers: a fake replica context and README §2 rules."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from replica.model import Listing, Page

FIXTURES = Path(__file__).parent / "fixtures"
KW = re.compile(
    r"(?i)\bpaket\s+(?:pelatihan|kelas|kursus|belajar|hemat|lengkap|komplit)\b"
    r"|\bbundl(?:e|ing)\b|^\s*paket\b"
)
TRICKY_TITLE = '<b>Kelas & "Tes"</b> \u2028 </script>'


@dataclass
class FakeContext:
    """Serves a fixed list of listings; ``total`` may exceed it to fake more pages."""

    listings: list[Listing]
    base: str = "http://127.0.0.1:8400/x"
    as_of: str = "2020-07-08"
    variant: str = "v1"
    empty: bool = False
    total: int | None = None
    gone: dict[str, int] = field(default_factory=dict)

    def page(self, number: int, size: int) -> Page:
        start = (number - 1) * size
        chosen = tuple(self.listings[start : start + size])
        total = len(self.listings) if self.total is None else self.total
        return Page(number=number, size=size, total=total, listings=chosen)

    def lookup(self, listing_id: str) -> Listing | int | None:
        if listing_id in self.gone:
            return self.gone[listing_id]
        for listing in self.listings:
            if listing.listing_id == listing_id:
                return listing
        return None

    def lookup_slug(self, slug: str) -> Listing | int | None:
        for listing in self.listings:
            if listing.slug == slug:
                return listing
        return None


def fixture_text(slug: str, name: str) -> str:
    return (FIXTURES / slug / name).read_text(encoding="utf-8")


def expected(slug: str) -> dict:
    return json.loads(fixture_text(slug, "expected.json"))


def clean(value: str | None) -> str | None:
    """README §2 text rule: unescape, drop tags, collapse whitespace, strip."""
    if value is None:
        return None
    text = html.unescape(re.sub(r"<[^>]*>", " ", value))
    return re.sub(r"\s+", " ", text).strip()


def parse_idr(text: str) -> int:
    text = text.replace("\xa0", " ").strip().lower()
    if text == "gratis":
        return 0
    text = re.sub(r"^rp\.?\s*", "", text)
    text = re.sub(r"(?:,-|,00)$", "", text).strip()
    unit = re.match(r"^([\d.,]+)\s*(jt|juta|rb|ribu)$", text)
    if unit:
        scale = 10**6 if unit.group(2) in ("jt", "juta") else 10**3
        return round(float(unit.group(1).replace(".", "").replace(",", ".")) * scale)
    return int(text.replace(".", ""))


def item(platform: str, listing_id: str, url: str, **fields) -> dict:
    """A normalized item in expected.json key order, with the derived fields."""
    title = fields["title"]
    keywords = [m.group(0).strip() for m in KW.finditer(title)]
    components = fields["components"]
    list_price = fields["list_price_idr"]
    if list_price == fields["price_idr"]:
        list_price = None
    rating_count = fields["rating_count"]
    rating = fields["rating"] if rating_count else None
    return {
        "platform": platform,
        "listing_id": listing_id,
        "url": url,
        "title": title,
        "provider": fields["provider"],
        "price_idr": fields["price_idr"],
        "list_price_idr": list_price,
        "bundle_label": fields["bundle_label"],
        "bundle_keywords": keywords,
        "components": components,
        "is_bundle": fields["bundle_label"] is not None
        or bool(keywords)
        or len(components) >= 2,
        "payment_methods": fields["payment_methods"],
        "prakerja_payment": fields["prakerja_payment"],
        "prakerja_evidence": fields["prakerja_evidence"],
        "available": fields["available"],
        "category": fields["category"],
        "rating": None if rating is None else float(rating),
        "rating_count": rating_count,
    }


def listing_from_item(data: dict, payment_methods, slug: str, **extra) -> Listing:
    """A Listing carrying exactly the values of an expected.json item."""
    return Listing(
        platform=data["platform"],
        listing_id=data["listing_id"],
        slug=slug,
        title=data["title"],
        provider=data["provider"],
        price_idr=data["price_idr"],
        list_price_idr=data["list_price_idr"],
        is_bundle=data["is_bundle"],
        bundle_label=data["bundle_label"],
        components=tuple(data["components"]),
        payment_methods=tuple(payment_methods),
        prakerja_payment=data["prakerja_payment"],
        available=data["available"],
        category=data["category"],
        rating=data["rating"],
        rating_count=data["rating_count"],
        extra=extra,
    )
