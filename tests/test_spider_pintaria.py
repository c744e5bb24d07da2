"""Pintaria spider: what only its listing asks (rest: test_spider_contracts)."""

import re

from helpers import base_url, fixture_response, make_spider, stat, variant

from spiders.platforms.pintaria import PintariaSpider
from spiders.stats import LISTING_EMPTY, PAGES_REACHED, layout_mismatch

SLUG = "pintaria"
MISMATCH = layout_mismatch(SLUG)


def test_page_past_a_shrunken_total():
    spider = make_spider(PintariaSpider, SLUG)
    url = base_url(SLUG) + "/kartuprakerja?page=7"
    # 38 -> 36 trainings while the crawl ran: page 7 is gone
    shrunk = [
        (
            re.compile(r'<div class="col-md-4 col-sm-6">.*?</div></div></div>\n', re.S),
            "",
        ),
        ("<strong>38</strong>", "<strong>36</strong>"),
    ]
    response = variant(fixture_response(SLUG, "listing_p1.html", url), shrunk)
    assert list(spider.parse(response, page=7)) == []
    assert stat(spider, PAGES_REACHED) == 1
    assert stat(spider, MISMATCH) == stat(spider, LISTING_EMPTY) == 0
    assert list(spider.parse(response, page=6)) == []  # 36 needs page 6: a mismatch
    assert stat(spider, MISMATCH) == 1
