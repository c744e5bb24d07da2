"""Pijar Mahir: the JSON list API gives ids and pages, the JSON detail API the item."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import scrapy

from spiders.base import GONE_STATUSES, TOO_DEEP, PagedSpider
from storage.fold import fold

LIST_PATH = "/api/v1/courses?category=kartu-prakerja&page={page}&limit=8"
DETAIL_PATH = "/api/v1/courses/{id}"
# The replica (like the SPA's API) answers 406 without this header.
HEADERS = {"Accept": "application/json"}
_TRAILING = re.compile(r"\s+[.\-]$")  # the clone's "Vokraf ." / "Cariilmu -"


class PijarmahirSpider(PagedSpider):
    name = "pijarmahir"
    real_base = "https://pijarmahir.id"

    async def start(self):
        yield self.listing_request(1)

    def listing_request(self, page: int) -> scrapy.Request:
        url = self.url(LIST_PATH.format(page=page))
        return scrapy.Request(
            url, self.parse, headers=HEADERS, cb_kwargs={"page": page}
        )

    def envelope(self, response):
        """(data, None) for a good envelope, else (None, retry requests)."""
        body = self.json_body(response)
        if body is TOO_DEEP:
            return None, iter(())
        if not isinstance(body, dict):
            return None, self.retry_truncated(response, "JSON does not decode")
        if body.get("status") is not True or body.get("code") != 200:
            return None, self.retry_page(response, f"status {body.get('status')!r}")
        return body.get("data"), None

    def parse(self, response, page: int = 1):
        data, retry = self.envelope(response)
        if retry is not None:
            yield from retry
            return
        courses = data.get("courses") if isinstance(data, dict) else None
        paging = data.get("pagination") if isinstance(data, dict) else None
        if not isinstance(paging, dict) or "totalPage" not in paging:
            self.layout_mismatch(response, "no data.pagination.totalPage")
            return
        if not isinstance(courses, list):
            self.layout_mismatch(response, "no data.courses")
            return
        if any("id" not in c or "fullname" not in c for c in courses):
            self.layout_mismatch(response, "course without id/fullname")
            return
        ids = [str(c["id"]) for c in courses]
        if not self.listing_seen(
            response, page, paging.get("page"), ids, paging.get("total")
        ):
            return
        if paging.get("page") == 1:
            yield from self.schedule_pages(paging["totalPage"], self.listing_request)
        if not courses and not paging.get("total"):
            self.listing_empty(response)
        self.reached_page()
        for course in courses:
            url = self.url(DETAIL_PATH.format(id=course["id"]))
            meta = {
                "listing_id": str(course["id"]),
                "handle_httpstatus_list": list(GONE_STATUSES),
            }
            yield scrapy.Request(
                url,
                self.parse_detail,
                headers=HEADERS,
                meta=meta,
                errback=self.detail_failed,
            )

    def parse_detail(self, response):
        if self.removed(response):
            return
        d, retry = self.envelope(response)
        if retry is not None:
            yield from retry
            return
        if not isinstance(d, dict) or "fullname" not in d or "id" not in d:
            self.layout_mismatch(response, "no data.fullname/id")
            return
        if str(d["id"]) != urlsplit(response.url).path.rstrip("/").rsplit("/", 1)[-1]:
            self.layout_mismatch(response, f"id {d['id']} is not the URL's")
            return
        methods = d.get("paymentMethods")
        prakerja = None
        if isinstance(methods, list):
            prakerja = any(fold(m.get("code")) == "PRAKERJA" for m in methods)
        yield self.item(
            response,
            listing_id=str(d["id"]).strip(),
            url=self.url(f"/course/{d['id']}"),
            title=d["fullname"],
            provider=_TRAILING.sub("", (d.get("teacher") or "").strip()) or None,
            price=d.get("price"),
            list_price=d.get("originalPrice"),
            bundle_label=d.get("coursetype") if d.get("isPackage") else None,
            components=[x.get("fullname") for x in d.get("packageItems") or []],
            payment_methods=[m.get("name") for m in methods or []],
            prakerja_payment=prakerja,
            prakerja_evidence=["payment_method:PRAKERJA"] if prakerja else [],
            available=fold(d.get("classStatus")) == "open",
            category=d.get("subcategory_name"),
            rating=d.get("rating"),
            rating_count=d.get("totalRater"),
        )
