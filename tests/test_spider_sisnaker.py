"""Sisnaker spider against its contract samples."""

from __future__ import annotations

import asyncio
import re

import pytest
from helpers import (
    base_url,
    expected,
    expected_item,
    fixture_response,
    make_spider,
    normalized,
)
from scrapy import Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from spiders.base import LISTING_EMPTY, PAGES_ANNOUNCED, PAGES_REACHED
from spiders.platforms.sisnaker import SisnakerSpider

SLUG = "sisnaker"
BASE = base_url(SLUG)
LISTING = BASE + "/pelatihan"
DETAILS = {
    "detail_single.html": "PK-2020-00117",
    "detail_bundle_prakerja.html": "PK-2020-00142",
    "detail_bundle_nonprakerja.html": "PK-2020-00156",
}
MISMATCH = f"contract/{SLUG}/layout_mismatch"


def stat(spider, key):
    return spider.crawler.stats.get_value(key, 0)


def listing(edit=None, url=LISTING):
    response = fixture_response(SLUG, "listing_p1.html", url)
    return response if edit is None else response.replace(body=edit(response.text))


def detail(name, edit=None, url=None):
    url = url or f"{LISTING}/detail/{DETAILS[name]}"
    response = fixture_response(SLUG, name, url)
    return response if edit is None else response.replace(body=edit(response.text))


@pytest.fixture
def spider():
    return make_spider(SisnakerSpider, SLUG)


@pytest.mark.parametrize("name", DETAILS)
def test_detail_items(spider, name):
    items = list(spider.parse_detail(detail(name)))
    assert normalized(items) == [expected_item(SLUG, DETAILS[name])]


def test_inactive_training_is_unavailable(spider):
    def inactive(text):
        return text.replace("<dd>Aktif</dd>", "<dd>Tidak Aktif</dd>")

    (item,) = normalized(spider.parse_detail(detail("detail_single.html", inactive)))
    assert item == {**expected_item(SLUG, "PK-2020-00117"), "available": False}


def test_listing_schedules_details_and_pages(spider):
    page = expected(SLUG)["listing_pages"]["listing_p1.html"]
    out = list(spider.parse(listing()))
    assert all(isinstance(r, Request) for r in out)
    details = [r.url for r in out if r.callback == spider.parse_detail]
    assert details == [f"{LISTING}/detail/{kode}" for kode in page["listing_ids"]]
    pages = [r.url for r in out if r.callback == spider.parse]
    assert pages[0] == page["next_page_url"]
    total = page["total_pages"]
    assert pages == [f"{LISTING}?page={n}" for n in range(2, total + 1)]
    assert stat(spider, PAGES_ANNOUNCED) == total
    assert stat(spider, PAGES_REACHED) == 1


def move_column(text, source, target):
    """Move column ``source`` to index ``target``, in the head and every row."""

    def move(match):
        cells = re.findall(r"<t[hd][^>]*>.*?</t[hd]>", match.group(0))
        cells.insert(target, cells.pop(source))
        return "<tr>" + "".join(cells) + "</tr>"

    return re.sub(r"<tr><t[hd].*?</tr>", move, text)


def test_columns_are_found_by_header(spider):
    moved = listing(lambda text: move_column(text, 1, 3))  # Kode after Lembaga
    assert "<th>Nama Pelatihan</th><th>Lembaga Pelatihan</th><th>Kode</th>" in (
        moved.text
    )
    assert [r.url for r in spider.parse(moved)] == [
        r.url for r in spider.parse(listing())
    ]
    assert stat(spider, MISMATCH) == 0


def v2_listing(text):
    """``#tbl-pelatihan``; Jenis becomes the last column before Aksi."""
    return move_column(text, 4, 6).replace('id="tabel-pelatihan"', 'id="tbl-pelatihan"')


def v2_detail(text):
    """``table.table-detail tr > th + td`` instead of the ``dl``."""
    text = re.sub(
        r"<dt>(.*?)</dt>\n<dd>(.*?)</dd>", r"<tr><th>\1</th><td>\2</td></tr>", text
    )
    text = text.replace(
        '<dl class="dl-horizontal" id="detail-pelatihan">',
        '<table class="table table-detail">',
    )
    return text.replace("</dl>", "</table>")


def test_layout_v2(spider):
    assert list(spider.parse(listing(v2_listing))) == []
    assert list(spider.parse_detail(detail("detail_single.html", v2_detail))) == []
    assert stat(spider, MISMATCH) == 2
    assert stat(spider, PAGES_REACHED) == 0


def test_truncated_pages_are_retried(spider):
    for response, parse in (
        (listing(), spider.parse),
        (detail("detail_single.html"), spider.parse_detail),
    ):
        cut = response.replace(body=response.body[: int(len(response.body) * 0.6)])
        out = list(parse(cut))
        assert [r.url for r in out] == [response.url]
        assert out[0].meta["retry_times"] == 1
    assert stat(spider, PAGES_REACHED) == 0


def empty_listing(text):
    empty_row = (
        '<tr><td colspan="8" class="text-center">Tidak ada data pelatihan</td></tr>'
    )
    text = re.sub(
        r"<tbody>.*?</tbody>", f"<tbody>\n{empty_row}\n</tbody>", text, flags=re.S
    )
    return text.replace(
        "Menampilkan 1 sampai 10 dari 38 data", "Menampilkan 0 sampai 0 dari 0 data"
    )


def test_empty_listing(spider):
    assert list(spider.parse(listing(empty_listing))) == []
    assert stat(spider, LISTING_EMPTY) == 1
    assert stat(spider, PAGES_ANNOUNCED) == stat(spider, PAGES_REACHED) == 1
    assert stat(spider, MISMATCH) == 0


def test_gone_detail_and_foreign_id(spider):
    gone = detail("detail_single.html").replace(status=410, body=b"Gone")
    assert list(spider.parse_detail(gone)) == []
    assert stat(spider, "prakerja/removed/410") == 1
    other = LISTING + "/detail/PK-2020-00999"
    assert list(spider.parse_detail(detail("detail_single.html", url=other))) == []
    assert stat(spider, MISMATCH) == 1


def test_other_base_url():
    base = "http://mirror.test:9999/sis"
    crawler = get_crawler(SisnakerSpider)
    spider = SisnakerSpider.from_crawler(crawler, base_url=base + "/")
    assert spider.allowed_domains == ["mirror.test"]
    starts = asyncio.run(collect(spider.start()))
    assert [r.url for r in starts] == [base + "/pelatihan"]
    urls = [r.url for r in spider.parse(listing(url=base + "/pelatihan"))]
    assert len(urls) == 10 + 3
    assert all(url.startswith(base + "/") for url in urls)
    item = expected_item(SLUG, "PK-2020-00142")
    url = item["url"].replace(BASE, base)
    response = fixture_response(SLUG, "detail_bundle_prakerja.html", url)
    assert normalized(spider.parse_detail(response)) == [{**item, "url": url}]


def test_real_base_by_default_with_crawl_delay():
    spider = SisnakerSpider()
    assert spider.base_url == "https://prakerja.kemnaker.go.id"
    assert spider.allowed_domains == ["prakerja.kemnaker.go.id"]
    settings = Settings({"DOWNLOAD_DELAY": 1})
    SisnakerSpider.update_settings(settings)
    assert settings.getfloat("DOWNLOAD_DELAY") >= 5


async def collect(agen):
    return [x async for x in agen]
