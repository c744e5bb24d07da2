"""Contract parsing for the replica tests: README section 2 rules, HTTP fetches."""

from __future__ import annotations

import html
import http.client
import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

FIXTURES = Path(__file__).parent / "fixtures"
PREFIX = "http://127.0.0.1:8400"
KW = re.compile(
    r"(?i)\bpaket\s+(?:pelatihan|kelas|kursus|belajar|hemat|lengkap|komplit)\b"
    r"|\bbundl(?:e|ing)\b|^\s*paket\b"
)


def expected(slug: str) -> dict:
    return json.loads((FIXTURES / slug / "expected.json").read_text("utf-8"))


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


def clean(value: str | None) -> str | None:
    """Unescape, drop tags, collapse whitespace, strip."""
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


def item(platform: str, **fields) -> dict:
    """A normalized item (README section 2) from raw fields, keys in README order."""
    title = clean(fields["title"])
    keywords = [m.group(0).strip() for m in KW.finditer(title)]
    components = [clean(c) for c in fields.get("components", [])]
    label = fields.get("bundle_label")
    price, original = fields["price_idr"], fields.get("list_price_idr")
    return {
        "platform": platform,
        "listing_id": fields["listing_id"],
        "url": fields["url"],
        "title": title,
        "provider": clean(fields.get("provider")),
        "price_idr": price,
        "list_price_idr": None if original == price else original,
        "bundle_label": label,
        "bundle_keywords": keywords,
        "components": components,
        "is_bundle": label is not None or bool(keywords) or len(components) >= 2,
        "payment_methods": [clean(m) for m in fields.get("payment_methods", [])],
        "prakerja_payment": fields.get("prakerja_payment"),
        "prakerja_evidence": fields.get("prakerja_evidence", []),
        "available": fields["available"],
        "category": clean(fields.get("category")),
        "rating": fields.get("rating"),
        "rating_count": fields.get("rating_count"),
    }


def as_prefix(value, base: str, slug: str):
    """Swap a served base for the prefix-mode base expected.json assumes."""
    text = json.dumps(value)
    return json.loads(text.replace(base, f"{PREFIX}/{slug}"))
