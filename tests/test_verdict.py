"""The two-part verdict as a function: coverage per field, shrink and new baseline,
causes a maintainer can act on; and the folding every decision goes through."""

from __future__ import annotations

import pytest

from spiders.causes import failure_causes
from spiders.ledger import Ledger
from spiders.trust import COMPLETE, INCOMPLETE, Seen, Thresholds, verdict
from storage.fold import fold

EXC = "downloader/exception_type_count/twisted.internet.error."
FINE = {"prakerja/pages/announced": 3, "prakerja/pages/reached": 3}
FULL = {"title": 1.0, "price_idr": 1.0, "provider": 1.0, "prakerja_payment": 1.0}


def past(status, items, codes=(), coverage=None):
    return {
        "status": status,
        "items": items,
        "codes": list(codes),
        "coverage": coverage or FULL,
    }


def judge(items, history, announced=None, listed=None, coverage=None, stats=None):
    seen = Seen(
        items=items,
        listed=items if listed is None else listed,
        announced=announced,
        coverage=coverage or FULL,
    )
    return verdict("tokopedia", stats or FINE, "finished", seen, history)


def test_unexplained_drop_is_incomplete_then_a_new_baseline_after_two_crawls():
    history = [past(COMPLETE, 62)] * 3
    first = judge(49, history)  # no announced total to explain it
    assert (first.status, [r["code"] for r in first.reasons]) == (
        INCOMPLETE,
        ["item_count"],
    )
    second = judge(49, [past(INCOMPLETE, 49, ["item_count"]), *history])
    assert second.status == COMPLETE and second.readable and second.complete
    assert "the new baseline" in second.notice
    disagree = judge(40, [past(INCOMPLETE, 49, ["item_count"]), *history])
    assert disagree.status == INCOMPLETE  # 40 vs 49: not the same level


def test_drop_the_platforms_own_count_confirms_is_complete_with_a_notice():
    v = judge(49, [past(COMPLETE, 62)], announced=49)
    assert v.status == COMPLETE
    assert (
        v.notice
        == "catalogue shrank from 62 to 49, consistent with the platform's own count"
    )
    short = judge(49, [past(COMPLETE, 62)], announced=62)
    assert "listed_short" in [r["code"] for r in short.reasons]


def test_coverage_is_judged_per_field_against_the_platforms_history():
    history = [past(COMPLETE, 100, coverage={**FULL, "prakerja_payment": 0.95})]
    fine = judge(100, history, coverage={**FULL, "prakerja_payment": 0.85})
    assert fine.status == COMPLETE  # unknown payment allowed: a 10-point dip
    dropped = judge(100, history, coverage={**FULL, "prakerja_payment": 0.5})
    (reason,) = dropped.reasons
    assert (
        reason["message"]
        == "prakerja_payment: 50% of items have it, 95% in the recent complete crawls"
    )
    untitled = judge(100, [], coverage={**FULL, "title": 0.8})
    assert "title: only 80%" in untitled.reasons[0]["message"]


def test_first_crawl_has_no_history_to_fall_short_of():
    assert judge(10, [], coverage={**FULL, "provider": 0.0}).status == COMPLETE


@pytest.mark.parametrize(
    ("stats", "cause"),
    [
        (
            {EXC + "DNSLookupError": 3},
            "DNS lookup failed (3)",
        ),
        (
            {EXC + "ConnectionRefusedError": 2},
            "connection refused (2)",
        ),
        ({"downloader/exception_type_count/OpenSSL.SSL.Error": 1}, "TLS error (1)"),
        ({"robotstxt/forbidden": 4}, "4 requests disallowed by robots.txt"),
        (
            {
                "downloader/response_status_count/503": 12,
                "downloader/response_status_count/200": 5,
            },
            "HTTP 503 x12",
        ),
    ],
)
def test_no_listing_names_the_cause(stats, cause):
    assert failure_causes(stats) == cause
    v = verdict("tokopedia", stats, "finished", Seen(items=0), [])
    assert cause in v.reasons[0]["message"] and v.reasons[0]["code"] == "no_listing"


def test_layout_mismatch_names_the_page_type_and_what_failed():
    seen = Seen(items=5, listed=5, mismatches={("detail", "no window.__cache"): 2})
    (reason,) = verdict("tokopedia", FINE, "finished", seen, []).reasons
    assert reason["message"] == (
        "layout changed: 2 detail page(s) did not match the contract"
        " (no window.__cache)"
    )


def test_ledger_counts_distinct_ids_repeated_pages_and_unread():
    ledger = Ledger()
    ledger.page_listed(1, [" a ", "b"])
    ledger.page_listed(2, ["a", "b"])
    ledger.page_listed(3, ["c", "a"])
    assert sorted(ledger.listed) == ["a", "b", "c"]
    assert ledger.duplicate_pages == [(2, 1)] and ledger.duplicate_ids == 3
    ledger.gone.add("c")
    assert ledger.unread(stored={"a"}) == {"b"}


@pytest.mark.parametrize(
    "variant",
    [
        "Kartu  Prakerja",
        "Kartu\u00a0Prakerja",
        "Kartu\nPrakerja",
        "Kartu&nbsp;Prakerja",
        "Kartu&#160;Prakerja",
        "Kar\u200btu Prakerja",
        "\uff2bartu Prakerja",  # fullwidth K: NFKC
        " Kartu \t Prakerja ",
    ],
)
def test_fold_removes_what_a_page_varies_without_meaning(variant):
    assert fold(variant) == "Kartu Prakerja"
    assert fold(variant, casefold=True) == "kartu prakerja"
    assert Thresholds().baseline_crawls == 2
