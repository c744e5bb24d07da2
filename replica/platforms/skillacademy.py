"""Skill Academy's real discovery search API (JSON behind a gRPC gateway, Cloudflare).

``Listing.extra`` keys read (optional):
- ``item``: a captured API item (dict) to reproduce verbatim.
- ``sample``: a sample file name in ``replica/data/skillacademy/``; without ``item``,
  the item whose ``courseSerial`` is the listing id is taken from it.
A captured item keeps its keys, key order and raw values (courseDescription HTML,
instructors, imageUrl, createdAt, ...); only the values the Listing disagrees with
are replaced: courseName, courseSerial, slug, price, basePrice, instructors[0].name,
rating, totalRating, transactional, categories, tags (``TAG-PRAKERJA`` iff
``prakerja_payment``) and courseDescription (``Listing.description`` when set, as
HTML). ``updatedAt`` stays verbatim while its date equals ``Listing.updated_at``;
it becomes the captured ``createdAt`` when ``updated_at`` is that date; a zero
``0001-01-01`` stamp stays while ``updated_at == created_at``.
Without a captured item a plausible one is generated: ``Listing.description`` is
then plain text, and the components are written in the real "Kelas ini terdiri dari
beberapa course, yaitu : <br> a) ..." pattern.

The description's policy point ("Sesuai kebijakan ... tidak dapat dibeli
menggunakan Kartu Prakerja") follows the Listing: it is removed while the item is
payable with Kartu Prakerja and added to a non-payable bundle from the halt on.
"""

from __future__ import annotations

import copy
import html
import json
import re
import string
from functools import lru_cache

from replica.model import Listing, Page, Response
from replica.platforms._pagekit import (
    CHANGE,
    listing_page,
    positive_int,
    sample_text,
    split,
    stable_int,
)

SLUG = "skillacademy"
PAGE_SIZE = 20
MAX_PAGE_SIZE = 50

SEARCH_PATHS = ("/api/skillacademy/discovery/search", "/skillacademy/discovery/search")
HEADERS = (("grpc-metadata-content-type", "application/grpc"), ("server", "cloudflare"))
TAG = "TAG-PRAKERJA"
S3 = "https://skillacademy-prod.s3.ap-southeast-1.amazonaws.com/offline-marketplace"
POLICY = re.compile(
    r"\s*<br>\s*\d+\.\s*Sesuai kebijakan Manajemen Pelaksana Program Kartu Prakerja"
    r"(?:(?!<br>).)*",
    re.S,
)
POLICY_TEXT = (
    "Sesuai kebijakan Manajemen Pelaksana Program Kartu Prakerja tanggal 30 Juni "
    "2020, paket pelatihan ini tidak dapat dibeli menggunakan Kartu Prakerja. "
    "Pembayaran tersedia melalui transfer bank, ATM, kartu kredit, dan e-money."
)
REFUND_TEXT = (
    "<br><br> <b> PERHATIAN </b> <br> 1. Jika terjadi kesalahan dalam pembelian, "
    "pihak Skill Academy tidak melayani pengembalian dana (refund) dengan alasan "
    "apapun"
)


def page_kind(path_qs: str) -> str | None:
    path, _ = split(path_qs)
    return "api" if path in SEARCH_PATHS else None


def render(path_qs: str, ctx) -> Response | None:
    if page_kind(path_qs) != "api":
        return None
    _, params = split(path_qs)
    number = positive_int(params.get("page"), 1)
    size = positive_int(params.get("pageSize"), PAGE_SIZE)
    if number is None or size is None or size > MAX_PAGE_SIZE:
        return _error(400, 3, "invalid page or pageSize: pageSize must be 1..50")
    if params.get("searchQuery", "").strip().lower() != "prakerja":
        page = Page(number=number, size=size, total=0, listings=())
    else:
        page = listing_page(ctx, number, size)
    items = [_item(ctx, listing) for listing in page.listings]
    total_pages = -(-page.total // size)
    if ctx.variant == "v2":
        for entry in items:
            _rename_key(entry, "tags", "tagSerials")
        pagination = {"page": number, "pageSize": size, "total": page.total}
        body = {"data": {"courses": items, "pagination": pagination}}
        body["status"] = "success"
    else:
        data = {"data": items, "page": number, "pageSize": size}
        data.update(recommendationID="v0", searchAlgoID="v3")
        data.update(totalCourse=page.total, totalPage=total_pages)
        body = {"data": data, "status": "success", "message": "success"}
    return _json(200, body)


def _json(status: int, body: dict) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(status, "application/json", text.encode("utf-8"), HEADERS)


def _error(status: int, code: int, message: str) -> Response:
    return _json(status, {"code": code, "message": message, "details": []})


def _rename_key(entry: dict, old: str, new: str) -> None:
    """Rename a key in place, keeping its position."""
    items = [(new if key == old else key, value) for key, value in entry.items()]
    entry.clear()
    entry.update(items)


def timestamp(date: str, seed: str) -> str:
    """A gateway-style timestamp on ``date``, with a time derived from ``seed``."""
    seconds = stable_int(f"{seed}/{date}", 86_400)
    micros = stable_int(f"{date}/{seed}", 1_000_000)
    hh, rest = divmod(seconds, 3600)
    return f"{date} {hh:02d}:{rest // 60:02d}:{rest % 60:02d}.{micros:06d} +0000 UTC"


def _description(ctx, listing: Listing, raw: dict, captured: bool) -> str:
    if captured:
        text = listing.description or raw.get("courseDescription", "")
    else:
        text = html.escape(listing.description or "Belajar mandiri melalui video")
        text += "<br>Platform: Aplikasi dan website Skill Academy"
        if listing.components:
            text += "<br><br> Kelas ini terdiri dari beberapa course, yaitu :"
            for letter, name in zip(
                string.ascii_lowercase, listing.components, strict=False
            ):
                text += f" <br> {letter}) {html.escape(name, quote=False)}"
            text += "."
        text += REFUND_TEXT
    if listing.prakerja_payment:
        return POLICY.sub("", text)
    policy_due = listing.is_bundle and ctx.as_of >= CHANGE
    if policy_due and listing.prakerja_payment is False and not POLICY.search(text):
        points = re.findall(r"<br>\s*(\d+)\.", text.rsplit("PERHATIAN", 1)[-1])
        number = max(map(int, points), default=0) + 1
        text += f" <br> {number}. {POLICY_TEXT}"
    return text


def _category_of(raw: dict) -> str | None:
    categories = raw.get("categories") or []
    if not categories:
        return None
    first = categories[0]
    return first.get("name") if isinstance(first, dict) else first


@lru_cache(maxsize=8)
def _sample_items(name: str) -> dict[str, dict]:
    envelope = json.loads(sample_text(SLUG, name))
    return {raw["courseSerial"]: raw for raw in envelope["data"]["data"]}


def _captured(listing: Listing) -> dict | None:
    if "item" in listing.extra:
        return listing.extra["item"]
    name = listing.extra.get("sample")
    if name and name.endswith(".json"):
        return _sample_items(name).get(listing.listing_id)
    return None


def _updated_at(listing: Listing, raw: dict) -> str:
    updated = raw.get("updatedAt", "")
    if updated[:10] == listing.updated_at:
        return updated
    if raw.get("createdAt", "")[:10] == listing.updated_at:
        return raw["createdAt"]
    if updated.startswith("0001-01-01") and listing.updated_at == listing.created_at:
        return updated
    return timestamp(listing.updated_at, listing.listing_id)


def _item(ctx, listing: Listing) -> dict:
    captured = _captured(listing)
    raw = copy.deepcopy(captured or _generated(listing))
    values = {
        "basePrice": listing.list_price_idr or listing.price_idr,
        "courseDescription": _description(ctx, listing, raw, captured is not None),
        "courseName": listing.title,
        "courseSerial": listing.listing_id,
        "price": listing.price_idr,
        "rating": listing.rating if listing.rating is not None else 0,
        "slug": listing.slug,
        "totalRating": listing.rating_count or 0,
        "transactional": "TRANSACTIONABLE_YES"
        if listing.available
        else "TRANSACTIONABLE_NO",
    }
    for key, value in values.items():
        if raw.get(key) != value:
            raw[key] = value
    tags = [tag for tag in raw.get("tags", []) if tag != TAG]
    if listing.prakerja_payment:
        tags.insert(0, TAG)
    if raw.get("tags") != tags:
        raw["tags"] = tags
    if _category_of(raw) != listing.category:
        raw["categories"] = [] if listing.category is None else [listing.category]
    instructors = raw.get("instructors") or []
    if listing.provider is None:
        raw["instructors"] = []
    elif not instructors or instructors[0].get("name") != listing.provider:
        first = instructors[0] if instructors else _instructor("")
        raw["instructors"] = [{**first, "name": listing.provider}, *instructors[1:]]
    if raw.get("updatedAt") != _updated_at(listing, raw):
        raw["updatedAt"] = _updated_at(listing, raw)
    return raw


def _instructor(name: str) -> dict:
    return {"description": "", "jobTitle": "", "name": name, "profilePicture": ""}


def _generated(listing: Listing) -> dict:
    """An item in the real field order for a listing without a captured one."""
    merchant = stable_int(listing.provider or listing.listing_id, 36**8)
    serial = ""
    for _ in range(8):
        merchant, digit = divmod(merchant, 36)
        serial += (string.digits + string.ascii_uppercase)[digit]
    return {
        "basePrice": 0,
        "categories": [],
        "courseDescription": "",
        "courseName": "",
        "courseSerial": "",
        "createdAt": timestamp(listing.created_at, listing.listing_id),
        "imageUrl": f"{S3}/{listing.slug}.jpg",
        "instructors": [],
        "introductionVideoThumbnailURL": "",
        "introductionVideoURL": "",
        "isSubscribed": False,
        "location": ["DKI JAKARTA", "KOTA JAKARTA SELATAN"],
        "marketType": "OFFLINE",
        "merchantSerial": f"MERC-{serial}",
        "price": 0,
        "rating": 0,
        "slug": "",
        "tags": [],
        "topics": [],
        "totalRating": 0,
        "transactional": "",
        "updatedAt": "",
    }
