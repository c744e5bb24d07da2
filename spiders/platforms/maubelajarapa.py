"""MauBelajarApa: WordPress archive posts, then each WooCommerce product page."""

from __future__ import annotations

import re

from spiders.base import LayoutChanged
from spiders.html import (
    HtmlCatalogSpider,
    method_fields,
    text_of,
    texts_of,
)
from storage.fold import fold, same

AMOUNT = ".woocommerce-Price-amount"
PROVIDER = "tr.woocommerce-product-attributes-item--attribute_pa_lembaga-pelatihan td"


class MaubelajarapaSpider(HtmlCatalogSpider):
    name = "maubelajarapa"
    real_base = "https://maubelajarapa.com"
    listing_path = "/kartuprakerja/"
    page_path = "/kartuprakerja/page/{page}/"
    detail_path = "/kelas/{slug}/"
    detail_re = re.compile(r"/kelas/(?P<slug>[^/?#]+)/?$")
    page_size = 6
    total_css = "p.woocommerce-result-count"
    total_re = re.compile(r"dari (\d+) hasil")
    empty_css = "p.woocommerce-info"
    current_css = "span.page-numbers.current"

    def cards(self, response):
        return [
            (
                re.sub(r"\D", "", post.attrib["id"]),
                post.css("h2.entry-title a.post-title::attr(href)").get(),
            )
            for post in response.css('article[id^="post-"]')
        ]

    def detail_fields(self, response) -> dict:
        product = response.css('div[id^="product-"]')
        title = text_of(response.css("h1.product_title"))
        methods = response.css("div.mba-payment-methods")
        if not (product and title and methods):
            raise LayoutChanged("no product div, h1.product_title or payment methods")
        bundle = "product-type-bundle" in fold(product.attrib.get("class")).split()
        rating = response.css(".woocommerce-product-rating")
        categories = response.css("span.posted_in a::text").getall()
        return {
            "listing_id": re.sub(r"\D", "", product.attrib["id"]),
            "title": title,
            "provider": text_of(response.css(PROVIDER)),
            "price": text_of(
                response.css(f"p.price ins {AMOUNT}")
                or response.css(f"p.price > {AMOUNT}")
            ),
            "list_price": text_of(response.css(f"p.price del {AMOUNT}")),
            "bundle_label": text_of(response.css("div.summary span.mba-badge--bundle")),
            "components": texts_of(
                response.css("div.bundled_product span.bundled_product_title_inner")
            )
            if bundle
            else [],
            "available": not response.css("p.stock.out-of-stock")
            and bool(response.css("button.single_add_to_cart_button")),
            "category": next(
                (c for c in categories if not same(c, "Kartu Prakerja")), None
            ),
            "rating": text_of(rating.css("strong.rating")),
            "rating_count": text_of(rating.css("a.woocommerce-review-link span.count")),
            **method_fields(texts_of(methods.css("li"))),
        }
