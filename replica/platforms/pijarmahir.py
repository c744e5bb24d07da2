"""Pijar Mahir pages: a JS shell page and the JSON REST API (list and detail)."""

from __future__ import annotations

import json
import re
from functools import lru_cache

from replica.model import Listing, Page, Response
from replica.platforms._pagekit import (
    DATA,
    JSON,
    esc,
    html_response,
    json_response,
    listing_page,
    positive_int,
    sample_text,
    split,
    stable_int,
)

SLUG = "pijarmahir"
PAGE_SIZE = 8
LIST = "/api/v1/courses"
DETAIL = re.compile(r"^/api/v1/courses/(\d+)$")
SHELLS = re.compile(r"^/(?:category/kartu-prakerja|course/\d+)$")
CODES = {
    "Kartu Prakerja": "PRAKERJA",
    "LinkAja": "LINKAJA",
    "Mandiri Virtual Account": "VA_MANDIRI",
    "BNI Virtual Account": "VA_BNI",
    "Kartu Kredit": "CC",
}
REDEEM = (
    "1. Di website Pijar Mahir (https://pijarmahir.id/), klik menu profil (nama anda) "
    "pada pojok kanan atas kemudian klik menu Voucher Saya dan klik Salin Kode."
)


def page_kind(path_qs: str) -> str | None:
    path, _ = split(path_qs)
    if path == LIST or DETAIL.match(path):
        return "api"
    return "listing" if path == "/category/kartu-prakerja" else None


def render(path_qs: str, ctx) -> Response | None:
    path, params = split(path_qs)
    if SHELLS.match(path):
        return html_response(_shell(ctx.base))
    found = DETAIL.match(path)
    if path != LIST and not found:
        return None
    accept = getattr(ctx, "headers", {}).get("accept", "")
    if JSON not in accept:
        return _error(406, "Not Acceptable: send Accept: application/json")
    if found:
        item = ctx.lookup(found.group(1))
        if item is None or isinstance(item, int):
            return _error(item or 404, "course not found")
        return _ok(_detail(item, ctx.variant == "v2"))
    page_no = positive_int(params.get("page"), 1)
    limit = positive_int(params.get("limit"), PAGE_SIZE)
    if page_no is None or limit is None or limit > 50:
        return _error(400, "page and limit must be positive (limit at most 50)")
    if params.get("category", "kartu-prakerja") != "kartu-prakerja":
        page = Page(page_no, limit, 0, ())
    else:
        page = listing_page(ctx, page_no, limit)
    return _ok(_list(page, ctx.variant == "v2"))


def _ok(data: dict) -> Response:
    return _envelope(200, "success", data)


def _error(code: int, message: str) -> Response:
    return _envelope(code, message, None)


def _envelope(code: int, message: str, data) -> Response:
    value = {"status": code == 200, "code": code, "message": message, "data": data}
    return json_response(value, code)


@lru_cache(maxsize=1)
def _samples() -> dict[str, dict]:
    """The raw courses of the sample files by id (detail files where present)."""
    listed = json.loads(sample_text(SLUG, "api_courses_p1.json"))
    raw = {str(c["id"]): c for c in listed["data"]["courses"]}
    for path in (DATA / SLUG).glob("api_course_*.json"):
        data = json.loads(sample_text(SLUG, path.name))["data"]
        raw[str(data["id"])] = data
    return raw


def _raw(item: Listing) -> dict:
    return _samples().get(item.listing_id, {}) if "sample" in item.extra else {}


def _course(item: Listing, v2: bool) -> dict:
    raw = _raw(item)
    quirks = ("", "", "", "", "", "", "", "", " .", " -")
    quirk = quirks[stable_int(item.listing_id, 10)]
    minutes = 240 + 30 * stable_int(item.listing_id, 9) + 280 * len(item.components)
    mode = ("Pembelajaran Mandiri", "Webinar")[stable_int(item.listing_id, 3) == 0]
    code = re.sub(r"[^A-Z]", "", (item.provider or "PM").upper())[:3]
    rated = item.rating if item.rating is not None else 0
    course = {
        "id": int(item.listing_id),
        "fullname": item.title,
        "teacher": raw.get("teacher", f"{item.provider}{quirk}"),
        "price": item.price_idr,
        "originalPrice": item.list_price_idr,
        "rating": raw["rating"] if raw.get("rating") == rated else rated,
        "totalRater": item.rating_count or 0,
        "duration": raw.get("duration", f"{minutes} menit"),
        "coursetype": item.bundle_label or raw.get("coursetype", mode),
        "category_name": "kartu-prakerja",
        "subcategory_name": item.category,
        "isPackage": item.bundle_label is not None,
        "classStatus": "open" if item.available else "closed",
        "thumbnail": raw.get(
            "thumbnail",
            "https://cdn.pijarmahir.id/pijarmahir/course/PM-PRA-"
            f"{code}-{stable_int(item.listing_id, 1000):03d}.jpg",
        ),
    }
    if v2:
        course["title"] = course.pop("fullname")
    return course


def _list(page: Page, v2: bool) -> dict:
    courses = [_course(item, v2) for item in page.listings]
    pagination = {
        "page": page.number,
        "limit": page.size,
        "total": page.total,
        "totalPage": -(-page.total // page.size),
    }
    return {"items" if v2 else "courses": courses, "pagination": pagination}


def _detail(item: Listing, v2: bool) -> dict:
    raw = _raw(item)
    detail = _course(item, v2)
    detail["summary"] = raw.get(
        "summary",
        f"<p>{esc(item.title)}.</p><p><b>Panduan Redeem Voucher Lembaga "
        f"{esc(item.provider)}</b> {REDEEM}</p>",
    )
    detail["packageItems"] = _package(item, detail["teacher"], raw)
    methods = None
    if item.prakerja_payment is not None:
        methods = [
            {"code": CODES.get(name, name.upper()), "name": name, "group": group}
            for group, name in item.payment_methods
        ]
    if v2:
        detail["payment"] = {"methods": methods}
    else:
        detail["paymentMethods"] = methods
    detail["enrolledusers"] = raw.get("enrolledusers", 10 + stable_int(item.slug, 900))
    detail["updated_at"] = f"{item.updated_at}T10:15:00+07:00"
    return detail


def _package(item: Listing, teacher: str, raw: dict) -> list[dict]:
    if not item.bundle_label:
        return []
    given = raw.get("packageItems")
    if given and [p["fullname"] for p in given] == list(item.components):
        return given
    prices = item.extra.get("component_prices") or [0] * len(item.components)
    return [
        {
            "id": int(item.listing_id) * 10 + k,
            "fullname": name,
            "teacher": teacher,
            "price": price,
        }
        for k, (name, price) in enumerate(zip(item.components, prices, strict=True))
    ]


def _shell(base: str) -> str:
    config = {"apiBaseUrl": f"{base}/api/v1", "pageLimit": PAGE_SIZE}
    config = json.dumps(config, separators=(",", ":"))
    return (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"><meta '
        'name="viewport" content="width=device-width,initial-scale=1">\n<title>Kartu '
        f'Prakerja | Pijar Mahir</title><link href="{esc(base)}/css/app.3f1c2a9e.css" '
        'rel="stylesheet"></head>\n<body><noscript><strong>Maaf, Pijar Mahir '
        "membutuhkan JavaScript. Aktifkan JavaScript untuk melanjutkan.</strong>"
        '</noscript>\n<div id="app"></div>\n'
        f"<script>window.__PM_CONFIG__={config};</script>\n"
        f'<script src="{esc(base)}/js/chunk-vendors.8d2b6f01.js"></script><script '
        f'src="{esc(base)}/js/app.5e77a0c4.js"></script>\n</body></html>\n'
    )
