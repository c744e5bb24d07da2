"""Sisnaker (Kemnaker): a government HTML table, then each ``dl`` detail page."""

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

RATING = re.compile(r"^(\d+,\d+) \((\d+) penilaian\)$")
REQUIRED = {"Kode Pelatihan", "Nama Pelatihan", "Harga"}


def squash(text: str | None) -> str:
    return fold(text)


class SisnakerSpider(HtmlCatalogSpider):
    name = "sisnaker"
    real_base = "https://prakerja.kemnaker.go.id"
    crawl_delay = 5  # robots.txt Crawl-delay
    listing_path = "/pelatihan"
    page_path = "/pelatihan?page={page}"
    detail_path = "/pelatihan/detail/{id}"
    detail_re = re.compile(r"/pelatihan/detail/(?P<id>[A-Z0-9-]+)$")
    page_size = 10
    total_css = "div.dataTables_info"
    total_re = re.compile(r"dari (\d+) data")
    empty_css = "table#tabel-pelatihan tbody td[colspan]"
    current_css = "ul.pagination li.active span"

    def cards(self, response):
        table = response.css("table#tabel-pelatihan")
        heads = [squash(h) for h in texts_of(table.css("thead th"))]
        if "Kode" not in heads:
            raise LayoutChanged("no table#tabel-pelatihan with a Kode column")
        kode = f"td[{heads.index('Kode') + 1}]"  # by header: v2 reorders columns
        link = 'td a[href*="/pelatihan/detail/"]::attr(href)'
        return [
            (text_of(row.xpath(kode)), row.css(link).get())
            for row in table.xpath("tbody/tr[not(td[@colspan])]")
        ]

    def detail_fields(self, response) -> dict:
        dd = {
            squash(dt.xpath("string()").get()): dt.xpath("following-sibling::dd[1]")
            for dt in response.css("dl#detail-pelatihan > dt")
        }
        if REQUIRED - dd.keys():
            raise LayoutChanged("no dl#detail-pelatihan with Kode, Nama and Harga")
        text = {key: squash(text_of(value)) for key, value in dd.items()}
        jenis = text.get("Jenis") or ""
        methods = text.get("Metode Pembayaran")
        score = text.get("Penilaian", "-")
        rating = RATING.match(score)
        return {
            "listing_id": text["Kode Pelatihan"],
            "title": text["Nama Pelatihan"],
            "provider": text.get("Lembaga Pelatihan"),
            "price": text["Harga"],
            "list_price": text.get("Harga Normal"),
            "bundle_label": None if fold(jenis, True) in ("", "tunggal") else jenis,
            "components": texts_of(dd["Daftar Kelas"].css("ol > li"))
            if "Daftar Kelas" in dd
            else [],
            "available": same(text.get("Status"), "Aktif"),
            "category": text.get("Bidang"),
            # "-" means no ratings; other unreadable text goes on to be counted
            "rating": rating.group(1) if rating else (None if score == "-" else score),
            "rating_count": rating.group(2) if rating else None,
            **method_fields(
                None
                if methods is None
                else [m.strip() for m in methods.split(",") if m.strip()]
            ),
        }
