"""Sekolah.mu spider: what only its Nuxt state asks (rest: test_spider_contracts)."""

import json5
import pytest
from helpers import base_url, fixture_response, make_spider, stat, variant
from scrapy import Request

from spiders.platforms.sekolahmu import SekolahmuSpider, parse_state
from spiders.stats import TRUNCATED, layout_mismatch

SLUG = "sekolahmu"
LIST_URL = base_url(SLUG) + "/kartuprakerja/"


def parse(*edits):
    spider = make_spider(SekolahmuSpider, SLUG)
    response = fixture_response(SLUG, "listing_p1.html", url=LIST_URL)
    return spider, list(spider.parse(variant(response, edits)))


def test_program_without_slug_is_a_mismatch():
    spider, out = parse(('slug:"literasi-keuangan-dasar-untuk-pekerja",', ""))
    assert out == []
    assert stat(spider, layout_mismatch(SLUG)) == 1


def test_incomplete_state_statement_is_retried():
    spider, out = parse(("}}};</script>", "}};</script>"))
    assert [(type(r), r.url, r.meta["retry_times"]) for r in out] == [
        (Request, LIST_URL, 1)
    ]
    assert stat(spider, TRUNCATED) == 1


@pytest.mark.parametrize(
    "literal",
    [
        '{a:1,b:{c:"x, d: y",e:[true,false,null]},f:"\\u002Fkelas\\"q\\""}',
        '{ state : { prakerja : { name:"Paket, kelas:{a:1}", n:-1.5e3 } } }',
        "{$k:[],_k:{}}",
    ],
)
def test_state_parser_agrees_with_json5(literal):
    assert parse_state(literal) == json5.loads(literal)


def test_state_parser_returns_none_when_cut_short():
    assert parse_state('{a:{b:"cut') is None
