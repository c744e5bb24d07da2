"""Bukalapak: listing cards, then each detail page's JSON-LD Product and badge."""

from __future__ import annotations

import re

from spiders.base import LayoutChanged
from spiders.html import (
    HtmlCatalogSpider,
    method_fields,
    text_of,
    texts_of,
)
from storage.fold import fold

METHODS = "ul.c-product-payment-info__methods li.c-product-payment-info__method"


class BukalapakSpider(HtmlCatalogSpider):
    name = "bukalapak"
    real_base = "https://www.bukalapak.com"
    listing_path = "/kartu-prakerja"
    page_path = "/kartu-prakerja?page={page}"
    detail_path = "/p/kartu-prakerja/pelatihan/{id}-jual-{slug}"
    detail_re = re.compile(r"/(?P<id>[0-9a-z]+)-jual-(?P<slug>[a-z0-9-]+)$")
    page_size = 8
    total_css = "p.c-prakerja-page__result"
    total_re = re.compile(r"dari (\d+) pelatihan")
    empty_css = "p.c-prakerja-page__empty"
    current_css = "li.bl-pagination__item--active"

    def cards(self, response):
        name_link = "p.bl-product-card__description-name a::attr(href)"
        return [
            (card.attrib["data-product-id"], card.css(name_link).get())
            for card in response.css("div.bl-product-card[data-product-id]")
        ]

    def product(self, response) -> dict:
        """The top-level JSON-LD Product (layout v2 nests it in ``@graph``)."""
        # Imported here: extruct's package imports every extractor (mf2py, bs4,
        # rdflib...), ~0.4 s CPU that Scrapy's spider loader would otherwise
        # make every platform's crawl process pay.
        from extruct.jsonld import JsonLdExtractor

        try:
            found = JsonLdExtractor().extract_items(response.selector.root)
        except ValueError:
            found = []
        for data in found:
            if isinstance(data, dict) and data.get("@type") == "Product":
                return data
        raise LayoutChanged("no top-level JSON-LD Product")

    def detail_fields(self, response) -> dict:
        product = self.product(response)
        offer = product.get("offers") or {}
        offer = (offer or [{}])[0] if isinstance(offer, list) else offer
        rating = product.get("aggregateRating") or {}
        shown = bool(response.css("div.c-product-payment-info"))
        pay = method_fields(texts_of(response.css(METHODS)) if shown else None)
        badge = text_of(response.css(".c-prakerja-badge .c-prakerja-badge__text"))
        if badge and "kartu prakerja" in fold(badge, casefold=True):
            pay["prakerja_payment"] = True
        if badge:
            pay["prakerja_evidence"] = [f"badge:{badge}", *pay["prakerja_evidence"]]
        return {
            "listing_id": product.get("sku"),
            "title": product.get("name"),
            "provider": (offer.get("seller") or {}).get("name"),
            "price": offer.get("price"),
            "list_price": text_of(response.css("del.c-product-price__original")),
            "bundle_label": text_of(response.css("span.c-product-label--bundle")),
            "components": texts_of(
                response.css("li.c-bundle-items__item span.c-bundle-items__name")
            ),
            "available": str(offer.get("availability", "")).endswith("/InStock"),
            "category": product.get("category"),
            "rating": rating.get("ratingValue"),
            "rating_count": rating.get("reviewCount"),
            **pay,
        }
