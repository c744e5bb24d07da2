"""Storage: versioned listings, narrow sightings, crawl lifecycle, snapshots view."""

import os
import subprocess
import sys

from helpers import stored_item

from storage import snapshots as s

NOW = "2020-07-02T10:00:00+07:00"


def item(listing_id, **fields):
    return stored_item(listing_id, **fields)


def crawl(db, items, status="complete", now=NOW):
    cid = s.start_crawl(db, "tokopedia", observed_at=now)
    s.save_listings(db, cid, items)
    s.finish_crawl(db, cid, status, "finished", len(items), len(items), 0, [])
    return cid


def test_crawl_row_is_running_then_closed_with_health(db):
    cid = s.start_crawl(db, "tokopedia", observed_at=NOW)
    assert s.get_crawl(db, cid)["status"] == "running"
    reasons = [{"code": "layout_mismatch", "message": "layout changed"}]
    s.finish_crawl(db, cid, "incomplete", "finished", 0, 3, 0, reasons)
    row = s.get_crawl(db, cid)
    assert (row["status"], row["health"], row["observed_at"]) == (
        "incomplete",
        reasons,
        NOW,
    )
    assert row["finished_at"] is not None


def test_snapshots_view_returns_the_stored_item(db):
    cid = crawl(db, [item("1", components=["A", "B"])])
    (row,) = s.snapshot_rows(db, cid)
    assert row["components"] == ["A", "B"]
    assert row["payment_methods"] == ["Kartu Prakerja", "OVO"]
    assert (row["platform"], row["listing_id"], row["observed_at"]) == (
        "tokopedia",
        "1",
        NOW,
    )
    assert row["prakerja_payment"] == 1 and row["price_idr"] == 100000


def test_unchanged_recrawl_adds_no_version_and_one_sighting_each(db):
    items = [item(str(i)) for i in range(50)]
    crawl(db, items)
    versions = db["listing_versions"].count
    crawl(db, items, now="2020-07-03T10:00:00+07:00")
    assert db["listing_versions"].count == versions == 50
    assert db["sightings"].count == 100
    assert db["listings"].count == 50
    (last_seen,) = {r["last_seen_at"] for r in db["listings"].rows}
    assert last_seen == "2020-07-03T10:00:00+07:00"


def test_changed_field_stores_a_new_version(db):
    crawl(db, [item("1")])
    second = crawl(db, [item("1", price_idr=90000)])
    assert db["listing_versions"].count == 2
    assert s.snapshot_rows(db, second)[0]["price_idr"] == 90000


def versions_seen(db, cids):
    return [[r["version_id"] for r in s.snapshot_rows(db, cid)] for cid in cids]


def test_versions_are_compared_as_stored_not_as_given(db):
    """Values that differ in Python but are stored alike are the same version:
    a price scraped as text (stored as an integer), a whole rating given as an
    int then as a float (stored REAL), a NaN rating (stored NULL), a boolean
    and its 0/1; a value stored differently is a new version."""
    shapes = [
        {"price_idr": "100000"},
        {"rating": 4},
        {"rating": float("nan")},
        {"available": True},
    ]
    again = [
        {"price_idr": 100000},
        {"rating": 4.0},
        {"rating": float("nan")},
        {"available": 1},
    ]
    first = crawl(db, [item(str(i), **f) for i, f in enumerate(shapes)])
    later = "2020-07-03T10:00:00+07:00"
    second = crawl(db, [item(str(i), **f) for i, f in enumerate(again)], now=later)
    third = crawl(db, [item(str(i), **f) for i, f in enumerate(shapes)], now=later)
    assert db["listing_versions"].count == 4
    assert versions_seen(db, [first]) * 3 == versions_seen(db, [first, second, third])
    changed = crawl(db, [item("0", price_idr="100001"), item("1", rating=4.5)])
    assert db["listing_versions"].count == 6
    assert versions_seen(db, [changed]) == [[5, 6]]


def test_a_listing_changed_back_sees_its_older_version_again(db):
    one = crawl(db, [item("1"), item("2")])
    two = crawl(db, [item("1", price_idr=90000), item("2")])
    three = crawl(db, [item("1"), item("2")])
    assert db["listing_versions"].count == 3
    assert versions_seen(db, [one, two, three]) == [[1, 2], [3, 2], [1, 2]]
    assert db["sightings"].count == 6


def test_storing_the_same_crawl_twice_does_not_duplicate_rows(db):
    cid = s.start_crawl(db, "tokopedia", observed_at=NOW)
    batch = [item("1"), item("2")]
    s.save_listings(db, cid, batch)
    s.save_listings(db, cid, batch)
    assert db["sightings"].count == 2
    assert db["listing_versions"].count == 2
    assert db["listings"].count == 2


def test_hostile_title_stored_verbatim(db):
    title = (
        "<script>alert(1)</script>\r\nBcc: x@y.z'; DROP TABLE crawls;--" + "é" * 100_000
    )
    cid = crawl(db, [item("1", title=title)])
    assert s.snapshot_rows(db, cid)[0]["title"] == title
    assert db["crawls"].exists()


def test_recent_complete_counts_ignore_untrusted_crawls(db):
    crawl(db, [item("1"), item("2")])
    crawl(db, [item("1")], status="incomplete")
    crawl(db, [item("1"), item("2"), item("3")])
    assert s.recent_complete_counts(db, "tokopedia") == [3, 2]


def test_crawl_left_running_by_a_dead_process_is_marked_failed(db, tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    cid = s.start_crawl(db, "tokopedia", observed_at=NOW, pid=int(dead))
    assert s.mark_stale_crawls_failed(db) == [cid]
    row = s.get_crawl(db, cid)
    assert row["status"] == "failed"
    assert "interrupted" in row["health"][0]["message"]
    mine = s.start_crawl(db, "tokopedia", observed_at=NOW, pid=os.getpid())
    assert s.mark_stale_crawls_failed(db) == []
    assert s.get_crawl(db, mine)["status"] == "running"


def test_database_uses_wal(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
