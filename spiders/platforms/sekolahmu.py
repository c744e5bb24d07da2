"""Sekolah.mu: every item comes from the Nuxt state on the listing pages."""

from __future__ import annotations

import json
import re

import json5
import scrapy

from spiders.base import PagedSpider
from storage.fold import same

NUXT = re.compile(r"^window\.__NUXT__=(\{.*\});?\s*$", re.S)
# A string literal (kept as is) or an unquoted identifier key (to be quoted).
TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|(?<=[{,])(\s*)([A-Za-z_$][\w$]*)(\s*:)')
NUXT_SCRIPT = '//script[starts-with(normalize-space(.), "window.__NUXT__")]/text()'
PROGRAM_KEYS = {"id", "slug", "name"}


class SekolahmuSpider(PagedSpider):
    name = "sekolahmu"
    real_base = "https://www.sekolah.mu"

    async def start(self):
        yield self.listing_request(1)

    def listing_request(self, page: int) -> scrapy.Request:
        query = f"?page={page}" if page > 1 else ""
        url = self.url("/kartuprakerja/" + query)
        return scrapy.Request(url, self.parse, cb_kwargs={"page": page})

    def parse(self, response, page: int = 1):
        if not self.html_complete(response):
            yield from self.retry_truncated(response, "no </html>")
            return
        script = (response.xpath(NUXT_SCRIPT).get() or "").strip()
        if not script or script.partition("=")[2].lstrip().startswith("(function"):
            self.layout_mismatch(response, "no window.__NUXT__={...} state")
            return
        match = NUXT.search(script)
        state = parse_state(match.group(1)) if match else None
        if state is None:
            yield from self.retry_truncated(response, "incomplete __NUXT__")
            return
        s = (state.get("state") or {}).get("prakerja") or {}
        paging, programs = s.get("pagination"), s.get("programs")
        if not isinstance(paging, dict) or "lastPage" not in paging:
            self.layout_mismatch(response, "no state.prakerja.pagination")
            return
        if not isinstance(programs, list) or any(
            PROGRAM_KEYS - p.keys() for p in programs
        ):
            self.layout_mismatch(response, "program without id/slug/name")
            return
        ids = [str(p["id"]) for p in programs]
        if not self.listing_seen(
            response, page, paging.get("page"), ids, paging.get("total")
        ):
            return
        if paging.get("page") == 1:
            yield from self.schedule_pages(paging["lastPage"], self.listing_request)
        if not programs and not paging.get("total"):
            self.listing_empty(response)
        self.reached_page()
        for program in programs:
            yield self.program_item(response, program)

    def program_item(self, response, p: dict) -> dict:
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
