"""Diffs between complete crawls, written to ``changes`` by SQL."""

from test_storage import crawl, item

from storage import diff


def test_first_crawl_is_all_added(db):
    new = crawl(db, [item("1"), item("2")])
    assert diff.diff_crawls(db, None, new) == {"added": 2, "changed": 0}


def test_added_changed_field_by_field(db):
    old = crawl(db, [item("1"), item("2"), item("3")])
    new = crawl(
        db,
        [
            item("1"),
            item("2", price_idr=50000, prakerja_payment=False),
            item("4"),
        ],
    )
    assert diff.diff_crawls(db, old, new) == {"added": 1, "changed": 2}
    rows = {
        (r["listing_id"], r["kind"], r["field"], r["old_value"], r["new_value"])
        for r in diff.changes_for(db, new)
    }
    assert rows == {
        ("4", "added", None, None, None),
        ("2", "changed", "price_idr", "100000", "50000"),
        ("2", "changed", "prakerja_payment", "1", "0"),
    }


def test_diff_is_idempotent(db):
    old = crawl(db, [item("1")])
    new = crawl(db, [item("1", title="Baru"), item("2")])
    diff.diff_crawls(db, old, new)
    diff.diff_crawls(db, old, new)
    assert len(diff.changes_for(db, new)) == 2


def test_removal_candidates_count_complete_misses_only(db):
    crawl(db, [item("1"), item("2")])
    crawl(db, [item("1")], status="incomplete")  # untrusted: does not count
    second = crawl(db, [item("1")])
    (cand,) = diff.removal_candidates(db, "tokopedia", second)
    assert (cand["listing_id"], cand["missed"]) == ("2", 1)
    third = crawl(db, [item("1")])
    (cand,) = diff.removal_candidates(db, "tokopedia", third)
    assert cand["missed"] == 2
    diff.record_removals(db, "tokopedia", third, [{**cand, "why": "gone"}])
    assert diff.removal_candidates(db, "tokopedia", third) == []
    assert [r["kind"] for r in diff.changes_for(db, third)] == ["removed"]
