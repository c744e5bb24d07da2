"""Sekolah.mu spider against the contract sample (Nuxt state on the listing page)."""

import asyncio
import re

import pytest
from helpers import FIXTURES, base_url, expected, fixture_response, make_spider
from helpers import normalized as normalize
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from spiders.base import LISTING_EMPTY, PAGES_ANNOUNCED, TRUNCATED
from spiders.platforms.sekolahmu import SekolahmuSpider

SLUG = "sekolahmu"
BASE = base_url(SLUG)
LIST_URL = BASE + "/kartuprakerja/"


def sample() -> str:
    return (FIXTURES / SLUG / "listing_p1.html").read_text("utf-8")


def html_response(text: str, url: str = LIST_URL) -> HtmlResponse:
    return HtmlResponse(url, body=text.encode(), encoding="utf-8", request=Request(url))


def start(spider) -> list:
    async def collect():
        return [r async for r in spider.start()]

    return asyncio.run(collect())


def stat(spider, key):
    return spider.crawler.stats.get_value(key)


@pytest.fixture
def spider():
    return make_spider(SekolahmuSpider, SLUG)


@pytest.fixture
def output(spider):
    return list(spider.parse(fixture_response(SLUG, "listing_p1.html", url=LIST_URL)))


def test_listing_sample_gives_the_expected_items(output):
    items = [x for x in output if isinstance(x, dict)]
    assert normalize(items) == expected(SLUG)["items"]


def test_listing_schedules_every_remaining_page(spider, output):
    page = expected(SLUG)["listing_pages"]["listing_p1.html"]
    requests = [x.url for x in output if isinstance(x, Request)]
    pages = [f"{LIST_URL}?page={n}" for n in range(2, page["total_pages"] + 1)]
    assert requests == pages
    assert requests[0] == page["next_page_url"]
    assert stat(spider, PAGES_ANNOUNCED) == page["total_pages"]
    assert stat(spider, "prakerja/pages/reached") == 1


def test_start_requests_page_1_without_page_parameter(spider):
    assert [r.url for r in start(spider)] == [LIST_URL]


def test_layout_v2_iife_state_yields_nothing(spider):
    state = re.search(r"window\.__NUXT__=(\{.*\});</script>", sample()).group(1)
    iife = (
        f"window.__NUXT__=(function(a,b,c,d){{return {state}}}"
        '(false,null,"Kartu Prakerja",true));'
    )
    text = sample().replace(f"window.__NUXT__={state};", iife)
    assert iife in text
    assert list(spider.parse(html_response(text))) == []
    assert stat(spider, f"contract/{SLUG}/layout_mismatch") == 1


def test_program_without_slug_is_a_mismatch(spider):
    text = sample().replace('slug:"literasi-keuangan-dasar-untuk-pekerja",', "")
    assert text != sample()
    assert list(spider.parse(html_response(text))) == []
    assert stat(spider, f"contract/{SLUG}/layout_mismatch") == 1


def test_truncated_page_is_retried_not_parsed(spider):
    text = sample()
    out = list(spider.parse(html_response(text[: int(len(text) * 0.6)])))
    assert [(type(r), r.url, r.meta["retry_times"]) for r in out] == [
        (Request, LIST_URL, 1)
    ]
    assert stat(spider, TRUNCATED) == 1


def test_incomplete_state_statement_is_retried(spider):
    text = sample().replace("}}};</script>", "}};</script>")
    assert text != sample()
    out = list(spider.parse(html_response(text)))
    assert [r.url for r in out] == [LIST_URL]
    assert stat(spider, TRUNCATED) == 1


def test_empty_listing_yields_nothing(spider):
    text = re.sub(
        r"programs:\[.*\]\}\},serverRendered", "programs:[]}},serverRendered", sample()
    )
    text = text.replace("total:52,lastPage:7", "total:0,lastPage:0")
    assert "programs:[]" in text and "total:0" in text
    assert list(spider.parse(html_response(text))) == []
    assert stat(spider, LISTING_EMPTY) == 1


def test_another_base_url_changes_every_url():
    other = "http://replica.test:8405/sm"
    crawler = get_crawler(SekolahmuSpider)
    spider = SekolahmuSpider.from_crawler(crawler, base_url=other)
    assert spider.allowed_domains == ["replica.test"]
    assert [r.url for r in start(spider)] == [other + "/kartuprakerja/"]
    response = fixture_response(SLUG, "listing_p1.html", url=other + "/kartuprakerja/")
    out = list(spider.parse(response))
    urls = [x.url if isinstance(x, Request) else x["url"] for x in out]
    assert len(urls) == 6 + 8
    assert all(url.startswith(other + "/") for url in urls)
    real = SekolahmuSpider.from_crawler(get_crawler(SekolahmuSpider))
    assert real.allowed_domains == ["www.sekolah.mu"]
