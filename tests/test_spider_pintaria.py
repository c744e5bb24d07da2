"""Pintaria spider against its contract samples."""

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
from spiders.platforms.pintaria import PintariaSpider

SLUG = "pintaria"
BASE = base_url(SLUG)
LISTING = BASE + "/kartuprakerja"
DETAILS = {
    "detail_single.html": "2317",
    "detail_bundle_prakerja.html": "2342",
    "detail_bundle_nonprakerja.html": "2351",
}
MISMATCH = f"contract/{SLUG}/layout_mismatch"


def stat(spider, key):
    return spider.crawler.stats.get_value(key, 0)


def listing(edit=None, url=LISTING):
    response = fixture_response(SLUG, "listing_p1.html", url)
    return response if edit is None else response.replace(body=edit(response.text))


def detail(name, edit=None, url=None):
    url = url or expected_item(SLUG, DETAILS[name])["url"]
    response = fixture_response(SLUG, name, url)
    return response if edit is None else response.replace(body=edit(response.text))


@pytest.fixture
def spider():
    return make_spider(PintariaSpider, SLUG)


@pytest.mark.parametrize("name", DETAILS)
def test_detail_items(spider, name):
    items = list(spider.parse_detail(detail(name)))
    assert normalized(items) == [expected_item(SLUG, DETAILS[name])]


def test_closed_course_is_unavailable(spider):
    def closed(text):
        return re.sub(
            r'<a class="btn btn-primary btn-beli"[^>]*>.*?</a>',
            '<span class="course-detail__status--closed">Pendaftaran ditutup</span>',
            text,
        )

    (item,) = normalized(spider.parse_detail(detail("detail_single.html", closed)))
    assert item == {**expected_item(SLUG, "2317"), "available": False}


def test_listing_schedules_details_and_pages(spider):
    page = expected(SLUG)["listing_pages"]["listing_p1.html"]
    out = list(spider.parse(listing()))
    assert all(isinstance(r, Request) for r in out)
    details = [r for r in out if r.callback == spider.parse_detail]
    assert [r.meta["listing_id"] for r in details] == page["listing_ids"]
    for r in details:
        assert r.url.startswith(f"{LISTING}/kursus/{r.meta['listing_id']}-")
    urls = {r.meta["listing_id"]: r.url for r in details}
    assert all(urls[i["listing_id"]] == i["url"] for i in expected(SLUG)["items"])
    pages = [r.url for r in out if r.callback == spider.parse]
    assert pages[0] == page["next_page_url"]
    total = page["total_pages"]
    assert pages == [f"{LISTING}?page={n}" for n in range(2, total + 1)]
    assert stat(spider, PAGES_ANNOUNCED) == total
    assert stat(spider, PAGES_REACHED) == 1


def v2_listing(text):
    """Vue-rendered cards: ``div.pt-card`` with ``data-id``."""
    return text.replace(
        'class="course-card" data-course-id=', 'class="pt-card" data-id='
    )


def v2_detail(text):
    """Price in microdata; payment options behind a modal, absent from the HTML."""
    text = re.sub(
        r'<span class="course-detail__price--final">Rp ([\d.]+)</span>',
        lambda m: (
            '<div itemprop="offers"><meta itemprop="price" content="'
            + m.group(1).replace(".", "")
            + '"></div>'
        ),
        text,
    )
    return re.sub(
        r'<div id="payment-options".*?</ul></div>',
        '<button class="btn btn-link">Lihat metode pembayaran</button>',
        text,
        flags=re.S,
    )


def test_layout_v2(spider):
    assert list(spider.parse(listing(v2_listing))) == []
    assert list(spider.parse_detail(detail("detail_single.html", v2_detail))) == []
    assert stat(spider, MISMATCH) == 2
    assert stat(spider, PAGES_REACHED) == 0


def test_truncated_pages_are_retried(spider):
    for response, parse in (
        (listing(), spider.parse),
        (detail("detail_single.html"), spider.parse_detail),
    ):
        cut = response.replace(body=response.body[: int(len(response.body) * 0.6)])
        out = list(parse(cut))
        assert [r.url for r in out] == [response.url]
        assert out[0].meta["retry_times"] == 1
    assert stat(spider, PAGES_REACHED) == 0


def empty_listing(text):
    text = re.sub(
        r'<div class="col-md-4 col-sm-6">.*?</div></div></div>\n', "", text, flags=re.S
    )
    text = text.replace("<strong>38</strong>", "<strong>0</strong>")
    notice = '<p class="prakerja-listing__empty">Pelatihan tidak ditemukan</p>'
    return text.replace('<ul class="pagination">', notice + '<ul class="pagination">')


def test_empty_listing(spider):
    assert list(spider.parse(listing(empty_listing))) == []
    assert stat(spider, LISTING_EMPTY) == 1
    assert stat(spider, PAGES_ANNOUNCED) == stat(spider, PAGES_REACHED) == 1
    assert stat(spider, MISMATCH) == 0


def test_page_past_a_shrunken_total(spider):
    def shrunk(text):  # 38 -> 36 trainings while the crawl ran: page 7 is gone
        return empty_listing(text).replace("<strong>0</strong>", "<strong>36</strong>")

    response = listing(shrunk, url=LISTING + "?page=7")
    assert list(spider.parse(response, page=7)) == []
    assert stat(spider, PAGES_REACHED) == 1
    assert stat(spider, MISMATCH) == stat(spider, LISTING_EMPTY) == 0
    assert list(spider.parse(response, page=6)) == []  # 36 needs page 6: a mismatch
    assert stat(spider, MISMATCH) == 1


def test_gone_detail_and_foreign_id(spider):
    gone = detail("detail_single.html").replace(status=410, body=b"Gone")
    assert list(spider.parse_detail(gone)) == []
    assert stat(spider, "prakerja/removed/410") == 1
    other = LISTING + "/kursus/2342-paket-lain"
    assert list(spider.parse_detail(detail("detail_single.html", url=other))) == []
    assert stat(spider, MISMATCH) == 1


def test_other_base_url():
    base = "http://mirror.test:9999/pt"
    crawler = get_crawler(PintariaSpider)
    spider = PintariaSpider.from_crawler(crawler, base_url=base + "/")
    assert spider.allowed_domains == ["mirror.test"]
    starts = asyncio.run(collect(spider.start()))
    assert [r.url for r in starts] == [base + "/kartuprakerja"]
    urls = [r.url for r in spider.parse(listing(url=base + "/kartuprakerja"))]
    assert len(urls) == 6 + 6
    assert all(url.startswith(base + "/") for url in urls)
    item = expected_item(SLUG, "2342")
    url = item["url"].replace(BASE, base)
    response = fixture_response(SLUG, "detail_bundle_prakerja.html", url)
    assert normalized(spider.parse_detail(response)) == [{**item, "url": url}]


def test_real_base_by_default():
    spider = PintariaSpider()
    assert spider.base_url == "https://www.pintaria.com"
    assert spider.allowed_domains == ["www.pintaria.com"]


async def collect(agen):
    return [x async for x in agen]
