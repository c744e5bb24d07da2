"""Tokopedia spider: what only its pages ask (rest: test_spider_contracts)."""

from helpers import (
    base_url,
    expected_item,
    fixture_response,
    make_spider,
    normalized,
    stat,
    variant,
)
from scrapy import Request

from spiders.platforms.tokopedia import TokopediaSpider
from spiders.stats import TRUNCATED

SLUG = "tokopedia"
BASE = base_url(SLUG)


def test_cut_cache_statement_is_retried():
    spider = make_spider(TokopediaSpider, SLUG)
    url = BASE + "/discovery/kartu-prakerja/"
    listing = fixture_response(SLUG, "listing_p1.html", url)
    cut = variant(listing, [('"PrakerjaPartner"}};', '"Prakerja')])
    assert '"Prakerja</script>' in cut.text
    out = list(spider.parse(cut))
    assert [(type(r), r.url, r.meta["retry_times"]) for r in out] == [(Request, url, 1)]
    assert stat(spider, TRUNCATED) == 1


def test_disabled_buy_button_and_no_payment_section():
    spider = make_spider(TokopediaSpider, SLUG)
    url = BASE + "/kartu-prakerja/pelatihan/1188241562"
    edits = [
        ('data-testid="btnPDPBuy"', 'data-testid="btnPDPBuy" disabled'),
        ('data-testid="pdpPaymentSection"', 'data-testid="x"'),
    ]
    response = variant(fixture_response(SLUG, "detail_single.html", url), edits)
    (item,) = normalized(spider.parse_detail(response))
    wanted = expected_item(SLUG, "1188241562")
    no_payment = {
        "prakerja_payment": None,
        "prakerja_evidence": [],
        "payment_methods": [],
    }
    assert item == {**wanted, "available": False, **no_payment}
