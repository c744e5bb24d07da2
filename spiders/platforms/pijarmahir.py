"""Pijar Mahir: the JSON list API gives ids and pages, the JSON detail API the item."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import scrapy

from spiders.base import LayoutChanged
from spiders.paged import GONE_STATUSES, ErrorBody, ListingPage, PagedSpider, Unreadable
from storage.fold import fold

LIST_PATH = "/api/v1/courses?category=kartu-prakerja&page={page}&limit=8"
DETAIL_PATH = "/api/v1/courses/{id}"
# The replica (like the SPA's API) answers 406 without this header.
HEADERS = {"Accept": "application/json"}
_TRAILING = re.compile(r"\s+[.\-]$")  # the clone's "Vokraf ." / "Cariilmu -"


class PijarmahirSpider(PagedSpider):
    name = "pijarmahir"
    real_base = "https://pijarmahir.id"

    def listing_request(self, page: int) -> scrapy.Request:
        url = self.url(LIST_PATH.format(page=page))
        return scrapy.Request(
            url, self.parse, headers=HEADERS, cb_kwargs={"page": page}
        )

    def decode(self, response):
        """The envelope's ``data``; a bad status or code is an error body."""
        body = super().decode(response)
        if body.get("status") is not True or body.get("code") != 200:
            raise ErrorBody(f"status {body.get('status')!r}")
        return body.get("data")

    def entries(self, response, data) -> ListingPage:
        courses = data.get("courses") if isinstance(data, dict) else None
        paging = data.get("pagination") if isinstance(data, dict) else None
        if not isinstance(paging, dict) or "totalPage" not in paging:
            raise LayoutChanged("no data.pagination.totalPage")
        if not isinstance(courses, list):
            raise LayoutChanged("no data.courses")
        if any("id" not in c or "fullname" not in c for c in courses):
            raise LayoutChanged("course without id/fullname")
        return ListingPage(
            courses,
            ids=[str(c["id"]) for c in courses],
            shown=paging.get("page"),
            total=paging.get("total"),
            pages=paging["totalPage"],
        )

    def follow(self, response, course: dict) -> scrapy.Request:
        url = self.url(DETAIL_PATH.format(id=course["id"]))
        meta = {
            "listing_id": str(course["id"]),
            "handle_httpstatus_list": list(GONE_STATUSES),
        }
        return scrapy.Request(
            url,
            self.parse_detail,
            headers=HEADERS,
            meta=meta,
            errback=self.detail_failed,
        )

    def parse_detail(self, response):
        if self.removed(response):
            return
        try:
            d = self.decode(response)
        except Unreadable as exc:
            yield from self.retry_unreadable(response, exc)
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
