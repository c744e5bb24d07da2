"""MauBelajarApa spider against its contract samples."""

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
from spiders.platforms.maubelajarapa import MaubelajarapaSpider

SLUG = "maubelajarapa"
BASE = base_url(SLUG)
LISTING = BASE + "/kartuprakerja/"
DETAILS = {
    "detail_single.html": "4187",
    "detail_bundle_prakerja.html": "4203",
    "detail_bundle_nonprakerja.html": "4219",
}
MISMATCH = f"contract/{SLUG}/layout_mismatch"


def stat(spider, key):
    return spider.crawler.stats.get_value(key, 0)


def listing(edit=None, url=LISTING):
    response = fixture_response(SLUG, "listing_p1.html", url)
    return response if edit is None else response.replace(body=edit(response.text))


def detail(name, edit=None, listing_id=None):
    url = expected_item(SLUG, DETAILS[name])["url"]
    meta = {"listing_id": listing_id or DETAILS[name]}
    response = fixture_response(SLUG, name, url, meta=meta)
    return response if edit is None else response.replace(body=edit(response.text))


@pytest.fixture
def spider():
    return make_spider(MaubelajarapaSpider, SLUG)


@pytest.mark.parametrize("name", DETAILS)
def test_detail_items(spider, name):
    items = list(spider.parse_detail(detail(name)))
    assert normalized(items) == [expected_item(SLUG, DETAILS[name])]


def test_listing_schedules_details_and_pages(spider):
    page = expected(SLUG)["listing_pages"]["listing_p1.html"]
    out = list(spider.parse(listing()))
    assert all(isinstance(r, Request) for r in out)
    details = [r for r in out if r.callback == spider.parse_detail]
    assert [r.meta["listing_id"] for r in details] == page["listing_ids"]
    assert all(
        re.fullmatch(re.escape(BASE) + r"/kelas/[a-z0-9-]+/", r.url) for r in details
    )
    urls = {r.meta["listing_id"]: r.url for r in details}
    assert all(urls[i["listing_id"]] == i["url"] for i in expected(SLUG)["items"])
    pages = [r.url for r in out if r.callback == spider.parse]
    assert pages[0] == page["next_page_url"]
    total = page["total_pages"]
    assert pages == [f"{LISTING}page/{n}/" for n in range(2, total + 1)]
    assert stat(spider, PAGES_ANNOUNCED) == total
    assert stat(spider, PAGES_REACHED) == 1


def v2_listing(text):
    """The theme switch: product loop items without ``a.post-title``."""
    text = text.replace("<article ", "<li ").replace("</article>", "</li>")
    return text.replace('class="post-title"', 'class="woocommerce-LoopProduct-link"')


def v2_detail(text):
    """The theme switch drops ``div.mba-payment-methods``."""
    return re.sub(
        r'<div class="mba-payment-methods">.*?</ul>.*?</div>', "", text, flags=re.S
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
    """WooCommerce's no-products notice instead of the posts and result count."""
    text = re.sub(r"<article .*?</article>\n", "", text, flags=re.S)
    text = re.sub(r'<p class="woocommerce-result-count">.*?</p>', "", text)
    notice = "Tidak ditemukan produk yang sesuai dengan pilihan Anda."
    return text.replace("</main>", f'<p class="woocommerce-info">{notice}</p></main>')


def test_empty_listing(spider):
    assert list(spider.parse(listing(empty_listing))) == []
    assert stat(spider, LISTING_EMPTY) == 1
    assert stat(spider, PAGES_ANNOUNCED) == stat(spider, PAGES_REACHED) == 1
    assert stat(spider, MISMATCH) == 0


def test_gone_detail_and_foreign_id(spider):
    gone = detail("detail_single.html").replace(status=404, body=b"Not Found")
    assert list(spider.parse_detail(gone)) == []
    assert stat(spider, "prakerja/removed/404") == 1
    response = detail("detail_single.html", listing_id="4203")
    assert list(spider.parse_detail(response)) == []
    assert stat(spider, MISMATCH) == 1


def test_other_base_url():
    base = "http://mirror.test:9999/mba"
    crawler = get_crawler(MaubelajarapaSpider)
    spider = MaubelajarapaSpider.from_crawler(crawler, base_url=base + "/")
    assert spider.allowed_domains == ["mirror.test"]
    starts = asyncio.run(collect(spider.start()))
    assert [r.url for r in starts] == [base + "/kartuprakerja/"]
    urls = [r.url for r in spider.parse(listing(url=base + "/kartuprakerja/"))]
    assert len(urls) == 6 + 6
    assert all(url.startswith(base + "/") for url in urls)
    item = expected_item(SLUG, "4203")
    url = item["url"].replace(BASE, base)
    response = fixture_response(SLUG, "detail_bundle_prakerja.html", url)
    assert normalized(spider.parse_detail(response)) == [{**item, "url": url}]


def test_real_base_by_default():
    spider = MaubelajarapaSpider()
    assert spider.base_url == "https://maubelajarapa.com"
    assert spider.allowed_domains == ["maubelajarapa.com"]


async def collect(agen):
    return [x async for x in agen]
