"""Saving batches: what an upgraded database keeps (m009 to m011), and the ids of
new rows when SQLite cannot number them one after another."""

import hashlib
import json
import sqlite3

import pytest
import sqlite_utils
from helpers import stored_item

from storage import snapshots as s
from storage.db import connect, open_db
from storage.migrations import FACT_COLUMNS, migrations

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


def old_save(db, now, items):
    """A crawl saved as the code before m010 saved it: a version per distinct
    digest of the fact row (a UNIQUE (listing_key, digest) index), payloads
    numbered in sorted order."""
    conn = db.conn
    cid = s.start_crawl(db, "tokopedia", observed_at=now)
    shas = sorted({i["evidence"]["sha256"] for i in items if i.get("evidence")})
    for sha in shas:
        if not conn.execute(
            "SELECT 1 FROM payloads WHERE sha256 = ?", [sha]
        ).fetchone():
            conn.execute("INSERT INTO payloads (sha256) VALUES (?)", [sha])
    for item in items:
        lid, facts = item["listing_id"], s.fact_row(item)
        digest = hashlib.blake2b(json.dumps(facts).encode(), digest_size=16).digest()
        conn.execute(
            "INSERT INTO listings (platform, listing_id, url, first_seen_at,"
            " last_seen_at, first_crawl_id, last_crawl_id) VALUES"
            " ('tokopedia', ?1, ?2, ?3, ?3, ?4, ?4) ON CONFLICT DO UPDATE SET"
            " last_seen_at = ?3, last_crawl_id = ?4",
            [lid, item["url"], now, cid],
        )
        (key,) = conn.execute(
            "SELECT id FROM listings WHERE listing_id = ?", [lid]
        ).fetchone()
        columns = ", ".join(FACT_COLUMNS)
        conn.execute(
            f"INSERT OR IGNORE INTO listing_versions (listing_key, digest,"
            f" first_crawl_id, {columns}) VALUES (?, ?, ?,"
            f" {', '.join('?' * len(FACT_COLUMNS))})",
            [key, digest, cid, *facts],
        )
        (version,) = conn.execute(
            "SELECT id FROM listing_versions WHERE listing_key = ? AND digest = ?",
            [key, digest],
        ).fetchone()
        evidence = item.get("evidence") or {}
        payload = conn.execute(
            "SELECT id FROM payloads WHERE sha256 = ?", [evidence.get("sha256")]
        ).fetchone()
        conn.execute(
            "INSERT INTO sightings (crawl_id, listing_key, version_id, warc_offset,"
            " payload_id) VALUES (?, ?, ?, ?, ?)",
            [cid, key, version, evidence.get("offset"), payload and payload[0]],
        )
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
    first = old_save(
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

    db = open_db(path)  # applies m009, then m010 and m011
    try:
        assert db.execute("SELECT id, sha256 FROM payloads ORDER BY id").fetchall() == (
            payloads
        )
        assert view(db, first) == before
        indexes = {
            r[0] for r in db.execute("SELECT name FROM pragma_index_list('payloads')")
        }
        assert indexes == set()  # m009's prefix index, dropped by m011
        # a listing's unchanged body reuses its last payload; a new one is next
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
        "INSERT INTO listing_versions (id, listing_key, first_crawl_id)"
        " VALUES (?, ?, ?)",
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


def test_m010_keeps_versions_and_judgments_and_finds_them_by_their_fields(tmp_path):
    """m010 rebuilds listing_versions without the digest (judgments refer to it):
    same ids and fields, judgments kept, foreign keys on and holding; then an
    unchanged re-save reuses each listing's version, a changed one adds one, and
    one changed back finds its older version instead of storing it again."""
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(connect(path))
    migrations.apply(old, stop_before="m010_versions_without_digest")
    items = [stored_item(str(i), price_idr=1000 * i) for i in range(1, 6)]
    first = old_save(old, NOW, items)
    second = old_save(old, LATER, [{**items[0], "price_idr": 7}, *items[1:]])
    old.execute(
        "INSERT INTO judgments (version_id, classifier_version, is_bundle,"
        " bundle_reasons) SELECT id, 'v1', 0, '[]' FROM listing_versions"
    )
    before = old.execute("SELECT * FROM listing_versions ORDER BY id").fetchall()
    assert len(before) == 6
    sights = old.execute("SELECT * FROM sightings ORDER BY 1, 2").fetchall()
    old.conn.commit()
    old.close()

    db = open_db(path)
    try:
        columns = [r[1] for r in db.execute("PRAGMA table_info(listing_versions)")]
        assert "digest" not in columns
        after = db.execute(
            f"SELECT id, listing_key, first_crawl_id, {', '.join(FACT_COLUMNS)}"
            " FROM listing_versions ORDER BY id"
        ).fetchall()
        assert after == [(r[0], r[1], r[3], *r[4:]) for r in before]
        assert db.execute("SELECT count(*) FROM judgments").fetchone()[0] == 6
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("SELECT * FROM sightings ORDER BY 1, 2").fetchall() == sights
        indexes = {
            r[0]
            for r in db.execute(
                "SELECT name FROM pragma_index_list('listing_versions')"
            )
        }
        assert indexes == {"listing_versions_listing"}
        with pytest.raises(sqlite3.IntegrityError):  # still enforced
            db.execute(
                "INSERT INTO judgments (version_id, classifier_version, is_bundle,"
                " bundle_reasons) VALUES (999, 'v1', 0, '[]')"
            )

        third = save(db, "2020-07-04T10:00:00+07:00", items)  # item 1 changed back
        rows = {r["listing_id"]: r["version_id"] for r in s.snapshot_rows(db, third)}
        first_rows = {
            r["listing_id"]: r["version_id"] for r in s.snapshot_rows(db, first)
        }
        assert rows == first_rows  # every version found again, none stored twice
        assert db.execute("SELECT count(*) FROM listing_versions").fetchone()[0] == 6
        fourth = save(db, "2020-07-05T10:00:00+07:00", [{**items[1], "title": "Baru"}])
        (row,) = s.snapshot_rows(db, fourth)
        assert row["version_id"] == 7 and row["title"] == "Baru"
        assert second < third < fourth
    finally:
        db.close()


def test_payloads_are_shared_in_a_batch_and_reused_by_an_unchanged_listing(db):
    """A listing page's items share one payload row; a recrawl of the same body
    (a 304 revisit) reuses the listing's last payload; a changed body is new;
    at the rowid limit the new payloads are numbered by SQLite, read back."""
    first = save(
        db,
        NOW,
        [
            evidenced("1", SHA[1], 10),
            evidenced("2", SHA[1], 10),
            evidenced("3", SHA[2], 20),
        ],
    )
    assert db.execute("SELECT id, sha256 FROM payloads ORDER BY id").fetchall() == [
        (1, SHA[1]),
        (2, SHA[2]),
    ]
    again = save(
        db,
        LATER,
        [
            evidenced("1", SHA[1], 30),
            evidenced("2", SHA[1], 30),
            evidenced("3", SHA[3], 40),
        ],
    )
    assert db.execute("SELECT count(*) FROM payloads").fetchone()[0] == 3
    shas = [(r["listing_id"], r["evidence_sha256"]) for r in s.snapshot_rows(db, again)]
    assert shas == [("1", SHA[1]), ("2", SHA[1]), ("3", SHA[3])]
    ids = db.execute(
        "SELECT crawl_id, listing_key, payload_id FROM sightings ORDER BY 1, 2"
    ).fetchall()
    assert [i[2] for i in ids] == [1, 1, 2, 1, 1, 3]

    db.execute("INSERT INTO payloads (id, sha256) VALUES (?, 'f')", [2**63 - 1])
    third = save(db, "2020-07-04T10:00:00+07:00", [evidenced("4", SHA[4], 50)])
    ((_, sha),) = [
        (r["listing_id"], r["evidence_sha256"]) for r in s.snapshot_rows(db, third)
    ]
    assert sha == SHA[4] and first < again < third
