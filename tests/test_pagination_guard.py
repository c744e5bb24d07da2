"""The pagination guard: listing requests past the announced count or the cap
are never queued; detail requests and items pass; the reason is in the stats."""

from __future__ import annotations

import asyncio

import pytest
from helpers import make_spider

from spiders.extensions import PaginationGuard
from spiders.platforms.sisnaker import SisnakerSpider
from spiders.platforms.skillacademy import SkillacademySpider
from spiders.stats import PAGES_ANNOUNCED, PAGES_CAPPED, PAGES_DROPPED


def guard(spider, announced: int, cap: int = 5000) -> PaginationGuard:
    """The guard after the spider's start requests (listing page 1) went out."""
    mw = PaginationGuard(spider.crawler, 3.0, 50, cap)

    async def start():
        return [r async for r in mw.process_start(spider.start())]

    assert len(asyncio.run(start())) == 1
    spider.crawler.stats.set_value(PAGES_ANNOUNCED, announced)
    return mw


def pages(mw, spider, numbers, extra=()) -> list:
    out = [spider.listing_request(n) for n in numbers] + list(extra)
    return list(mw.process_spider_output(None, iter(out), spider))


def test_pages_beyond_the_announced_count_are_dropped():
    spider = make_spider(SkillacademySpider, "skillacademy")
    mw = guard(spider, announced=3)
    item = {"listing_id": "x"}
    kept = pages(mw, spider, range(2, 7), extra=[item])
    assert [r.url for r in kept[:-1]] == [spider.listing_request(n).url for n in (2, 3)]
    assert kept[-1] is item  # items of the page still pass
    assert spider.crawler.stats.get_value(PAGES_CAPPED) == (
        "listing pages went beyond the 3 announced"
    )
    assert spider.crawler.stats.get_value(PAGES_DROPPED) == 3


def test_a_retried_page_is_not_counted_twice():
    spider = make_spider(SkillacademySpider, "skillacademy")
    mw = guard(spider, announced=3)
    assert len(pages(mw, spider, [2, 2, 3, 3])) == 4
    assert spider.crawler.stats.get_value(PAGES_CAPPED) is None


@pytest.mark.parametrize(
    "cls, slug", [(SkillacademySpider, "skillacademy"), (SisnakerSpider, "sisnaker")]
)
def test_pages_beyond_the_cap_are_dropped_and_the_rest_of_the_output_left(cls, slug):
    spider = make_spider(cls, slug)
    mw = guard(spider, announced=1_000_000, cap=10)
    kept = pages(mw, spider, range(2, 100_000))
    assert len(kept) == 9  # pages 2..10 of a cap of 10
    assert spider.crawler.stats.get_value(PAGES_CAPPED).startswith(
        "1000000 listing pages, over the cap of 10"
    )
    # the output is left after 1000 dropped requests: a huge claim costs no CPU
    assert spider.crawler.stats.get_value(PAGES_DROPPED) == 1001


def test_the_cap_is_relative_to_the_recent_crawls(tmp_path):
    from storage import snapshots as s
    from storage.db import open_db

    path = tmp_path / "p.db"
    db = open_db(path)
    for pages_announced in (10, 30, 20):
        cid = s.start_crawl(db, "sisnaker")
        s.finish_crawl(
            db,
            cid,
            "complete",
            "finished",
            1,
            1,
            0,
            [],
            stats={PAGES_ANNOUNCED: pages_announced},
        )
    db.close()
    spider = make_spider(SisnakerSpider, "sisnaker")
    spider.crawler.settings.frozen = False
    spider.crawler.settings.set("PRAKERJA_DB_PATH", str(path))
    mw = PaginationGuard(spider.crawler, 3.0, 50, 5000)
    mw.spider_opened(spider)
    assert mw.cap == 90
