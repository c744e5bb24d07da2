"""The rule 'bundle payable with Kartu Prakerja after the halt', table-driven."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.judge.rules import (
    BUNDLE_AFTER_HALT,
    COMPLIANT,
    DEFAULT_PARTNERSHIPS,
    NEEDS_REVIEW,
    RULES,
    VIOLATION,
    Outcome,
    Rule,
    RuleSettings,
    Window,
    evaluate,
    is_partner,
    parse_time,
    settings_from_config,
)
from storage.classifier import classify

FIXTURES = Path(__file__).parent / "fixtures"
AFTER = "2020-07-08T10:00:00+07:00"


def row(**fields):
    base = {
        "platform": "tokopedia",
        "listing_id": "1",
        "observed_at": AFTER,
        "prakerja_payment": True,
        "available": True,
    }
    base.update(fields)
    return base


TABLE = [
    # (id, row, is_bundle, outcome, reason)
    ("payable-bundle", row(), True, VIOLATION, "bundle-payable-with-prakerja"),
    ("single", row(), False, COMPLIANT, "single"),
    (
        "other-methods-only",
        row(prakerja_payment=False),
        True,
        COMPLIANT,
        "not-payable-with-prakerja",
    ),
    (
        "payment-unknown",
        row(prakerja_payment=None),
        True,
        NEEDS_REVIEW,
        "prakerja-payment-unknown",
    ),
    ("single-unknown", row(prakerja_payment=None), False, COMPLIANT, "single"),
    ("unavailable", row(available=False), True, COMPLIANT, "unavailable"),
    (
        "unavailable-unknown-payment",
        row(available=False, prakerja_payment=None),
        True,
        COMPLIANT,
        "unavailable",
    ),
    (
        "availability-unknown",
        row(available=None),
        True,
        NEEDS_REVIEW,
        "availability-unknown",
    ),
    (
        "just-before-halt",
        row(observed_at="2020-06-29T23:59:59+07:00"),
        True,
        COMPLIANT,
        "before-halt",
    ),
    (
        "at-halt",
        row(observed_at="2020-06-30T00:00:00+07:00"),
        True,
        VIOLATION,
        "bundle-payable-with-prakerja",
    ),
    (
        "at-halt-in-utc",
        row(observed_at="2020-06-29T17:00:00+00:00"),
        True,
        VIOLATION,
        "bundle-payable-with-prakerja",
    ),
    (
        "before-halt-in-utc",
        row(observed_at="2020-06-29T16:59:59Z"),
        True,
        COMPLIANT,
        "before-halt",
    ),
    (
        "naive-is-jakarta",
        row(observed_at="2020-06-30T00:00:00"),
        True,
        VIOLATION,
        "bundle-payable-with-prakerja",
    ),
    (
        "sqlite-ints",
        row(prakerja_payment=1, available=1),
        True,
        VIOLATION,
        "bundle-payable-with-prakerja",
    ),
    (
        "sqlite-zero",
        row(prakerja_payment=0),
        True,
        COMPLIANT,
        "not-payable-with-prakerja",
    ),
    (
        "skillacademy-partner",
        row(platform="skillacademy", observed_at="2020-09-03T23:59:59+07:00"),
        True,
        VIOLATION,
        "bundle-payable-with-prakerja",
    ),
    (
        "skillacademy-left",
        row(platform="skillacademy", observed_at="2020-09-04T00:00:00+07:00"),
        True,
        COMPLIANT,
        "not-a-partner",
    ),
    (
        "others-stay",
        row(platform="bukalapak", observed_at="2021-01-01T00:00:00+07:00"),
        True,
        VIOLATION,
        "bundle-payable-with-prakerja",
    ),
    ("unknown-platform", row(platform="shopee"), True, COMPLIANT, "not-a-partner"),
    ("no-time", row(observed_at=None), True, NEEDS_REVIEW, "observed-at-unknown"),
    (
        "bad-time",
        row(observed_at="8 Juli 2020"),
        True,
        NEEDS_REVIEW,
        "observed-at-unknown",
    ),
]


@pytest.mark.parametrize(
    ("snapshot", "is_bundle", "outcome", "reason"),
    [pytest.param(*case[1:], id=case[0]) for case in TABLE],
)
def test_bundle_after_halt(snapshot, is_bundle, outcome, reason):
    result = evaluate(BUNDLE_AFTER_HALT, snapshot, {"is_bundle": is_bundle})
    assert result == Outcome(outcome, reason, "bundle-prakerja-after-halt", "1")
    assert result.is_violation is (outcome == VIOLATION)


@pytest.mark.parametrize(
    "classification",
    [
        True,
        {"is_bundle": True},
        {"is_bundle": 1},
        classify({"title": "Paket Kelas", "bundle_label": "Paket"}),
        classify({"title": "Kelas", "components": ["A", "B"]}),
        {"is_bundle": 1, "bundle_reasons": ["components:2", "title:Paket"]},
    ],
)
def test_classification_shapes(classification):
    assert evaluate(BUNDLE_AFTER_HALT, row(), classification).outcome == VIOLATION


@pytest.mark.parametrize(
    "classification",
    [
        classify({"title": "Paket Kelas"}),
        classify({"title": "Bundling Digital Marketing"}),
        classify({"title": "3 Kelas Excel"}),
        {"is_bundle": 1, "bundle_reasons": ["title:Paket"]},
    ],
)
def test_a_title_word_alone_is_needs_review_not_a_violation(classification):
    """Structure decides: no label and no listed classes is not enough to accuse."""
    result = evaluate(BUNDLE_AFTER_HALT, row(), classification)
    assert (result.outcome, result.reason) == (
        NEEDS_REVIEW,
        "bundle-by-title-word-only",
    )


@pytest.mark.parametrize(
    "classification", [False, {"is_bundle": 0}, {"is_bundle": None}, {}, None]
)
def test_not_bundles(classification):
    assert evaluate(BUNDLE_AFTER_HALT, row(), classification).reason == "single"


def test_halt_is_configurable():
    later = RuleSettings(halt_at="2020-07-15T00:00:00+07:00")
    result = evaluate(BUNDLE_AFTER_HALT, row(), True, later)
    assert (result.outcome, result.reason) == (COMPLIANT, "before-halt")


def test_partnership_windows_from_config():
    settings = settings_from_config(
        {
            "halt_at": "2020-06-30T00:00:00+07:00",
            "partnerships": {
                "tokopedia": [{"start": "2020-03-01T00:00+07:00", "end": AFTER}],
                "pintaria": [["2020-03-01T00:00+07:00", None]],
            },
        }
    )
    assert evaluate(BUNDLE_AFTER_HALT, row(), True, settings).reason == "not-a-partner"
    pintaria = row(platform="pintaria")
    assert evaluate(BUNDLE_AFTER_HALT, pintaria, True, settings).outcome == VIOLATION
    skill = row(platform="skillacademy", observed_at="2020-09-05T00:00:00+07:00")
    assert evaluate(BUNDLE_AFTER_HALT, skill, True, settings).reason == "not-a-partner"


def test_settings_from_the_config_file_shape():
    settings = settings_from_config(
        {
            "halt": "2020-07-01T00:00:00+07:00",
            "partners": {
                "tokopedia": {"from": "2020-03-01T00:00:00+07:00", "until": None},
                "skillacademy": {
                    "from": "2020-03-01T00:00:00+07:00",
                    "until": "2020-08-01T00:00:00+07:00",
                },
            },
        }
    )
    early = row(observed_at="2020-06-30T12:00:00+07:00")
    assert evaluate(BUNDLE_AFTER_HALT, early, True, settings).reason == "before-halt"
    skill = row(platform="skillacademy", observed_at="2020-08-01T00:00:00+07:00")
    assert evaluate(BUNDLE_AFTER_HALT, skill, True, settings).reason == "not-a-partner"
    assert evaluate(BUNDLE_AFTER_HALT, row(), True, settings).outcome == VIOLATION


def test_config_rejects_bad_times():
    with pytest.raises(ValueError):
        settings_from_config({"halt_at": "30 Juni 2020"})
    with pytest.raises(ValueError):
        settings_from_config({"partnerships": {"x": [{"start": "soon"}]}})
    with pytest.raises(ValueError):
        settings_from_config({"partners": {"x": {"until": AFTER}}})


def test_default_windows():
    assert set(DEFAULT_PARTNERSHIPS) == {
        "bukalapak",
        "maubelajarapa",
        "pijarmahir",
        "pintaria",
        "sekolahmu",
        "sisnaker",
        "skillacademy",
        "tokopedia",
    }
    assert DEFAULT_PARTNERSHIPS["skillacademy"] == (
        Window("2020-03-01T00:00:00+07:00", "2020-09-04T00:00:00+07:00"),
    )
    settings = RuleSettings()
    before = parse_time("2020-02-29T23:59:59+07:00")
    assert not is_partner("bukalapak", before, settings)
    assert is_partner("bukalapak", parse_time("2020-03-01T00:00:00+07:00"), settings)


def test_parse_time_accepts_datetimes():
    moment = datetime(2020, 7, 1, tzinfo=UTC)
    assert parse_time(moment) is moment
    assert parse_time("2020-07-01").utcoffset().total_seconds() == 7 * 3600


def test_rules_are_data():
    assert RULES == (BUNDLE_AFTER_HALT,)
    assert BUNDLE_AFTER_HALT.id == "bundle-prakerja-after-halt"
    assert BUNDLE_AFTER_HALT.effective_from == "2020-06-30T00:00:00+07:00"
    with pytest.raises(ValueError):
        evaluate(Rule("no-such-rule", "1", AFTER, ""), row(), True)


def _expected_items():
    return [
        pytest.param(item, id=f"{item['platform']}-{item['listing_id']}")
        for path in sorted(FIXTURES.glob("*/expected.json"))
        for item in json.loads(path.read_text("utf-8"))["items"]
    ]


@pytest.mark.parametrize("item", _expected_items())
def test_expected_items_match_the_monitor_flag(item):
    """replica/data/CONTRACTS.md §2: flag = is_bundle and payable and available."""
    snapshot = dict(item, observed_at=AFTER)
    result = evaluate(BUNDLE_AFTER_HALT, snapshot, classify(item))
    flag = item["is_bundle"] and item["prakerja_payment"] is True and item["available"]
    assert result.is_violation is flag
    review = (
        item["is_bundle"] and item["available"] and item["prakerja_payment"] is None
    )
    assert (result.outcome == NEEDS_REVIEW) is review


def test_sample_violations_are_the_bundle_prakerja_items():
    flagged = {
        p.values[0]["listing_id"]
        for p in _expected_items()
        if evaluate(
            BUNDLE_AFTER_HALT,
            dict(p.values[0], observed_at=AFTER),
            classify(p.values[0]),
        ).is_violation
    }
    assert {"4g1m2xb", "4203", "5188", "2342", "1071", "PK-2020-00142"} <= flagged
    assert {"4g1n7ty", "4219", "5190", "2351", "1078", "1190402219"}.isdisjoint(flagged)
