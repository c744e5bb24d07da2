"""Saving batches: what an upgraded database keeps (m009), and the ids of new rows
when SQLite cannot number them one after another."""

import sqlite_utils
from helpers import stored_item

from storage import snapshots as s
from storage.db import connect, open_db
from storage.migrations import migrations

NOW = "2020-07-02T10:00:00+07:00"
LATER = "2020-07-03T10:00:00+07:00"
SHA = {n: f"{n:x}" * 64 for n in range(1, 6)}  # 64 hex digits each


def evidenced(listing_id, sha, offset, **fields):
    return {
        **stored_item(listing_id, **fields),
        "evidence": {"offset": offset, "sha256": sha},
    }


def save(db, now, items):
    cid = s.start_crawl(db, "tokopedia", observed_at=now)
    s.save_listings(db, cid, items)
    return cid


def view(db, cid):
    return [
        (
            r["listing_id"],
            r["version_id"],
            r["evidence_record_id"],
            r["evidence_sha256"],
        )
        for r in s.snapshot_rows(db, cid)
    ]


def test_m009_keeps_payload_ids_and_the_snapshots_view(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(connect(path))
    migrations.apply(old, stop_before="m009_payload_prefix_index")
    # a listing page's items share its payload; detail pages have their own
    first = save(
        old,
        NOW,
        [
            evidenced("1", SHA[3], 10),
            evidenced("2", SHA[3], 10),
            evidenced("3", SHA[1], 20),
        ],
    )
    payloads = old.execute("SELECT id, sha256 FROM payloads ORDER BY id").fetchall()
    before = view(old, first)
    old.close()

    db = open_db(path)  # applies m009
    try:
        assert db.execute("SELECT id, sha256 FROM payloads ORDER BY id").fetchall() == (
            payloads
        )
        assert view(db, first) == before
        indexes = {
            r[0] for r in db.execute("SELECT name FROM pragma_index_list('payloads')")
        }
        assert indexes == {"payloads_prefix"}
        # the same payloads again are found, not stored twice; a new one is next
        again = save(
            db, LATER, [evidenced("1", SHA[3], 30), evidenced("3", SHA[2], 40)]
        )
        assert db.execute("SELECT id, sha256 FROM payloads ORDER BY id").fetchall() == [
            *payloads,
            (len(payloads) + 1, SHA[2]),
        ]
        (one, three) = s.snapshot_rows(db, again)
        assert (one["evidence_sha256"], three["evidence_sha256"]) == (SHA[3], SHA[2])
        assert one["version_id"] == before[0][1]  # unchanged: the same version
    finally:
        db.close()


def test_new_rows_are_mapped_right_when_ids_are_not_consecutive(db):
    """At the rowid limit SQLite picks free ids at random: the keys and version
    ids are then read back rather than counted."""
    top = 2**63 - 1
    other = s.start_crawl(db, "pintaria", observed_at=NOW)
    db.execute(
        "INSERT INTO listings VALUES (?, 'pintaria', 'x', NULL, ?, ?, ?, ?)",
        [top, NOW, NOW, other, other],
    )
    db.execute(
        "INSERT INTO listing_versions (id, listing_key, digest, first_crawl_id)"
        " VALUES (?, ?, x'00', ?)",
        [top, top, other],
    )
    items = [
        stored_item(str(i), title=f"Kelas {i}", price_idr=1000 * i) for i in range(20)
    ]
    cid = save(db, LATER, items)
    rows = s.snapshot_rows(db, cid)
    assert [(r["listing_id"], r["title"], r["price_idr"]) for r in rows] == sorted(
        (str(i), f"Kelas {i}", 1000 * i) for i in range(20)
    )
    keys = db.execute(
        "SELECT l.listing_id, v.title FROM listing_versions v"
        " JOIN listings l ON l.id = v.listing_key WHERE v.first_crawl_id = ?",
        [cid],
    ).fetchall()
    assert sorted(keys) == sorted((str(i), f"Kelas {i}") for i in range(20))
