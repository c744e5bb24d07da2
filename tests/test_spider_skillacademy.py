"""Skill Academy spider against the real search API sample."""

import asyncio
import json

import pytest
from helpers import FIXTURES, base_url, expected, fixture_response, make_spider
from helpers import normalized as normalize
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from spiders.base import LISTING_EMPTY, PAGES_ANNOUNCED, TRUNCATED
from spiders.platforms.skillacademy import SkillacademySpider, components

SLUG = "skillacademy"
BASE = base_url(SLUG)
SEARCH = "/api/skillacademy/discovery/search?searchQuery=prakerja&page={}&pageSize={}"
SAMPLE_URL = BASE + SEARCH.format(1, 6)


def sample() -> dict:
    return json.loads((FIXTURES / SLUG / "search_prakerja_p1.json").read_text("utf-8"))


def json_response(body, url: str = SAMPLE_URL) -> TextResponse:
    text = body if isinstance(body, str) else json.dumps(body)
    return TextResponse(url, body=text.encode(), encoding="utf-8", request=Request(url))


def start(spider) -> list:
    async def collect():
        return [r async for r in spider.start()]

    return asyncio.run(collect())


def stat(spider, key):
    return spider.crawler.stats.get_value(key)


@pytest.fixture
def spider():
    return make_spider(SkillacademySpider, SLUG)


@pytest.fixture
def output(spider):
    response = fixture_response(SLUG, "search_prakerja_p1.json", url=SAMPLE_URL)
    return list(spider.parse(response))


def test_sample_gives_the_expected_items(output):
    items = [x for x in output if isinstance(x, dict)]
    assert normalize(items) == expected(SLUG)["items"]


def test_sample_schedules_every_remaining_page_with_the_same_size(spider, output):
    page = expected(SLUG)["listing_pages"]["search_prakerja_p1.json"]
    requests = [x.url for x in output if isinstance(x, Request)]
    pages = [BASE + SEARCH.format(n, 6) for n in range(2, page["total_pages"] + 1)]
    assert requests == pages
    assert requests[0] == page["next_page_url"]
    assert stat(spider, PAGES_ANNOUNCED) == page["total_pages"]
    assert stat(spider, "prakerja/pages/reached") == 1


def test_start_sends_page_1_and_page_size_20(spider):
    assert [r.url for r in start(spider)] == [BASE + SEARCH.format(1, 20)]


INTRO = "terdiri dari beberapa course, yaitu :"


@pytest.mark.parametrize(
    ("description", "names"),
    [
        ("no course list here", []),
        (
            "Terdiri dari beberapa course yaitu:<br><br>a) Satu.<br>b ) Dua<br>x",
            ["Satu", "Dua"],
        ),
        (f"{INTRO} <br> a ) Satu. <br> b) Dua", ["Satu", "Dua"]),
        (f"{INTRO}<br/>a) A &amp; B.<br>b) <i>C</i>..", ["A & B", "C."]),
        (f"{INTRO}<br>Modul:<br>a) X<br>b) Y", []),
        (f"{INTRO}<br>a) X<br><br>b) Y", ["X"]),
    ],
)
def test_components_follow_the_contract_steps(description, names):
    assert components(description) == names


def test_layout_v2_envelope_yields_nothing(spider):
    data = sample()["data"]
    for entry in data["data"]:
        entry["tagSerials"] = entry.pop("tags")
    paging = {"page": 1, "pageSize": 20, "total": data["totalCourse"]}
    body = {"data": {"courses": data["data"], "pagination": paging}}
    assert list(spider.parse(json_response({**body, "status": "success"}))) == []
    assert stat(spider, f"contract/{SLUG}/layout_mismatch") == 1


def test_missing_tags_alone_is_a_mismatch(spider):
    body = sample()
    del body["data"]["data"][2]["tags"]
    assert list(spider.parse(json_response(body))) == []
    assert stat(spider, f"contract/{SLUG}/layout_mismatch") == 1


def test_truncated_body_is_retried_not_parsed(spider):
    text = (FIXTURES / SLUG / "search_prakerja_p1.json").read_text("utf-8")
    out = list(spider.parse(json_response(text[: int(len(text) * 0.6)])))
    assert [(type(r), r.url, r.meta["retry_times"]) for r in out] == [
        (Request, SAMPLE_URL, 1)
    ]
    assert stat(spider, TRUNCATED) == 1


def test_error_status_is_retried(spider):
    body = {"data": None, "status": "error", "message": "upstream timeout"}
    out = list(spider.parse(json_response(body)))
    assert [(r.url, r.meta["retry_times"]) for r in out] == [(SAMPLE_URL, 1)]
    assert stat(spider, "prakerja/response/error_body") == 1


def test_empty_listing_yields_nothing(spider):
    data = {"data": [], "page": 1, "pageSize": 20, "totalCourse": 0, "totalPage": 0}
    body = {"data": data, "status": "success", "message": "success"}
    assert list(spider.parse(json_response(body))) == []
    assert stat(spider, LISTING_EMPTY) == 1


def test_past_the_last_page_is_not_empty(spider):
    data = {**sample()["data"], "data": [], "page": 6}
    body = {"data": data, "status": "success", "message": "success"}
    assert list(spider.parse(json_response(body))) == []
    assert not stat(spider, LISTING_EMPTY)
    assert stat(spider, "prakerja/pages/reached") == 1


def test_another_base_url_changes_every_url():
    other = "http://replica.test:8407/sa"
    crawler = get_crawler(SkillacademySpider)
    spider = SkillacademySpider.from_crawler(crawler, base_url=other)
    assert spider.allowed_domains == ["replica.test"]
    assert [r.url for r in start(spider)] == [other + SEARCH.format(1, 20)]
    url = other + SEARCH.format(1, 6)
    out = list(spider.parse(fixture_response(SLUG, "search_prakerja_p1.json", url)))
    urls = [x.url if isinstance(x, Request) else x["url"] for x in out]
    assert len(urls) == 4 + 6
    assert all(u.startswith(other + "/") for u in urls)
    real = SkillacademySpider.from_crawler(get_crawler(SkillacademySpider))
    assert real.allowed_domains == ["skillacademy.com"]
