"""Skill Academy spider: what only its search API asks (rest: test_spider_contracts)."""

import json

import pytest
from helpers import base_url, fixture_response, make_spider, stat, variant

from spiders.platforms.skillacademy import SkillacademySpider, components
from spiders.stats import LISTING_EMPTY, PAGES_REACHED, layout_mismatch

SLUG = "skillacademy"
SAMPLE = "search_prakerja_p1.json"
SAMPLE_URL = (
    base_url(SLUG)
    + "/api/skillacademy/discovery/search?searchQuery=prakerja&page=1&pageSize=6"
)
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


def parse(edit):
    spider = make_spider(SkillacademySpider, SLUG)
    response = fixture_response(SLUG, SAMPLE, url=SAMPLE_URL)
    return spider, list(spider.parse(variant(response, [edit])))


def without_tags_on_the_third(text):
    body = json.loads(text)
    del body["data"]["data"][2]["tags"]
    return json.dumps(body)


def test_missing_tags_alone_is_a_mismatch():
    spider, out = parse(without_tags_on_the_third)
    assert out == []
    assert stat(spider, layout_mismatch(SLUG)) == 1


def past_the_last_page(text):
    body = json.loads(text)
    return json.dumps({**body, "data": {**body["data"], "data": [], "page": 6}})


def test_past_the_last_page_is_not_empty():
    spider, out = parse(past_the_last_page)
    assert out == []
    assert stat(spider, LISTING_EMPTY) == 0
    assert stat(spider, PAGES_REACHED) == 1
