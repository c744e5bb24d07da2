"""Pijar Mahir spider against the contract samples (JSON list and detail APIs)."""

import asyncio
import json

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
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from spiders.base import LISTING_EMPTY, PAGES_ANNOUNCED, TRUNCATED
from spiders.platforms.pijarmahir import PijarmahirSpider

SLUG = "pijarmahir"
BASE = base_url(SLUG)
LIST_URL = BASE + "/api/v1/courses?category=kartu-prakerja&page=1&limit=8"
DETAILS = {
    "5123": "api_course_5123_single.json",
    "5188": "api_course_5188_bundle_prakerja.json",
    "5190": "api_course_5190_bundle_nonprakerja.json",
}


def sample(name: str) -> dict:
    return json.loads((FIXTURES / SLUG / name).read_text("utf-8"))


def json_response(url: str, body, status: int = 200) -> TextResponse:
    text = body if isinstance(body, str) else json.dumps(body)
    return TextResponse(
        url, body=text.encode(), encoding="utf-8", request=Request(url), status=status
    )


def detail_url(listing_id: str, base: str = BASE) -> str:
    return f"{base}/api/v1/courses/{listing_id}"


def stat(spider, key):
    return spider.crawler.stats.get_value(key)


@pytest.fixture
def spider():
    return make_spider(PijarmahirSpider, SLUG)


@pytest.fixture
def listing(spider):
    response = fixture_response(SLUG, "api_courses_p1.json", url=LIST_URL)
    return list(spider.parse(response))


@pytest.mark.parametrize("listing_id", DETAILS)
def test_detail_samples_give_the_expected_items(spider, listing_id):
    response = fixture_response(SLUG, DETAILS[listing_id], url=detail_url(listing_id))
    items = list(spider.parse_detail(response))
    assert normalized(items) == [expected_item(SLUG, listing_id)]


def test_listing_schedules_details_and_every_remaining_page(spider, listing):
    page = expected(SLUG)["listing_pages"]["api_courses_p1.json"]
    pages = [
        f"{BASE}/api/v1/courses?category=kartu-prakerja&page={n}&limit=8"
        for n in range(2, page["total_pages"] + 1)
    ]
    details = [detail_url(i) for i in page["listing_ids"]]
    assert all(isinstance(r, Request) for r in listing)
    assert [r.url for r in listing] == pages + details
    assert pages[0] == page["next_page_url"]
    assert {r.headers.get("Accept") for r in listing} == {b"application/json"}
    assert stat(spider, PAGES_ANNOUNCED) == page["total_pages"]
    assert stat(spider, "prakerja/pages/reached") == 1


def start(spider) -> list:
    async def collect():
        return [r async for r in spider.start()]

    return asyncio.run(collect())


def test_start_sends_page_1_with_accept_json(spider):
    (request,) = start(spider)
    assert request.url == LIST_URL
    assert request.headers.get("Accept") == b"application/json"


def v2(data: dict) -> dict:
    """Layout v2: courses -> items, fullname -> title, payment.methods."""
    text = json.dumps(data).replace('"courses"', '"items"')
    out = json.loads(text.replace('"fullname"', '"title"'))
    if "paymentMethods" in out["data"]:
        out["data"]["payment"] = {"methods": out["data"].pop("paymentMethods")}
    return out


@pytest.mark.parametrize("name", ["api_courses_p1.json", *DETAILS.values()])
def test_layout_v2_yields_nothing_and_reports_a_mismatch(spider, name):
    url = LIST_URL if name == "api_courses_p1.json" else detail_url(name.split("_")[2])
    response = json_response(url, v2(sample(name)))
    callback = spider.parse if url == LIST_URL else spider.parse_detail
    assert list(callback(response)) == []
    assert stat(spider, f"contract/{SLUG}/layout_mismatch") == 1


@pytest.mark.parametrize("name", ["api_courses_p1.json", DETAILS["5188"]])
def test_truncated_body_is_retried_not_parsed(spider, name):
    text = (FIXTURES / SLUG / name).read_text("utf-8")
    url = LIST_URL if name == "api_courses_p1.json" else detail_url("5188")
    callback = spider.parse if url == LIST_URL else spider.parse_detail
    out = list(callback(json_response(url, text[: int(len(text) * 0.6)])))
    assert [(type(r), r.url, r.meta["retry_times"]) for r in out] == [(Request, url, 1)]
    assert stat(spider, TRUNCATED) == 1


def test_error_envelope_is_retried(spider):
    body = {"status": False, "code": 500, "message": "internal error", "data": None}
    out = list(spider.parse(json_response(LIST_URL, body)))
    assert [(r.url, r.meta["retry_times"]) for r in out] == [(LIST_URL, 1)]
    assert stat(spider, "prakerja/response/error_body") == 1


def test_empty_listing_yields_nothing(spider):
    paging = {"page": 1, "limit": 8, "total": 0, "totalPage": 0}
    body = {"status": True, "code": 200, "message": "success"}
    body["data"] = {"courses": [], "pagination": paging}
    assert list(spider.parse(json_response(LIST_URL, body))) == []
    assert stat(spider, LISTING_EMPTY) == 1


def test_gone_detail_is_recorded_as_removed(spider):
    response = json_response(detail_url("5190"), {"status": False}, status=410)
    assert list(spider.parse_detail(response)) == []
    assert stat(spider, "prakerja/removed/410") == 1


def test_detail_for_another_id_is_a_mismatch(spider):
    response = fixture_response(SLUG, DETAILS["5123"], url=detail_url("5188"))
    assert list(spider.parse_detail(response)) == []
    assert stat(spider, f"contract/{SLUG}/layout_mismatch") == 1


def test_another_base_url_changes_every_url():
    other = "http://replica.test:8403/pm"
    spider = PijarmahirSpider.from_crawler(
        get_crawler(PijarmahirSpider), base_url=other
    )
    assert spider.allowed_domains == ["replica.test"]
    assert [r.url for r in start(spider)] == [
        other + "/api/v1/courses?category=kartu-prakerja&page=1&limit=8"
    ]
    url = other + "/api/v1/courses?category=kartu-prakerja&page=1&limit=8"
    listing = list(spider.parse(fixture_response(SLUG, "api_courses_p1.json", url)))
    assert all(r.url.startswith(other + "/api/v1/courses") for r in listing)
    response = fixture_response(SLUG, DETAILS["5188"], url=detail_url("5188", other))
    (item,) = list(spider.parse_detail(response))
    assert item["url"] == other + "/course/5188"
    real = PijarmahirSpider.from_crawler(get_crawler(PijarmahirSpider))
    assert real.allowed_domains == ["pijarmahir.id"]
