"""Pintaria: server-rendered course cards, then each course detail page."""

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

# The first PAKET badge outside the breadcrumb.
BADGE = (
    '//span[contains(concat(" ", normalize-space(@class), " "), " badge-paket ")]'
    '[not(ancestor::*[contains(@class, "breadcrumb")])]'
)
LINK = "a.course-card__link::attr(href)"
COMPONENTS = (
    "ol.package-contents__list li.package-contents__item span.package-contents__title"
)
REVIEWS = re.compile(r"\((\d+) ulasan\)")


def review_count(text: str | None):
    """The count in '(31 ulasan)'; 'Belum ada ulasan' is an explicit 0."""
    if text is None:
        return None
    match = REVIEWS.search(fold(text))
    if match:
        return match.group(1)
    return 0 if "belum ada ulasan" in fold(text, casefold=True) else text


class PintariaSpider(HtmlCatalogSpider):
    name = "pintaria"
    real_base = "https://www.pintaria.com"
    listing_path = "/kartuprakerja"
    page_path = "/kartuprakerja?page={page}"
    detail_path = "/kartuprakerja/kursus/{id}-{slug}"
    detail_re = re.compile(r"/kursus/(?P<id>\d+)-(?P<slug>[a-z0-9-]+)$")
    page_size = 6
    total_css = "p.prakerja-listing__count strong"
    total_re = re.compile(r"(\d+)")
    empty_css = "p.prakerja-listing__empty"
    current_css = "ul.pagination li.active span"

    def cards(self, response):
        return [
            (card.attrib["data-course-id"], card.css(LINK).get())
            for card in response.css("div.course-card[data-course-id]")
        ]

    def detail_fields(self, response) -> dict:
        course = response.css("div.course-detail[data-course-id]")
        price = text_of(response.css("span.course-detail__price--final"))
        options = response.css("div#payment-options")
        if not (course and price and options):
            # v2 moves the price to microdata and the options behind a modal
            raise LayoutChanged("no course-detail, final price or #payment-options")
        names = options.css("li.payment-options__item span.payment-options__name")
        return {
            "listing_id": course.attrib["data-course-id"],
            "title": text_of(response.css("h1.course-detail__title")),
            "provider": text_of(response.css("div.course-detail__provider a")),
            "price": price,
            "list_price": text_of(response.css("del.course-detail__price--original")),
            "bundle_label": text_of(response.xpath(BADGE)),
            "components": texts_of(response.css(COMPONENTS)),
            "available": bool(response.css("a.btn-beli"))
            and not response.css("span.course-detail__status--closed"),
            "category": text_of(response.css("div.course-detail__category a")),
            "rating": text_of(response.css("span.course-detail__rating-value")),
            "rating_count": review_count(
                text_of(response.css("span.course-detail__rating-count"))
            ),
            **method_fields(texts_of(names)),
        }
