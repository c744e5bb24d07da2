"""Reliability against hostile input: Rupiah parsing and normalization never crash
(hypothesis), and hostile titles are stored verbatim and escaped in the e-mail
and the report."""

from __future__ import annotations

import email
import email.policy
import html
from decimal import Decimal
from functools import lru_cache

import pytest
from helpers import base_url, fixture_response, make_spider
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from smtp_server import smtp_server  # noqa: F401 - fixture
from test_findings import BUNDLE
from test_storage import item

from monitor.config import load_config
from monitor.digest.send import send_alerts
from monitor.judge.check import check_all
from monitor.outputs.report import write_report
from spiders.items import RAW_FIELDS
from spiders.normalize import ParseError, clean_text, parse_idr
from spiders.pipelines import LIST_FIELDS, NormalizePipeline, ValidatePipeline
from spiders.platforms.sisnaker import SisnakerSpider
from storage import snapshots as s
from storage.db import open_db, open_memory

# -- parse_idr -----------------------------------------------------------------

AMOUNT = st.integers(min_value=0, max_value=10**13)
# every character str.isspace() accepts, drawn directly: filtering all of Unicode
# for them rejects so many draws that Hypothesis' health check fails at random
WHITESPACE = [c for c in map(chr, range(0x110000)) if c.isspace()]
SPACE = st.text(st.sampled_from(WHITESPACE), max_size=4)


def dotted(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@st.composite
def formatted(draw) -> tuple[str, int]:
    """A Rupiah amount as the platforms write it, and its value."""
    kind = draw(st.sampled_from(["dotted", "unit", "gratis"]))
    if kind == "gratis":
        return "Gratis", 0
    prefix = draw(st.sampled_from(["Rp", "Rp ", "Rp. ", "Rp.", "Rp\xa0", ""]))
    if kind == "dotted":
        n = draw(AMOUNT)
        suffix = draw(st.sampled_from(["", ",-", ",00"]))
        return f"{prefix}{dotted(n)}{suffix}", n
    whole = draw(st.integers(min_value=0, max_value=999))
    decimals = draw(st.from_regex(r"[0-9]{0,3}", fullmatch=True))
    unit = draw(st.sampled_from(["jt", "juta", "rb", "ribu"]))
    space = draw(st.sampled_from(["", " "]))
    number = f"{whole},{decimals}" if decimals else str(whole)
    value = Decimal(f"{whole}.{decimals or 0}") * (10**6 if "j" in unit else 10**3)
    return f"{prefix}{number}{space}{unit}", int(value)


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans()))
@example("Rp" + "1" * 5000)  # longer than int() reads from a string
@example("1" * 5000 + " rb")
@example("Rp 1,5,5 jt")
@example("Rp ,jt")
@example("١٢٣.٤٥٦")
def test_parse_idr_returns_an_amount_or_raises_parse_error(value):
    try:
        amount = parse_idr(value)
    except ParseError:
        return
    assert isinstance(amount, int) and amount >= 0


@given(formatted())
def test_parse_idr_reads_formatted_amounts(case):
    text, value = case
    assert parse_idr(text) == value


@given(formatted(), SPACE, SPACE, st.data())
def test_parse_idr_ignores_surrounding_space_and_letter_case(case, left, right, data):
    text, value = case
    flips = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    cased = "".join(c.swapcase() if f else c for c, f in zip(text, flips, strict=True))
    assert parse_idr(left + cased + right) == value
    assert parse_idr(f"{left}{text.upper()}{right}") == value


# -- the normalize pipeline -------------------------------------------------------

SCALAR = st.one_of(st.none(), st.text(), st.integers())
RAW = st.dictionaries(
    st.one_of(st.sampled_from(RAW_FIELDS), st.text(max_size=8)),
    st.one_of(SCALAR, st.lists(SCALAR, max_size=4)),
)
# as a spider yields them: scalars, and lists (or by mistake scalars) for lists
TYPED = st.fixed_dictionaries(
    {},
    optional={
        f: st.one_of(SCALAR, st.lists(SCALAR, max_size=4))
        if f in LIST_FIELDS
        else SCALAR
        for f in RAW_FIELDS
    },
)
IDENTIFIED = {"platform": "tokopedia", "listing_id": "1", "title": "Kelas"}


@lru_cache(maxsize=1)
def stats():
    return get_crawler().stats


@lru_cache(maxsize=1)
def memory_crawl():
    db = open_memory()
    return db, s.start_crawl(db, "tokopedia", observed_at="2020-07-02T10:00+07:00")


@settings(deadline=None)  # the first example builds a Scrapy crawler
@given(RAW)
@example({"components": 5, "payment_methods": 7})
@example({"rating": 10**400, "rating_count": "9" * 5000, "price": "Rp" + "1" * 5000})
def test_normalize_pipeline_never_raises(raw):
    out = NormalizePipeline(stats()).process_item(raw)
    assert set(out) >= {"platform", "listing_id", "title", "price_idr", "is_bundle"}


@settings(deadline=None)
@given(TYPED.map(lambda raw: {**IDENTIFIED, **raw}))
@example({**IDENTIFIED, "title": "Paket \ud800 Kelas"})  # a JSON "\ud800" escape
@example({**IDENTIFIED, "listing_id": "\udcff"})
@example({**IDENTIFIED, "listing_id": "12\x003"})  # json_each ends a text at a NUL
@example({**IDENTIFIED, "listing_id": "12", "url": "https://x/1\x002"})
@example({**IDENTIFIED, "price": "Rp" + "9" * 25})  # beyond SQLite's INTEGER
@example({**IDENTIFIED, "rating_count": 2**70})
def test_every_item_the_pipelines_pass_can_be_stored(raw):
    normalized = NormalizePipeline(stats()).process_item(raw)
    try:
        valid = ValidatePipeline(stats()).process_item(normalized)
    except DropItem:
        return
    db, crawl_id = memory_crawl()
    s.save_listings(db, crawl_id, [valid])
    (stored,) = db.execute(
        "SELECT title, price_idr FROM snapshots WHERE crawl_id = ? AND listing_id = ?",
        [crawl_id, valid["listing_id"]],
    ).fetchall()
    assert stored == (valid["title"], valid["price_idr"])
    listed = db.execute(
        "SELECT url FROM listings WHERE platform = 'tokopedia' AND listing_id = ?",
        [valid["listing_id"]],  # the crawl's platform
    ).fetchall()
    assert listed == [(valid["url"],)]


def test_nul_in_an_id_or_url_is_read_as_the_replacement_character():
    raw = {**IDENTIFIED, "listing_id": "12\x003", "url": "https://x/1\x002"}
    out = NormalizePipeline(stats()).process_item(raw)
    assert (out["listing_id"], out["url"]) == ("12\ufffd3", "https://x/1\ufffd2")
    assert clean_text("Paket\x00Hemat") == "Paket\ufffdHemat"


@pytest.mark.parametrize("listed", ["12\x003", "12\ud8003", " 12\x003 "])
def test_the_ledger_reads_an_id_as_the_pipeline_stores_it(listed):
    """A listing page's id and its detail item's id go through one listing_key:
    an id SQLite cannot keep as scraped is not counted unread (and then saved as
    unread, where a lone surrogate cannot even be encoded)."""
    from spiders.ledger import Ledger

    stored = NormalizePipeline(stats()).process_item(
        {**IDENTIFIED, "listing_id": listed}
    )
    ledger = Ledger()
    ledger.page_listed(1, [listed])
    assert stored["listing_id"] == "12\ufffd3"
    assert ledger.unread({stored["listing_id"]}) == set()


@pytest.mark.parametrize("field", ["listing_id", "url"])
def test_storage_refuses_a_nul_it_would_cut_and_writes_nothing(field):
    db = open_memory()
    cid = s.start_crawl(db, "tokopedia", observed_at="2020-07-02T10:00+07:00")
    bad = item("1", url="https://x/1")
    bad[field] = bad[field] + "\x00cut"
    with pytest.raises(ValueError, match="NUL"):
        s.save_listings(db, cid, [item("2"), bad])
    assert db["listings"].count == 0 and db["sightings"].count == 0


# -- hostile titles ---------------------------------------------------------------

HOSTILE = {
    "html": "<script>alert('x')</script><b>Paket</b> Barista",
    "crlf": "Paket Barista\r\nBcc: victim@example.com\r\nX-Evil: 1",
    "sql": "Paket Kopi'; DROP TABLE findings;--",
    "long": "Paket " + "Ä<&>" * 25_000,  # 100 KB
    "replacement": "Paket Las \ufffd\ufffd Logam",  # invalid UTF-8 as Scrapy reads it
}
SECRET_WORDS = ("Barista", "victim", "DROP", "Las", "alert")


def hostile_db(path, cfg):
    """A complete crawl of the hostile titles as bundles, checked: findings open."""
    db = open_db(path)
    items = [item(str(i), title=t, **BUNDLE) for i, t in enumerate(HOSTILE.values())]
    cid = s.start_crawl(db, "tokopedia", observed_at="2020-07-02T10:00:00+07:00")
    s.save_listings(db, cid, items)
    s.finish_crawl(db, cid, "complete", "finished", len(items), 1, 0, [])
    check_all(db, cfg, probe=lambda url: False)
    return db, cid


@pytest.fixture
def cfg(tmp_path):
    config = load_config(env={})
    config.data["outbox"] = str(tmp_path / "outbox")
    return config


def test_hostile_titles_stored_verbatim(tmp_path, cfg):
    db, cid = hostile_db(tmp_path / "p.db", cfg)
    try:
        stored = [r["title"] for r in s.snapshot_rows(db, cid)]
        assert db.execute("SELECT count(*) FROM findings").fetchone() == (len(HOSTILE),)
    finally:
        db.close()
    assert stored == list(HOSTILE.values())  # listing ids "0".."4" sort like this


def test_hostile_titles_escaped_in_the_email(tmp_path, cfg, smtp_server):  # noqa: F811
    cfg.data["smtp"].update(host="127.0.0.1", port=smtp_server.port, security="none")
    db, _ = hostile_db(tmp_path / "p.db", cfg)
    try:
        send_alerts(db, cfg)
    finally:
        db.close()
    (received,) = smtp_server.messages
    assert received.rcpt_tos == list(cfg["smtp"]["recipients"])
    message = email.message_from_bytes(received.content, policy=email.policy.default)
    assert sorted(message.keys()) == sorted(
        ["Subject", "From", "To", "Date", "Message-ID", "X-Prakerja-Digest"]
        + ["Content-Type", "MIME-Version"]
    )
    assert not [w for w in SECRET_WORDS if w in message["Subject"]]
    body = message.get_body(("html",)).get_content().replace("&#39;", "&#x27;")
    assert "<script>" not in body and "<b>Paket</b>" not in body
    assert html.escape("<script>alert('x')</script><b>Paket</b> Barista") in body
    assert "Bcc: victim@example.com" in body  # shown as text, on one line
    assert html.escape("'; DROP TABLE findings;--") in body
    assert html.escape("Ä<&>" * 10) in body and "Ä<&>Ä" not in body
    assert "Las \ufffd\ufffd Logam" in body
    text = message.get_body(("plain",)).get_content()
    assert "Paket Barista Bcc: victim@example.com X-Evil: 1" in text
    assert not [line for line in text.splitlines() if line.startswith("Bcc")]


def test_hostile_titles_escaped_in_the_report(tmp_path, cfg):
    db, _ = hostile_db(tmp_path / "p.db", cfg)
    db.close()
    out = tmp_path / "report.html"
    write_report(tmp_path / "p.db", out)
    page = out.read_text("utf-8").replace("&#39;", "&#x27;")
    assert "<script>" not in page and "<b>Paket</b>" not in page
    assert html.escape(HOSTILE["html"]) in page
    assert html.escape(HOSTILE["sql"]) in page
    assert "Ä<&>" not in page and html.escape("Ä<&>" * 100) in page
    assert "Las \ufffd\ufffd Logam" in page


def test_invalid_utf8_title_is_read_replaced_and_stored(tmp_path):
    """A detail page whose title bytes are not UTF-8: Scrapy decodes them as
    U+FFFD, and the item goes through the pipelines into the database."""
    spider = make_spider(SisnakerSpider, "sisnaker")
    url = base_url("sisnaker") + "/pelatihan/detail/PK-2020-00142"
    page = fixture_response("sisnaker", "detail_bundle_prakerja.html", url)
    body = page.body.replace(b"Las dan Fabrikasi", b"Las \xff\xfe Fabrikasi \xc3")
    (raw,) = spider.parse_detail(page.replace(body=body))
    normalized = NormalizePipeline(stats()).process_item(raw)
    title = "Paket Pelatihan Las \ufffd\ufffd Fabrikasi \ufffd Logam Dasar"
    assert normalized["title"] == title
    assert normalized["title"] == clean_text(raw["title"])
    db = open_db(tmp_path / "p.db")
    try:
        cid = s.start_crawl(db, "sisnaker", observed_at="2020-07-02T10:00:00+07:00")
        s.save_listings(db, cid, [ValidatePipeline(stats()).process_item(normalized)])
        (row,) = s.snapshot_rows(db, cid)
    finally:
        db.close()
    assert row["title"] == normalized["title"]
