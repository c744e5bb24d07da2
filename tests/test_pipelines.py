"""Pipelines: Rupiah strings, text cleanup, field problems counted, drops."""

import pytest
from scrapy.exceptions import DropItem
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from spiders.normalize import ParseError, canonical_payment, parse_idr
from spiders.pipelines import NormalizePipeline, ValidatePipeline


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Rp1.500.000", 1500000),
        ("Rp 750.000", 750000),
        ("Rp. 1.000.000,-", 1000000),
        ("Rp1,5 jt", 1500000),
        ("Rp1,15 jt", 1150000),
        ("Rp 500 rb", 500000),
        ("Rp 2 juta", 2000000),
        ("Gratis", 0),
        ("GRATIS ", 0),
        ("Rp0", 0),
        ("Rp\xa0350.000", 350000),
        ("Rp350.000,00", 350000),
        (1000000, 1000000),
        ("1000000", 1000000),
    ],
)
def test_parse_idr(text, value):
    assert parse_idr(text) == value


@pytest.mark.parametrize(
    "text", ["", "Rp", "Hubungi kami", "Rp1.50.0", "-5000", None, True, "Rp 1,5"]
)
def test_parse_idr_rejects_odd_strings(text):
    with pytest.raises(ParseError):
        parse_idr(text)


def raw(**fields):
    base = {
        "platform": "tokopedia",
        "listing_id": 123,
        "url": "http://127.0.0.1:8400/tokopedia/kartu-prakerja/pelatihan/123",
        "title": "  Paket&nbsp;Pelatihan <b>Barista</b>\r\n Kopi ",
        "provider": "LPK &amp; Co",
        "price": "Rp1.000.000",
        "list_price": "Rp1.000.000",
        "bundle_label": None,
        "components": [" Kelas  A ", "", "Kelas B"],
        "payment_methods": ["Kartu Prakerja", "BCA Virtual Account"],
        "prakerja_payment": True,
        "prakerja_evidence": ["payment_method:Kartu Prakerja"],
        "available": True,
        "category": None,
        "rating": "4,8",
        "rating_count": "(12 ulasan)",
    }
    return {**base, **fields}


@pytest.fixture
def stats():
    return MemoryStatsCollector(get_crawler())


def test_normalize_cleans_text_prices_and_derives_bundle_fields(stats):
    item = NormalizePipeline(stats).process_item(raw())
    assert item["listing_id"] == "123"
    assert item["title"] == "Paket Pelatihan Barista Kopi"
    assert item["provider"] == "LPK & Co"
    assert item["components"] == ["Kelas A", "Kelas B"]
    assert (item["price_idr"], item["list_price_idr"]) == (1000000, None)
    assert item["bundle_keywords"] == ["Paket Pelatihan"] and item["is_bundle"]
    assert (item["rating"], item["rating_count"]) == (4.8, 12)
    assert item["payment_channels"] == ["bank_transfer", "kartu_prakerja"]


def test_bad_values_are_counted_not_fatal(stats):
    item = NormalizePipeline(stats).process_item(
        raw(price="Hubungi kami", rating="lima", rating_count="Belum ada ulasan")
    )
    assert item["price_idr"] is None and item["rating"] is None
    assert stats.get_value("prakerja/field/price/invalid") == 1
    assert stats.get_value("prakerja/field/rating/invalid") == 1


def test_validate_drops_only_unidentifiable_items(stats):
    normalize, validate = NormalizePipeline(stats), ValidatePipeline(stats)
    with pytest.raises(DropItem):
        validate.process_item(normalize.process_item(raw(listing_id="")))
    with pytest.raises(DropItem):
        validate.process_item(normalize.process_item(raw(title=" <i></i> ")))
    kept = validate.process_item(normalize.process_item(raw(provider=None)))
    assert kept["provider"] is None
    assert stats.get_value("prakerja/items/dropped") == 2
    assert stats.get_value("prakerja/field/provider/missing") == 1


def test_canonical_payment_names():
    assert canonical_payment("Kartu Prakerja") == "kartu_prakerja"
    assert canonical_payment("Mandiri Virtual Account") == "bank_transfer"
    assert canonical_payment("Transfer Bank BRI") == "bank_transfer"
    assert canonical_payment("Kartu Kredit/Cicilan 0%") == "credit_card"
    assert canonical_payment("Kredivo") == "other:kredivo"


class FakeSpider:
    name = "tokopedia"
    base_url = "http://127.0.0.1:8400/tokopedia"
    unread_ids = {"unknown-id"}

    def __init__(self):
        import logging

        self.logger = logging.getLogger("fake")


def store_pipeline(tmp_path):
    from spiders.store import StorePipeline

    crawler = get_crawler(settings_dict={"PRAKERJA_DB_PATH": str(tmp_path / "p.db")})
    crawler.spider = FakeSpider()
    pipe = StorePipeline.from_crawler(crawler)
    pipe.open_spider(crawler.spider)
    return pipe, crawler


def finished_stats(crawler):
    for key, value in {
        "prakerja/pages/announced": 1,
        "prakerja/pages/reached": 1,
        "response_received_count": 3,
    }.items():
        crawler.stats.set_value(key, value)


def test_a_failed_batch_is_counted_and_the_crawl_is_not_complete(tmp_path, monkeypatch):
    from storage import snapshots
    from storage.db import open_db

    pipe, crawler = store_pipeline(tmp_path)
    normalize = NormalizePipeline(crawler.stats)
    real = snapshots.save_listings
    calls = []

    def flaky(db, crawl_id, items):
        calls.append(len(items))
        if len(calls) == 1:
            raise OSError("disk full")
        return real(db, crawl_id, items)

    monkeypatch.setattr(snapshots, "save_listings", flaky)
    pipe.batch_size = 2
    for i in range(5):
        pipe.process_item(normalize.process_item(raw(listing_id=i)))
    pipe.close_spider()
    finished_stats(crawler)
    pipe.spider_closed(crawler.spider, "finished")
    db = open_db(tmp_path / "p.db")
    (crawl,) = db["crawls"].rows
    assert calls == [2, 2, 1]  # later batches still stored after the failure
    assert db["sightings"].count == 3
    assert crawl["status"] == "incomplete" and crawl["items"] == 3
    assert "2 items could not be stored (OSError: disk full)" in crawl["health"]


@pytest.mark.parametrize("value", [99, "99", -1, float("nan"), "lima", 10**400])
def test_ratings_out_of_range_or_unreadable_are_rejected(value):
    from spiders.normalize import parse_rating

    with pytest.raises(ParseError):
        parse_rating(value)


@pytest.mark.parametrize(("value", "rating"), [(4, 4.0), ("4,8", 4.8), (None, None)])
def test_ratings(value, rating):
    from spiders.normalize import parse_rating

    assert parse_rating(value) == rating


@pytest.mark.parametrize(
    ("title", "fields", "keywords", "is_bundle"),
    [
        ("Paket Data Internet: Kuota Harian", {}, [], False),  # a hard negative
        ("Strategi Bundling Produk UMKM", {}, [], False),
        ("Paket Pelatihan Barista", {}, ["Paket Pelatihan"], True),
        ("Kelas Kopi", {"components": ["A", "B"]}, [], True),
        ("3 Kelas Excel", {}, [], True),  # the classifier's count words
    ],
)
def test_exported_items_agree_with_the_one_classifier(
    title, fields, keywords, is_bundle
):
    """`scrapy crawl -O` and `check` agree: the pipeline asks storage.classifier."""
    from storage.classifier import classify

    raw = {"platform": "tokopedia", "listing_id": " 42 ", "title": title, **fields}
    item = NormalizePipeline().process_item(raw)
    assert item["listing_id"] == "42"  # ids stripped per contract
    assert (item["bundle_keywords"], item["is_bundle"]) == (keywords, is_bundle)
    assert classify(item).is_bundle is item["is_bundle"]
