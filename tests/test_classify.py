"""The bundle classifier: agreement with R-BUNDLE, hard negatives, robustness."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.classifier import (
    CLASSIFIER_VERSION,
    NONE,
    STRONG,
    WEAK,
    Classification,
    classify,
)

FIXTURES = Path(__file__).parent / "fixtures"
R_KW = re.compile(
    r"(?i)\bpaket\s+(?:pelatihan|kelas|kursus|belajar|hemat|lengkap|komplit)\b"
    r"|\bbundl(?:e|ing)\b|^\s*paket\b"
)


def _expected_items():
    return [
        pytest.param(item, id=f"{item['platform']}-{item['listing_id']}")
        for path in sorted(FIXTURES.glob("*/expected.json"))
        for item in json.loads(path.read_text("utf-8"))["items"]
    ]


@pytest.mark.parametrize("item", _expected_items())
def test_agrees_with_r_bundle_on_every_expected_item(item):
    r_bundle = (
        item["bundle_label"] is not None
        or len(item["bundle_keywords"]) > 0
        or len(item["components"]) >= 2
    )
    assert r_bundle == item["is_bundle"]
    result = classify(item)
    assert result.is_bundle is item["is_bundle"]
    assert bool(result.reasons) is item["is_bundle"]


def test_expected_items_cover_all_eight_platforms():
    platforms = {p.values[0]["platform"] for p in _expected_items()}
    assert len(platforms) == 8


def _row(title="", **fields):
    row = {
        "title": title,
        "bundle_label": None,
        "bundle_keywords": [m.group(0).strip() for m in R_KW.finditer(title)],
        "components": [],
        "price_idr": 500000,
        "list_price_idr": None,
    }
    row.update(fields)
    return row


CASES = [
    # (row, is_bundle, reasons, strength)
    (_row("Belajar Excel untuk Pemula"), False, [], NONE),
    (
        _row("Kelas Barista", bundle_label="Paket Bundling"),
        True,
        ["label:Paket Bundling"],
        STRONG,
    ),
    (_row("Kelas Barista", components=["A", "B", "C"]), True, ["components:3"], STRONG),
    (_row("Kelas Barista", components=["A", "a ", ""]), False, [], NONE),
    (_row("Kelas Barista", bundle_label="single"), False, [], NONE),
    (_row("Kelas Barista", bundle_label="Tunggal"), False, [], NONE),
    (_row("Paket Pelatihan Ojek Online"), True, ["title:Paket Pelatihan"], WEAK),
    (_row("Paket Kursus Menjahit"), True, ["title:Paket Kursus"], WEAK),
    (_row("Paket Hemat Admin"), True, ["title:Paket Hemat"], WEAK),
    (_row("BUNDLE Desain Grafis"), True, ["title:Bundle"], WEAK),
    (_row("Kelas Foto (3 Kelas)"), True, ["title:3 Kelas"], WEAK),
    (_row("Kelas Foto (1 Kelas)"), False, [], NONE),
    (_row("Belajar Jahit 2 pelatihan"), True, ["title:2 Pelatihan"], WEAK),
    (_row("Paket Mahir Jepang"), True, ["title:Paket"], WEAK),
    (
        _row("Paket Bundling Barista"),
        True,
        ["title:Paket", "title:Bundling"],
        WEAK,
    ),
    # hard negatives: a leading "Paket" that is the only signal
    (
        _row("Paket Data Internet: Strategi Jualan Pulsa dan Paket Data"),
        False,
        ["negative:paket-data"],
        NONE,
    ),
    (_row("Paket Internet Rumahan"), False, ["negative:paket-data"], NONE),
    (
        _row("Paket Pengiriman untuk Kurir"),
        False,
        ["negative:paket-pengiriman"],
        NONE,
    ),
    (_row("Pengiriman Paket untuk Kurir"), False, [], NONE),
    (_row("Manajemen Pengiriman Paket untuk Kurir Ekspedisi"), False, [], NONE),
    (
        _row("Kelas Menulis", description="Dapatkan paket lengkap materi dan bonus"),
        False,
        [],
        NONE,
    ),
    # a negative never hides strong evidence
    (
        _row("Paket Data Seller", bundle_label="Paket", components=["A", "B"]),
        True,
        ["label:Paket", "components:2", "negative:paket-data"],
        STRONG,
    ),
    (
        _row("Paket Data Seller (3 Kelas)"),
        True,
        ["title:3 Kelas", "negative:paket-data"],
        WEAK,
    ),
    (
        _row("Paket Wisata Lokal: Menjadi Pemandu Wisata Profesional"),
        False,
        ["negative:paket-wisata"],
        NONE,
    ),
    (
        _row("Paket Aplikasi Perkantoran: Microsoft Office untuk Pemula"),
        False,
        ["negative:paket-aplikasi"],
        NONE,
    ),
    (
        _row("Bundle Pricing: Strategi Harga untuk Toko Online"),
        False,
        ["negative:bundle-topic"],
        NONE,
    ),
    (_row("Strategi Bundling Produk"), False, ["negative:bundle-topic"], NONE),
    (_row("Bundling Kelas Foto"), True, ["title:Bundling"], WEAK),
    (_row("Bisnis Paket Katering Harian untuk Kantor"), False, [], NONE),
    (_row("Teknik Mengemas Paket Pesanan Online agar Aman"), False, [], NONE),
    # supporting evidence never decides alone
    (
        _row(
            "Paket Kelas Excel",
            components=[
                {"title": "Excel", "price_idr": 300000},
                {"title": "Word", "price_idr": 200000},
            ],
            list_price_idr=500000,
        ),
        True,
        ["components:2", "title:Paket Kelas", "list_price~sum_of_parts"],
        STRONG,
    ),
    (
        _row(
            "Kelas Excel",
            components=["Excel", "Word"],
            component_prices_idr=[300000, 200000],
            list_price_idr=900000,
        ),
        True,
        ["components:2"],
        STRONG,
    ),
    (
        _row(
            "Webinar Pangan",
            description="Kelas ini terdiri dari beberapa course, yaitu : a) x b) y",
        ),
        False,
        [],
        NONE,
    ),
    (
        _row(
            "Webinar Pangan",
            components=["x", "y"],
            description="Kelas ini terdiri dari beberapa course, yaitu : a) x b) y",
        ),
        True,
        ["components:2", "description:lists-courses"],
        STRONG,
    ),
    # snapshot rows keep lists as JSON text and booleans as ints
    (_row("Kelas", components='["A", "B"]'), True, ["components:2"], STRONG),
    (_row("Kelas", components="not json"), False, [], NONE),
]


@pytest.mark.parametrize(("row", "is_bundle", "reasons", "strength"), CASES)
def test_cases(row, is_bundle, reasons, strength):
    assert classify(row) == Classification(is_bundle, reasons, strength)


def test_result_is_versioned():
    assert classify(_row("x")).version == CLASSIFIER_VERSION


@pytest.mark.parametrize(
    "row",
    [
        None,
        {},
        "not a dict",
        {"title": None, "components": None, "bundle_label": None},
        {"title": 12345, "components": [None, 3, {"title": None}], "bundle_label": 0},
        {"title": "x" * 2_000_000 + " paket kelas", "description": "y" * 2_000_000},
        {"components": "[" * 100_000, "list_price_idr": float("nan")},
        {"list_price_idr": "²", "component_prices_idr": ["²", None]},
    ],
)
def test_never_crashes_on_odd_rows(row):
    assert isinstance(classify(row), Classification)


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    st.lists(st.one_of(st.text(max_size=20), st.none(), st.integers()), max_size=4),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)
KEYS = st.sampled_from(
    [
        "title",
        "bundle_label",
        "bundle_keywords",
        "components",
        "component_prices_idr",
        "price_idr",
        "list_price_idr",
        "description",
    ]
)


@given(st.dictionaries(KEYS, VALUES))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_never_crashes(row):
    result = classify(row)
    assert result.is_bundle is (result.strength != NONE)


WORDS = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "Paket",
                "pelatihan",
                "KELAS",
                "kursus",
                "Data",
                "internet",
                "Pengiriman",
                "kurir",
                "Bundling",
                "bundle",
                "(3",
                "Kelas)",
                "2",
                "hemat",
                "ß",
                "İ",
            ]
        ),
        st.text(
            alphabet=st.characters(
                blacklist_categories=("Cs",), blacklist_characters="\x00"
            ).filter(lambda c: not c.isspace()),
            min_size=1,
            max_size=8,
        ),
    ),
    max_size=8,
)
SPACES = st.text(alphabet=" \t\n\r\u00a0\u3000\u2009", min_size=1, max_size=3)


@given(WORDS, st.data())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_title_whitespace_does_not_matter(words, data):
    spaced = data.draw(SPACES)
    for word in words:
        spaced += word + data.draw(SPACES)
    assert classify(_plain(spaced)) == classify(_plain(" ".join(words)))


@given(WORDS)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_title_letter_case_does_not_matter(words):
    title = " ".join(words)
    result = classify(_plain(title))
    for variant in (title.upper(), title.lower(), title.swapcase(), title.title()):
        assert classify(_plain(variant)) == result


def _plain(title):
    """A row whose only evidence is its title."""
    return {"title": title, "bundle_label": None, "components": []}
