"""Sisnaker spider: what only its table and host ask (rest: test_spider_contracts)."""

from helpers import base_url, fixture_response, make_spider, move_column, stat
from scrapy.settings import Settings

from spiders.platforms.sisnaker import SisnakerSpider
from spiders.stats import layout_mismatch

SLUG = "sisnaker"


def test_columns_are_found_by_header():
    spider = make_spider(SisnakerSpider, SLUG)
    listing = fixture_response(SLUG, "listing_p1.html", base_url(SLUG) + "/pelatihan")
    moved = listing.replace(body=move_column(listing.text, 1, 3))  # Kode after Lembaga
    head = "<th>Nama Pelatihan</th><th>Lembaga Pelatihan</th><th>Kode</th>"
    assert head in moved.text
    urls = [r.url for r in spider.parse(moved)]
    assert len(urls) == 3 + 10
    assert urls == [r.url for r in spider.parse(listing)]
    assert stat(spider, layout_mismatch(SLUG)) == 0


def test_real_host_keeps_its_crawl_delay():
    settings = Settings({"DOWNLOAD_DELAY": 1})
    SisnakerSpider.update_settings(settings)
    assert settings.getfloat("DOWNLOAD_DELAY") >= 5
