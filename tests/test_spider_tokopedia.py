"""Tokopedia spider against the contract samples (Apollo cache listing, HTML detail)."""

import asyncio

import pytest
from helpers import (
    FIXTURES,
    base_url,
    expected,
    expected_item,
    fixture_response,
    make_spider,
    normalized,
)
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from spiders.base import LISTING_EMPTY, PAGES_ANNOUNCED, TRUNCATED
from spiders.platforms.tokopedia import TokopediaSpider

SLUG = "tokopedia"
BASE = base_url(SLUG)
LIST_URL = BASE + "/discovery/kartu-prakerja/"
DETAILS = {
    "1188241562": "detail_single.html",
    "1190387725": "detail_bundle_prakerja.html",
    "1190402219": "detail_bundle_nonprakerja.html",
}
# Layout v2 of the contract: a renamed cache variable and list root, and
# kebab-case `pdp-` test ids on the detail page.
V2 = {
    "window.__cache=": "window.__APOLLO_STATE__=",
    "prakerjaProductList(": "searchPrakerja(",
    "lblPDPDetailProductName": "pdp-product-name",
    "lblPDPPartnerName": "pdp-partner-name",
    "lblPDPDetailProductPrice": "pdp-product-price",
    'data-testid="paymentGroup"': 'data-testid="pdp-payment-group"',
}


def sample(name: str) -> str:
    return (FIXTURES / SLUG / name).read_text("utf-8")


def html_response(text: str, url: str) -> HtmlResponse:
    return HtmlResponse(url, body=text.encode(), encoding="utf-8", request=Request(url))


def detail_url(listing_id: str, base: str = BASE) -> str:
    return f"{base}/kartu-prakerja/pelatihan/{listing_id}"


def start(spider) -> list:
    async def collect():
        return [r async for r in spider.start()]

    return asyncio.run(collect())


def stat(spider, key):
    return spider.crawler.stats.get_value(key)


@pytest.fixture
def spider():
    return make_spider(TokopediaSpider, SLUG)


@pytest.fixture
def listing(spider):
    return list(spider.parse(fixture_response(SLUG, "listing_p1.html", url=LIST_URL)))


@pytest.mark.parametrize("listing_id", DETAILS)
def test_detail_samples_give_the_expected_items(spider, listing_id):
    response = fixture_response(SLUG, DETAILS[listing_id], url=detail_url(listing_id))
    items = list(spider.parse_detail(response))
    assert normalized(items) == [expected_item(SLUG, listing_id)]


def test_listing_schedules_details_and_every_remaining_page(spider, listing):
    page = expected(SLUG)["listing_pages"]["listing_p1.html"]
    pages = [f"{LIST_URL}?page={n}" for n in range(2, page["total_pages"] + 1)]
    details = [detail_url(i) for i in page["listing_ids"]]
    assert all(isinstance(r, Request) for r in listing)
    assert [r.url for r in listing] == pages + details
    assert pages[0] == page["next_page_url"]
    assert stat(spider, PAGES_ANNOUNCED) == page["total_pages"]
    assert stat(spider, "prakerja/pages/reached") == 1


def test_start_requests_page_1_without_page_parameter(spider):
    assert [r.url for r in start(spider)] == [LIST_URL]


@pytest.mark.parametrize("name", ["listing_p1.html", *DETAILS.values()])
def test_layout_v2_yields_nothing_and_reports_a_mismatch(spider, name):
    text = sample(name)
    for old, new in V2.items():
        text = text.replace(old, new)
    assert text != sample(name)
    listing = name == "listing_p1.html"
    ids = {file: listing_id for listing_id, file in DETAILS.items()}
    url = LIST_URL if listing else detail_url(ids[name])
    callback = spider.parse if listing else spider.parse_detail
    assert list(callback(html_response(text, url))) == []
    assert stat(spider, f"contract/{SLUG}/layout_mismatch") == 1


@pytest.mark.parametrize("name", ["listing_p1.html", DETAILS["1190387725"]])
def test_truncated_page_is_retried_not_parsed(spider, name):
    text = sample(name)
    listing = name == "listing_p1.html"
    url = LIST_URL if listing else detail_url("1190387725")
    callback = spider.parse if listing else spider.parse_detail
    out = list(callback(html_response(text[: int(len(text) * 0.6)], url)))
    assert [(type(r), r.url, r.meta["retry_times"]) for r in out] == [(Request, url, 1)]
    assert stat(spider, TRUNCATED) == 1


def test_cut_cache_statement_is_retried(spider):
    text = sample("listing_p1.html").replace('"PrakerjaPartner"}};', '"Prakerja')
    assert '"Prakerja</script>' in text
    out = list(spider.parse(html_response(text, LIST_URL)))
    assert [r.url for r in out] == [LIST_URL]
    assert stat(spider, TRUNCATED) == 1


def test_empty_listing_yields_nothing(spider):
    text = sample("listing_p1.html")
    head, rest = text.split('"totalData":83', 1)
    tail = rest.split('"__typename":"PrakerjaProductList"}', 1)[1]
    empty = '"totalData":0,"page":1,"perPage":8,"hasNext":false,"products":[],'
    text = head + empty + '"__typename":"PrakerjaProductList"}' + tail
    assert list(spider.parse(html_response(text, LIST_URL))) == []
    assert stat(spider, LISTING_EMPTY) == 1
    assert stat(spider, "prakerja/pages/reached") == 1


def test_gone_detail_is_recorded_as_removed(spider):
    url = detail_url("1190402219")
    response = HtmlResponse(
        url, status=404, body=b"<html></html>", request=Request(url)
    )
    assert list(spider.parse_detail(response)) == []
    assert stat(spider, "prakerja/removed/404") == 1


def test_detail_for_another_id_is_a_mismatch(spider):
    response = fixture_response(SLUG, DETAILS["1188241562"], detail_url("1190387725"))
    assert list(spider.parse_detail(response)) == []
    assert stat(spider, f"contract/{SLUG}/layout_mismatch") == 1


def test_disabled_buy_button_and_no_payment_section():
    spider = make_spider(TokopediaSpider, SLUG)
    text = sample(DETAILS["1188241562"])
    text = text.replace('data-testid="btnPDPBuy"', 'data-testid="btnPDPBuy" disabled')
    text = text.replace('data-testid="pdpPaymentSection"', 'data-testid="x"')
    (item,) = normalized(
        spider.parse_detail(html_response(text, detail_url("1188241562")))
    )
    assert (item["available"], item["prakerja_payment"]) == (False, None)
    assert item["payment_methods"] == []


def test_another_base_url_changes_every_url():
    other = "http://replica.test:8408/tp"
    spider = TokopediaSpider.from_crawler(get_crawler(TokopediaSpider), base_url=other)
    assert spider.allowed_domains == ["replica.test"]
    assert [r.url for r in start(spider)] == [other + "/discovery/kartu-prakerja/"]
    url = other + "/discovery/kartu-prakerja/"
    listing = list(spider.parse(fixture_response(SLUG, "listing_p1.html", url)))
    assert len(listing) == 10 + 8
    assert all(r.url.startswith(other + "/") for r in listing)
    response = fixture_response(
        SLUG, DETAILS["1190387725"], detail_url("1190387725", other)
    )
    (item,) = list(spider.parse_detail(response))
    assert item["url"] == detail_url("1190387725", other)
    real = TokopediaSpider.from_crawler(get_crawler(TokopediaSpider))
    assert real.allowed_domains == ["www.tokopedia.com"]
