"""The contract every platform spider keeps, checked against each one's samples."""

from __future__ import annotations

import re
from typing import NamedTuple

import pytest
from helpers import (
    base_url,
    expected,
    expected_item,
    fixture_response,
    make_spider,
    normalized,
    start_requests,
    stat,
    truncated,
    variant,
)
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler
from spider_contracts import DETAILS, LISTING, PLATFORMS, SLUGS, body

from replica.surface import surface
from spiders.stats import (
    ERROR_BODY,
    LISTING_EMPTY,
    PAGES_ANNOUNCED,
    PAGES_REACHED,
    REMOVED,
    TRUNCATED,
    layout_mismatch,
)

WITH_DETAILS = [slug for slug in SLUGS if DETAILS[slug]]
SAMPLES = [
    pytest.param(slug, name, id=f"{slug}-{name}")
    for slug in SLUGS
    for name in (LISTING[slug], *DETAILS[slug])
]
V2_SAMPLES = [
    pytest.param(slug, name, id=f"{slug}-{name}")
    for slug, p in PLATFORMS.items()
    for name in (LISTING[slug], *(p.v2_details or DETAILS[slug]))
    if name == LISTING[slug] or p.v2_detail
]
# The base URL a spider is given, and the host it is then allowed to crawl.
BASES = [
    pytest.param(("{replica}", "127.0.0.1"), id="replica"),
    pytest.param(("http://mirror.test:9999/{slug}", "mirror.test"), id="mirror"),
    pytest.param(("http://mirror.test:9999/{slug}/", "mirror.test"), id="mirror/"),
]
GONE = {404: b"Not Found", 410: b"Gone"}


class Base(NamedTuple):
    given: str  # to the spider
    root: str  # what its URLs start with
    host: str  # its allowed domain


@pytest.fixture(params=BASES)
def base(request, slug) -> Base:
    template, host = request.param
    given = template.format(replica=base_url(slug), slug=slug)
    return Base(given, given.rstrip("/"), host)


def moved(item: dict, slug: str, root: str) -> dict:
    return {**item, "url": item["url"].replace(base_url(slug), root)}


def listing_response(slug: str, root: str):
    p = PLATFORMS[slug]
    return fixture_response(slug, LISTING[slug], root + p.listing_path)


def listing_id_of(request) -> str:
    """The listing id a detail request asks for (meta, else the URL's last part)."""
    return request.meta.get("listing_id") or request.url.rsplit("/", 1)[-1]


def detail_response(slug: str, name: str, root: str, listing_id: str | None = None):
    """Detail sample ``name`` as the answer to the request the listing sample
    schedules for its listing id (or for ``listing_id``)."""
    p = PLATFORMS[slug]
    wanted = listing_id or DETAILS[slug][name]
    spider = make_spider(p.spider, slug, root)  # its stats stay out of the test's
    request = next(
        r
        for r in spider.parse(listing_response(slug, root))
        if r.callback == spider.parse_detail and listing_id_of(r) == wanted
    )
    return fixture_response(slug, name, request.url, meta=request.meta)


def sample_response(slug: str, name: str, root: str):
    if name == LISTING[slug]:
        return listing_response(slug, root)
    return detail_response(slug, name, root)


def callback(spider, slug: str, name: str):
    return spider.parse if name == LISTING[slug] else spider.parse_detail


@pytest.mark.parametrize(("slug", "name"), SAMPLES)
def test_samples_give_the_expected_items(slug, name, base):
    p, root = PLATFORMS[slug], base.root
    spider = make_spider(p.spider, slug, base.given)
    out = callback(spider, slug, name)(sample_response(slug, name, root))
    items = [x for x in out if not isinstance(x, Request)]
    if name in DETAILS[slug]:
        wanted = [expected_item(slug, DETAILS[slug][name])]
    else:  # a listing gives items only where there are no detail pages
        wanted = [] if DETAILS[slug] else expected(slug)["items"]
    assert normalized(items) == [moved(item, slug, root) for item in wanted]


@pytest.mark.parametrize("slug", SLUGS)
def test_listing_schedules_every_page_then_every_detail(slug, base):
    p, root = PLATFORMS[slug], base.root
    spider = make_spider(p.spider, slug, base.given)
    page = expected(slug)["listing_pages"][LISTING[slug]]
    total, ids = page["total_pages"], page["listing_ids"] if DETAILS[slug] else []
    requests = [
        r for r in spider.parse(listing_response(slug, root)) if isinstance(r, Request)
    ]
    pages = [root + p.page_path.format(n=n) for n in range(2, total + 1)]
    assert [r.url for r in requests[: len(pages)]] == pages
    assert pages[0] == page["next_page_url"].replace(base_url(slug), root)
    assert {r.callback for r in requests[: len(pages)]} == {spider.parse}
    details = requests[len(pages) :]
    assert len(details) == len(ids)
    for request, listing_id in zip(details, ids, strict=True):
        assert request.callback == spider.parse_detail
        path = p.detail_path.format(id=re.escape(listing_id))
        assert re.fullmatch(re.escape(root) + path, request.url)
        if p.detail_meta:
            assert request.meta["listing_id"] == listing_id
    if DETAILS[slug] and p.detail_at_item_url:
        urls = {listing_id_of(r): r.url for r in details}
        for item in expected(slug)["items"]:
            assert urls[item["listing_id"]] == moved(item, slug, root)["url"]
    assert stat(spider, PAGES_ANNOUNCED) == total
    assert stat(spider, PAGES_REACHED) == 1


@pytest.mark.parametrize("slug", SLUGS)
def test_start_requests_listing_page_1(slug, base):
    p = PLATFORMS[slug]
    spider = make_spider(p.spider, slug, base.given)
    start = base.root + (p.start_path or p.listing_path)
    assert [(r.url, r.callback) for r in start_requests(spider)] == [
        (start, spider.parse)
    ]


@pytest.mark.parametrize("slug", SLUGS)
def test_base_url_sets_allowed_domains(slug, base):
    spider = make_spider(PLATFORMS[slug].spider, slug, base.given)
    assert spider.base_url == base.root
    assert spider.allowed_domains == [base.host]


@pytest.mark.parametrize("slug", SLUGS)
def test_real_base_by_default(slug):
    p = PLATFORMS[slug]
    host = p.real.split("://", 1)[1]
    for spider in (p.spider(), p.spider.from_crawler(get_crawler(p.spider))):
        assert spider.base_url == p.real
        assert spider.allowed_domains == [host]


@pytest.mark.parametrize(("slug", "name"), V2_SAMPLES)
def test_layout_v2_yields_nothing_and_reports_a_mismatch(slug, name):
    p = PLATFORMS[slug]
    spider = make_spider(p.spider, slug)
    response = sample_response(slug, name, base_url(slug))
    edits = p.v2_listing if name == LISTING[slug] else p.v2_detail
    assert list(callback(spider, slug, name)(variant(response, edits))) == []
    assert stat(spider, layout_mismatch(slug)) == 1
    assert stat(spider, PAGES_REACHED) == 0


@pytest.mark.parametrize(("slug", "name"), SAMPLES)
def test_truncated_page_is_retried_not_parsed(slug, name):
    p = PLATFORMS[slug]
    spider = make_spider(p.spider, slug)
    response = sample_response(slug, name, base_url(slug))
    out = list(callback(spider, slug, name)(truncated(response, 0.6)))
    assert [(type(r), r.url, r.meta["retry_times"]) for r in out] == [
        (Request, response.url, 1)
    ]
    assert stat(spider, TRUNCATED) == 1
    assert stat(spider, PAGES_REACHED) == 0


@pytest.mark.parametrize("slug", SLUGS)
def test_empty_listing_yields_nothing(slug):
    p = PLATFORMS[slug]
    spider = make_spider(p.spider, slug)
    response = variant(listing_response(slug, base_url(slug)), p.empty)
    assert list(spider.parse(response)) == []
    assert stat(spider, LISTING_EMPTY) == 1
    assert stat(spider, PAGES_ANNOUNCED) == stat(spider, PAGES_REACHED) == 1
    assert stat(spider, layout_mismatch(slug)) == 0


@pytest.mark.parametrize("status", GONE)
@pytest.mark.parametrize("slug", WITH_DETAILS)
def test_gone_detail_is_recorded_as_removed(slug, status):
    p = PLATFORMS[slug]
    spider = make_spider(p.spider, slug)
    name = next(iter(DETAILS[slug]))  # the single
    response = detail_response(slug, name, base_url(slug))
    gone = response.replace(status=status, body=GONE[status])
    assert list(spider.parse_detail(gone)) == []
    assert stat(spider, f"{REMOVED}/{status}") == 1
    assert stat(spider, layout_mismatch(slug)) == 0


@pytest.mark.parametrize("slug", WITH_DETAILS)
def test_detail_for_another_listing_id_is_a_mismatch(slug):
    p = PLATFORMS[slug]
    spider = make_spider(p.spider, slug)
    # the single's sample answering the request for the Prakerja bundle
    name, other = next(iter(DETAILS[slug])), list(DETAILS[slug].values())[1]
    response = detail_response(slug, name, base_url(slug), listing_id=other)
    assert list(spider.parse_detail(response)) == []
    assert stat(spider, layout_mismatch(slug)) == 1


@pytest.mark.parametrize("slug", [s for s, p in PLATFORMS.items() if p.unavailable])
def test_unavailable_detail(slug):
    p = PLATFORMS[slug]
    spider = make_spider(p.spider, slug)
    name, listing_id = next(iter(DETAILS[slug].items()))
    response = variant(detail_response(slug, name, base_url(slug)), p.unavailable)
    item = expected_item(slug, listing_id)
    assert normalized(spider.parse_detail(response)) == [{**item, "available": False}]


@pytest.mark.parametrize("slug", [s for s, p in PLATFORMS.items() if p.error_body])
def test_error_envelope_is_retried(slug):
    p = PLATFORMS[slug]
    spider = make_spider(p.spider, slug)
    response = variant(listing_response(slug, base_url(slug)), [body(p.error_body)])
    out = list(spider.parse(response))
    assert [(type(r), r.url, r.meta["retry_times"]) for r in out] == [
        (Request, response.url, 1)
    ]
    assert stat(spider, ERROR_BODY) == 1


def surfaced(response):
    """The response varied by the replica's ``surface`` fault (within contract)."""
    kind = "application/json" if isinstance(response, TextResponse) else "text/html"
    if isinstance(response, HtmlResponse):
        kind = "text/html"
    varied = surface(response.body, kind)
    assert varied != response.body
    return response.replace(body=varied)


@pytest.mark.parametrize(("slug", "name"), SAMPLES)
def test_samples_give_the_same_items_under_the_surface_fault(slug, name):
    """Whitespace runs, NBSP, entities, line breaks, attribute order, wrappers and
    \\u escapes change nothing a spider yields (issue 11: decide on folded text)."""
    p, root = PLATFORMS[slug], base_url(slug)
    spider = make_spider(p.spider, slug)
    out = callback(spider, slug, name)(surfaced(sample_response(slug, name, root)))
    out = list(out)
    items = [x for x in out if not isinstance(x, Request)]
    if name in DETAILS[slug]:
        wanted = [expected_item(slug, DETAILS[slug][name])]
    else:
        wanted = [] if DETAILS[slug] else expected(slug)["items"]
        plain = make_spider(p.spider, slug).parse(sample_response(slug, name, root))
        assert [r.url for r in out if isinstance(r, Request)] == [
            r.url for r in plain if isinstance(r, Request)
        ]
    assert normalized(items) == wanted
    assert stat(spider, layout_mismatch(slug)) == 0
