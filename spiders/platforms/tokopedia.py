"""Tokopedia: the Apollo cache of the listing gives ids, the HTML detail the item."""

from __future__ import annotations

import json
import re

from spiders.base import LayoutChanged
from spiders.html import HtmlCatalogSpider, text_of, texts_of
from storage.fold import fold, same

CACHE = re.compile(r"window\.__cache\s*=\s*(\{.*\})\s*;?\s*$", re.S)
REVIEWS = re.compile(r"\((\d+) ulasan\)")
GROUP, METHOD = "h3[data-testid=paymentGroupName]", "li[data-testid=paymentMethodName]"
BUNDLE_ITEM = "div[data-testid=pdpBundleSection] span[data-testid=lblBundleItemName]"
EVIDENCE = "payment_method:Program Pemerintah/Kartu Prakerja"
RATING_COUNTER = "span[data-testid=lblPDPDetailProductRatingCounter]"
TEXTS = {  # raw item field: the detail element whose text it is
    "provider": "a[data-testid=lblPDPPartnerName]",
    "price": "div[data-testid=lblPDPDetailProductPrice]",
    "list_price": "s[data-testid=lblPDPDetailOriginalPrice]",
    "bundle_label": "span[data-testid=lblPDPBundleLabel]",
    "category": "a[data-testid=lnkPDPCategory]",
    "rating": "span[data-testid=lblPDPDetailProductRatingNumber]",
}


def cache_of(response) -> dict | None:
    """The decoded ``window.__cache``; None when the statement is cut short."""
    script = response.xpath('//script[contains(., "window.__cache")]/text()').get()
    if script is None:
        raise LayoutChanged("no window.__cache")
    match = CACHE.search(script)
    try:
        cache = json.loads(match.group(1)) if match else None
    except ValueError:
        return None
    return cache if isinstance(cache, dict) else None


def product_list(cache: dict) -> tuple[dict, list[str]]:
    """L = ROOT_QUERY.prakerjaProductList(...) and its product ids, in order."""
    root = cache.get("ROOT_QUERY") or {}
    refs = [v for k, v in root.items() if k.startswith("prakerjaProductList(")]
    found = cache.get(refs[0].get("id")) if len(refs) == 1 else None
    if not isinstance(found, dict) or not {"totalData", "perPage"} <= found.keys():
        raise LayoutChanged("no ROOT_QUERY.prakerjaProductList(...)")
    products = [cache.get(r.get("id")) or {} for r in found.get("products") or []]
    if any("id" not in p for p in products):
        raise LayoutChanged("PrakerjaProduct without id")
    return found, [str(p["id"]) for p in products]


def review_count(counter: str | None):
    """ "(87 ulasan)" -> "87", "Belum ada ulasan" -> 0, absent -> None."""
    match = REVIEWS.search(fold(counter))
    if match:
        return match.group(1)
    return 0 if same(counter, "belum ada ulasan", casefold=True) else counter


class TokopediaSpider(HtmlCatalogSpider):
    name = "tokopedia"
    real_base = "https://www.tokopedia.com"
    listing_path = "/discovery/kartu-prakerja/"
    page_path = "/discovery/kartu-prakerja/?page={page}"
    detail_path = "/kartu-prakerja/pelatihan/{id}"
    detail_re = re.compile(r"/kartu-prakerja/pelatihan/(?P<id>\d+)/?$")

    def parse(self, response, page: int = 1):
        if not self.html_complete(response):
            yield from self.retry_truncated(response, "no </html>")
            return
        try:
            cache = cache_of(response)
            if cache is None:
                yield from self.retry_truncated(response, "bad __cache")
                return
            found, ids = product_list(cache)
            requests = [
                self.detail_request(i, self.detail_path.format(id=i)) for i in ids
            ]
        except LayoutChanged as exc:
            self.layout_mismatch(response, str(exc))
            return
        total = found["totalData"] or 0
        if not self.listing_seen(response, page, found.get("page"), ids, total):
            return
        if found.get("page") == 1:
            pages = -(-total // (found["perPage"] or 1))
            yield from self.schedule_pages(pages, self.listing_request)
        if not ids and not total:
            self.listing_empty(response)
        self.reached_page()
        yield from requests

    def detail_fields(self, response) -> dict:
        title = text_of(response.css("h1[data-testid=lblPDPDetailProductName]"))
        if title is None:
            raise LayoutChanged("no h1[data-testid=lblPDPDetailProductName]")
        pay = response.css("section[data-testid=pdpPaymentSection]")
        prakerja = None
        if pay:
            prakerja = any(
                same(text_of(g.css(GROUP)), "Program Pemerintah")
                and any(same(m, "Kartu Prakerja") for m in texts_of(g.css(METHOD)))
                for g in pay.css("div[data-testid=paymentGroup]")
            )
        buy = response.css("button[data-testid=btnPDPBuy]")
        counter = text_of(response.css(RATING_COUNTER))
        return {
            **{key: text_of(response.css(css)) for key, css in TEXTS.items()},
            "listing_id": response.css("main::attr(data-product-id)").get(),
            "title": title,
            "components": texts_of(response.css(BUNDLE_ITEM)),
            "payment_methods": texts_of(pay.css(METHOD)),
            "prakerja_payment": prakerja,
            "prakerja_evidence": [EVIDENCE] if prakerja else [],
            "available": bool(buy) and "disabled" not in buy.attrib,
            "rating_count": review_count(counter),
        }
