"""Bukalapak spider against its contract samples."""

from __future__ import annotations

import asyncio
import re

import pytest
from helpers import (
    base_url,
    expected,
    expected_item,
    fixture_response,
    make_spider,
    normalized,
)
from scrapy import Request
from scrapy.utils.test import get_crawler

from spiders.base import LISTING_EMPTY, PAGES_ANNOUNCED, PAGES_REACHED
from spiders.platforms.bukalapak import BukalapakSpider

SLUG = "bukalapak"
BASE = base_url(SLUG)
LISTING = BASE + "/kartu-prakerja"
DETAILS = {
    "detail_single.html": "4fz9kqa",
    "detail_bundle_prakerja.html": "4g1m2xb",
    "detail_bundle_nonprakerja.html": "4g1n7ty",
}
MISMATCH = f"contract/{SLUG}/layout_mismatch"


def stat(spider, key):
    return spider.crawler.stats.get_value(key, 0)


def detail(name, body=None):
    url = expected_item(SLUG, DETAILS[name])["url"]
    response = fixture_response(SLUG, name, url)
    return response if body is None else response.replace(body=body(response.text))


@pytest.fixture
def spider():
    return make_spider(BukalapakSpider, SLUG)


@pytest.mark.parametrize("name", DETAILS)
def test_detail_items(spider, name):
    items = list(spider.parse_detail(detail(name)))
    assert normalized(items) == [expected_item(SLUG, DETAILS[name])]


def test_listing_schedules_details_and_pages(spider):
    page = expected(SLUG)["listing_pages"]["listing_p1.html"]
    out = list(spider.parse(fixture_response(SLUG, "listing_p1.html", LISTING)))
    assert all(isinstance(r, Request) for r in out)
    details = [r for r in out if r.callback == spider.parse_detail]
    assert [r.meta["listing_id"] for r in details] == page["listing_ids"]
    for r in details:
        path = f"/p/kartu-prakerja/pelatihan/{r.meta['listing_id']}-jual-"
        assert r.url.startswith(BASE + path)
    urls = {r.meta["listing_id"]: r.url for r in details}
    assert all(urls[i["listing_id"]] == i["url"] for i in expected(SLUG)["items"])
    pages = [r.url for r in out if r.callback == spider.parse]
    assert pages[0] == page["next_page_url"]
    total = page["total_pages"]
    assert pages == [f"{LISTING}?page={n}" for n in range(2, total + 1)]
    assert stat(spider, PAGES_ANNOUNCED) == total
    assert stat(spider, PAGES_REACHED) == 1


def v2_listing(text):
    return text.replace(
        'class="bl-product-card" ',
        'class="bl-product-card-new" data-testid="product-card" ',
    )


def v2_detail(text):
    text = text.replace('"@type": "Product"', '"@graph": [{"@type": "Product"')
    text = re.sub(r"\}</script>", "}]}</script>", text, count=1)
    return text.replace("c-prakerja-badge", "prakerja-tag")


def test_layout_v2(spider):
    listing = fixture_response(SLUG, "listing_p1.html", LISTING)
    listing = listing.replace(body=v2_listing(listing.text))
    assert list(spider.parse(listing)) == []
    assert list(spider.parse_detail(detail("detail_single.html", v2_detail))) == []
    assert stat(spider, MISMATCH) == 2
    assert stat(spider, PAGES_REACHED) == 0


def test_truncated_pages_are_retried(spider):
    listing = fixture_response(SLUG, "listing_p1.html", LISTING)
    for response, parse in (
        (listing, spider.parse),
        (detail("detail_single.html"), spider.parse_detail),
    ):
        cut = response.replace(body=response.body[: int(len(response.body) * 0.6)])
        out = list(parse(cut))
        assert [r.url for r in out] == [response.url]
        assert out[0].meta["retry_times"] == 1
    assert stat(spider, PAGES_REACHED) == 0


def empty_listing(text):
    text = re.sub(r'<div class="bl-product-card" .*?\n</div>\n', "", text, flags=re.S)
    return text.replace(
        "Menampilkan 1 - 8 dari 61 pelatihan", "Menampilkan 0 - 0 dari 0 pelatihan"
    ).replace(
        "</main>",
        '<p class="c-prakerja-page__empty">Pelatihan tidak ditemukan</p></main>',
    )


def test_empty_listing(spider):
    listing = fixture_response(SLUG, "listing_p1.html", LISTING)
    assert list(spider.parse(listing.replace(body=empty_listing(listing.text)))) == []
    assert stat(spider, LISTING_EMPTY) == 1
    assert stat(spider, PAGES_ANNOUNCED) == stat(spider, PAGES_REACHED) == 1
    assert stat(spider, MISMATCH) == 0


def test_gone_detail_and_foreign_id(spider):
    gone = detail("detail_single.html").replace(status=410, body=b"Gone")
    assert list(spider.parse_detail(gone)) == []
    assert stat(spider, "prakerja/removed/410") == 1
    other = BASE + "/p/kartu-prakerja/pelatihan/4zzzzzz-jual-lain"
    response = fixture_response(SLUG, "detail_single.html", other)
    assert list(spider.parse_detail(response)) == []
    assert stat(spider, MISMATCH) == 1


def test_other_base_url():
    base = "http://mirror.test:9999/bl"
    crawler = get_crawler(BukalapakSpider)
    spider = BukalapakSpider.from_crawler(crawler, base_url=base + "/")
    assert spider.allowed_domains == ["mirror.test"]
    assert [r.url for r in asyncio.run(collect(spider.start()))] == [
        base + "/kartu-prakerja"
    ]
    listing = fixture_response(SLUG, "listing_p1.html", base + "/kartu-prakerja")
    urls = [r.url for r in spider.parse(listing)]
    assert len(urls) == 8 + 7
    assert all(url.startswith(base + "/") for url in urls)
    item = expected_item(SLUG, "4g1m2xb")
    url = item["url"].replace(BASE, base)
    response = fixture_response(SLUG, "detail_bundle_prakerja.html", url)
    assert normalized(spider.parse_detail(response)) == [{**item, "url": url}]


def test_real_base_by_default():
    spider = BukalapakSpider()
    assert spider.base_url == "https://www.bukalapak.com"
    assert spider.allowed_domains == ["www.bukalapak.com"]


async def collect(agen):
    return [x async for x in agen]
