"""Pijar Mahir spider: what only its JSON API asks (rest: test_spider_contracts)."""

from helpers import fixture_response, make_spider, start_requests

from spiders.platforms.pijarmahir import PijarmahirSpider

SLUG = "pijarmahir"


def test_every_request_accepts_json():
    spider = make_spider(PijarmahirSpider, SLUG)
    (start,) = start_requests(spider)
    listing = spider.parse(fixture_response(SLUG, "api_courses_p1.json", start.url))
    requests = [start, *listing]
    assert len(requests) == 1 + 7 + 8
    assert {r.headers.get("Accept") for r in requests} == {b"application/json"}
