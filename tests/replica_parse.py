"""Helpers of the replica tests: README section 2 items, fetches, a fake context."""

from __future__ import annotations

import html
import http.client
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from replica.model import Listing, Page

FIXTURES = Path(__file__).parent / "fixtures"  # expected.json: what the samples hold
SAMPLES = Path(__file__).parent.parent / "replica" / "data"  # what the replica serves
PREFIX = "http://127.0.0.1:8400"
KW = re.compile(
    r"(?i)\bpaket\s+(?:pelatihan|kelas|kursus|belajar|hemat|lengkap|komplit)\b"
    r"|\bbundl(?:e|ing)\b|^\s*paket\b"
)
TRICKY_TITLE = '<b>Kelas & "Tes"</b> \u2028 </script>'


def fixture_text(slug: str, name: str) -> str:
    folder = FIXTURES if name == "expected.json" else SAMPLES
    return (folder / slug / name).read_text(encoding="utf-8")


def expected(slug: str) -> dict:
    return json.loads(fixture_text(slug, "expected.json"))


# -- README section 2 ------------------------------------------------------------


def clean(value: str | None) -> str | None:
    """CONTRACTS.md §2 text rule: unescape, drop tags, collapse whitespace, strip."""
    if value is None:
        return None
    text = html.unescape(re.sub(r"<[^>]*>", " ", value))
    return re.sub(r"\s+", " ", text).strip()


def parse_idr(text: str | int) -> int:
    if isinstance(text, int):
        return text
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
    """A normalized item in expected.json key order, with the derived fields
    (bundle_keywords, is_bundle; list_price_idr null when it is the price; rating
    null without a rating count). Text fields are taken as given."""
    title = fields["title"]
    keywords = [m.group(0).strip() for m in KW.finditer(title)]
    components = fields.get("components", [])
    label = fields.get("bundle_label")
    price, original = fields["price_idr"], fields.get("list_price_idr")
    rating_count = fields.get("rating_count")
    rating = fields.get("rating") if rating_count else None
    return {
        "platform": platform,
        "listing_id": listing_id,
        "url": url,
        "title": title,
        "provider": fields.get("provider"),
        "price_idr": price,
        "list_price_idr": None if original == price else original,
        "bundle_label": label,
        "bundle_keywords": keywords,
        "components": components,
        "is_bundle": label is not None or bool(keywords) or len(components) >= 2,
        "payment_methods": fields.get("payment_methods", []),
        "prakerja_payment": fields.get("prakerja_payment"),
        "prakerja_evidence": fields.get("prakerja_evidence", []),
        "available": fields["available"],
        "category": fields.get("category"),
        "rating": None if rating is None else float(rating),
        "rating_count": rating_count,
    }


def html_item(platform: str, listing_id: str, url: str, **fields) -> dict:
    """``item`` of fields read as HTML: text fields get the CONTRACTS.md §2 rule."""
    for key in ("title", "provider", "category"):
        fields[key] = clean(fields.get(key))
    for key in ("components", "payment_methods"):
        fields[key] = [clean(text) for text in fields.get(key, [])]
    return item(platform, listing_id, url, **fields)


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


# -- a running replica -----------------------------------------------------------


def fetch(url: str, headers: dict | None = None, timeout: float = 10):
    """(status, headers, body bytes) of a GET, errors included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def fetch_no_redirect(url: str, method: str = "GET"):
    """(status, headers) of one request without following redirects."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path)
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        connection.close()


def as_prefix(value, base: str, slug: str):
    """Swap a served base for the prefix-mode base expected.json assumes."""
    text = json.dumps(value)
    return json.loads(text.replace(base, f"{PREFIX}/{slug}"))


def check_sample_detail(replica, slug: str, want: dict, parse_detail) -> None:
    """The replica serves the sample item ``want`` (200) and ``parse_detail(body,
    base)`` reads it back as ``want``."""
    base = replica.base_urls[slug]
    path = want["url"].removeprefix(expected(slug)["base_url"])
    status, _, body = fetch(base + path)
    assert status == 200
    assert as_prefix(parse_detail(body, base), base, slug) == want


def check_listing_page_one(replica, slug: str, path: str, parse_listing):
    """Listing page 1 at ``path`` answers 200, shows the sample page's ids and counts
    the whole visible catalog; (``parse_listing(body)``, the sample's listing_pages
    entry, the body)."""
    want = expected(slug)["listing_pages"]["listing_p1.html"]
    status, _, body = fetch(replica.base_urls[slug] + path)
    page = parse_listing(body)
    visible = replica.truth()[slug]
    assert status == 200
    assert page["listing_ids"] == want["listing_ids"]
    assert page["total_count"] == len(visible)
    return page, want, body


def walk_pages(parse_page) -> list[dict]:
    """``parse_page(n)`` for n = 1, 2, ... up to the first page without a next."""
    pages = [parse_page(1)]
    while pages[-1]["has_next"]:
        pages.append(parse_page(len(pages) + 1))
    return pages


def check_pages_list_the_catalog_once(replica, slug: str, parse_page) -> list[dict]:
    """Listing pages 1, 2, ... (``parse_page(n)``) together list the visible catalog
    once, in order; the pages."""
    pages = walk_pages(parse_page)
    seen = [listing_id for page in pages for listing_id in page["listing_ids"]]
    assert seen == [row["listing_id"] for row in replica.truth()[slug]]
    return pages


# -- a renderer on its own -------------------------------------------------------


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

    def __post_init__(self) -> None:
        self.listings = list(self.listings)

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


def render_html(renderer, path_qs: str, ctx) -> str:
    """The body of the HTML page (200) ``renderer`` renders for ``path_qs``."""
    response = renderer.render(path_qs, ctx)
    assert response.status == 200
    assert response.content_type.startswith("text/html")
    return response.body.decode("utf-8")


def check_rendered_sample(renderer, ctx, data: dict, name: str, parse_detail) -> None:
    """``renderer`` renders the page of the sample item ``data`` (at its URL) byte for
    byte as the contract sample ``name``, and ``parse_detail(body, url)`` reads it
    back as ``data``."""
    body = render_html(renderer, data["url"].removeprefix(ctx.base), ctx)
    assert body == fixture_text(data["platform"], name)
    assert parse_detail(body, data["url"]) == data
