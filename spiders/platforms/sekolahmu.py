"""Sekolah.mu: every item comes from the Nuxt state on the listing pages."""

from __future__ import annotations

import json
import re

import json5
import scrapy

from spiders.base import LayoutChanged
from spiders.paged import ListingPage, PagedSpider, Truncated
from storage.fold import same

NUXT = re.compile(r"^window\.__NUXT__=(\{.*\});?\s*$", re.S)
# A string literal (kept as is) or an unquoted identifier key (to be quoted).
TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|(?<=[{,])(\s*)([A-Za-z_$][\w$]*)(\s*:)')
NUXT_SCRIPT = '//script[starts-with(normalize-space(.), "window.__NUXT__")]/text()'
PROGRAM_KEYS = {"id", "slug", "name"}


class SekolahmuSpider(PagedSpider):
    name = "sekolahmu"
    real_base = "https://www.sekolah.mu"

    def listing_request(self, page: int) -> scrapy.Request:
        query = f"?page={page}" if page > 1 else ""
        url = self.url("/kartuprakerja/" + query)
        return scrapy.Request(url, self.parse, cb_kwargs={"page": page})

    def decode(self, response) -> dict:
        """The page's Nuxt state object."""
        if not self.html_complete(response):
            raise Truncated("no </html>")
        script = (response.xpath(NUXT_SCRIPT).get() or "").strip()
        if not script or script.partition("=")[2].lstrip().startswith("(function"):
            raise LayoutChanged("no window.__NUXT__={...} state")
        match = NUXT.search(script)
        state = parse_state(match.group(1)) if match else None
        if state is None:
            raise Truncated("incomplete __NUXT__")
        return state

    def entries(self, response, state: dict) -> ListingPage:
        s = (state.get("state") or {}).get("prakerja") or {}
        paging, programs = s.get("pagination"), s.get("programs")
        if not isinstance(paging, dict) or "lastPage" not in paging:
            raise LayoutChanged("no state.prakerja.pagination")
        if not isinstance(programs, list) or any(
            PROGRAM_KEYS - p.keys() for p in programs
        ):
            raise LayoutChanged("program without id/slug/name")
        return ListingPage(
            programs,
            ids=[str(p["id"]) for p in programs],
            shown=paging.get("page"),
            total=paging.get("total"),
            pages=paging["lastPage"],
        )

    def follow(self, response, p: dict) -> dict:
        options = p.get("paymentOptions")
        prakerja = (
            None
            if options is None
            else any(
                same(o.get("code"), "PRAKERJA") and o.get("enabled") is True
                for o in options
            )
        )
        bundle = same(p.get("type"), "bundle")
        price, normal = p.get("price"), p.get("normalPrice")
        return self.item(
            response,
            listing_id=str(p["id"]),
            url=self.url(f"/program/{p['slug']}"),
            title=p.get("name"),
            provider=(p.get("provider") or {}).get("name"),
            price=price,
            list_price=normal if (normal or 0) > (price or 0) else None,
            bundle_label="bundle" if bundle else None,
            components=[c.get("title") for c in p.get("courses") or []]
            if bundle
            else [],
            payment_methods=[o.get("label") for o in options or [] if o.get("enabled")],
            prakerja_payment=prakerja,
            prakerja_evidence=["payment_flag:PRAKERJA=enabled"] if prakerja else [],
            available=bool(p.get("isActive")),
            category=(p.get("category") or {}).get("name"),
            rating=p.get("rating"),
            rating_count=p.get("reviewCount"),
        )


def parse_state(literal: str) -> dict | None:
    """The Nuxt state object literal: unquoted keys quoted, then ``json`` (fast);
    ``json5`` for anything beyond the contract's grammar; None when cut short."""
    as_json = TOKEN.sub(
        lambda m: m.group(0) if m.group(2) is None else f'{m[1]}"{m[2]}"{m[3]}',
        literal,
    )
    try:
        return json.loads(as_json)
    except ValueError:
        pass
    try:
        return json5.loads(literal)
    except ValueError:
        return None
