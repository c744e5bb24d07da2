"""Skill Academy: every item comes from the real JSON search API (no detail page)."""

from __future__ import annotations

import html
import re

import scrapy

from spiders.base import LayoutChanged
from spiders.paged import ErrorBody, ListingPage, PagedSpider
from storage.fold import same

SEARCH_PATH = (
    "/api/skillacademy/discovery/search"
    "?searchQuery=prakerja&page={page}&pageSize={size}"
)
COURSES = re.compile(r"(?i)terdiri dari beberapa course,?\s*yaitu\s*:")
BR = re.compile(r"(?i)<br\s*/?>")
TAG = re.compile(r"<[^>]*>")
LETTERED = re.compile(r"^([a-z])\s*\)\s*(.+)$", re.S)  # the real "a )" has a space


def components(description: str | None) -> list[str]:
    """The "a) … b) …" course list after "terdiri dari beberapa course, yaitu :"."""
    found = COURSES.search(description or "")
    if not found:
        return []
    names: list[str] = []
    for segment in BR.split(description[found.end() :]):
        text = html.unescape(TAG.sub("", segment)).strip()
        if not text and not names:
            continue
        match = LETTERED.match(text)
        if not match:
            break
        name = match.group(2).strip()
        names.append((name[:-1] if name.endswith(".") else name).strip())
    return names


def category(categories: list | None) -> str | None:
    first = (categories or [None])[0]
    if isinstance(first, dict):
        return first.get("name")
    return first if isinstance(first, str) else None


class SkillacademySpider(PagedSpider):
    name = "skillacademy"
    real_base = "https://skillacademy.com"
    page_size = 20

    def listing_request(self, page: int, size: int | None = None) -> scrapy.Request:
        path = SEARCH_PATH.format(page=page, size=size or self.page_size)
        return scrapy.Request(self.url(path), self.parse, cb_kwargs={"page": page})

    def decode(self, response):
        body = super().decode(response)
        if body.get("status") != "success":
            raise ErrorBody(f"status {body.get('status')!r}")
        return body

    def entries(self, response, body: dict) -> ListingPage:
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        entries = data.get("data")
        if not isinstance(entries, list) or "totalPage" not in data:
            raise LayoutChanged("no data.data/data.totalPage")
        if any("tags" not in e or "courseSerial" not in e for e in entries):
            raise LayoutChanged("item without tags/courseSerial")
        size = data.get("pageSize")
        return ListingPage(
            entries,
            ids=[e["courseSerial"] for e in entries],
            shown=data.get("page"),
            total=data.get("totalCourse"),
            pages=data["totalPage"],
            request_for=lambda page: self.listing_request(page, size),
        )

    def follow(self, response, c: dict) -> dict:
        prakerja = any(same(t, "TAG-PRAKERJA") for t in c.get("tags") or [])
        price, base = c.get("price"), c.get("basePrice")
        return self.item(
            response,
            listing_id=c["courseSerial"],
            url=self.url(f"/course/{c.get('slug')}"),
            title=c.get("courseName"),
            provider=((c.get("instructors") or [{}])[0]).get("name"),
            price=price,
            list_price=base if base != price else None,
            bundle_label=None,
            components=components(c.get("courseDescription")),
            payment_methods=[],
            prakerja_payment=prakerja,
            prakerja_evidence=["tag:TAG-PRAKERJA"] if prakerja else [],
            available=same(c.get("transactional"), "TRANSACTIONABLE_YES"),
            category=category(c.get("categories")),
            rating=c.get("rating"),
            rating_count=c.get("totalRating"),
        )
