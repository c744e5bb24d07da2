"""A crawl's listings: save them in batches, their unread ones, read them back.

The crawl rows themselves: storage/crawls.py (re-exported here for callers)."""

from __future__ import annotations

import hashlib
import json

from sqlite_utils import Database

from storage.crawls import (  # noqa: F401 - callers use snapshots.*
    add_crawl_reason,
    crawl_of_process,
    fail_crawl,
    finish_crawl,
    get_crawl,
    latest_crawls,
    mark_stale_crawls_failed,
    now_iso,
    recent_complete_counts,
    recent_listing_pages,
    record_failed_crawl,
    start_crawl,
)
from storage.db import insert_numbered, write_transaction
from storage.evidence import payload_keys
from storage.facts import COMPLETE, FAILED, INCOMPLETE, RUNNING  # noqa: F401
from storage.migrations import FACT_COLUMNS

JSON_COLUMNS = {
    "bundle_keywords",
    "components",
    "payment_methods",
    "payment_channels",
    "prakerja_evidence",
}


# One encoder for every call: json.dumps with these options builds a new one each
# time (most of the cost of saving a batch); the text is the same.
_ENCODE = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":")
).encode
_JSON_AT = tuple((i, c) for i, c in enumerate(FACT_COLUMNS) if c in JSON_COLUMNS)


_TEXTS: dict[tuple[str, ...], str] = {}  # lists of strings seen, encoded once


def _json(value) -> str:
    return _ENCODE(value)


def _json_list(value) -> str:
    """``_json`` of a JSON column's value; lists of strings (most of them: payment
    methods, channels, evidence, components) are looked up, not encoded again."""
    if type(value) is list and all(type(v) is str for v in value):
        key = tuple(value)
        text = _TEXTS.get(key)
        if text is None:
            if len(_TEXTS) > 20_000:
                _TEXTS.clear()
            text = _TEXTS[key] = _ENCODE(value)
        return text
    return _ENCODE(value)


def fact_row(item: dict) -> tuple:
    """The stored fact columns of a normalized item, in FACT_COLUMNS order.

    The values are read in one pass (``map`` of ``dict.get``), booleans become
    0/1, and only the JSON columns are visited again: the per-column branch in
    Python was most of the cost of saving a batch."""
    row = [int(v) if v.__class__ is bool else v for v in map(item.get, FACT_COLUMNS)]
    for i, column in _JSON_AT:
        value = item.get(column)  # as given: a boolean here is JSON, not 0/1
        row[i] = _json_list(value) if value else "[]"
    return tuple(row)


def digest(row: tuple) -> bytes:
    return hashlib.blake2b(_json(row).encode(), digest_size=16).digest()


def save_listings(db: Database, crawl_id: int, items: list[dict]) -> int:
    """Store one batch of normalized items of a crawl in one transaction.

    A listing's fields are stored again only when they changed; each item adds one
    narrow sighting row. Saving the same item twice in a crawl is a no-op. The
    batch goes to SQLite in a few ``executemany`` calls and set lookups: the
    listings already stored are read first, so the new ones are plain inserts,
    and only the known ones can have a stored version to look up.
    """
    conn = db.conn
    platform, observed_at = conn.execute(
        "SELECT platform, observed_at FROM crawls WHERE id = ?", [crawl_id]
    ).fetchone()
    latest = {str(item["listing_id"]): item for item in items}  # last one wins
    facts = {lid: fact_row(item) for lid, item in latest.items()}
    sigs = {lid: digest(row) for lid, row in facts.items()}
    with write_transaction(db):
        keys = _listing_keys(conn, platform, latest)
        known = [(keys[lid], sigs[lid]) for lid in latest if lid in keys]
        if keys:
            _touch_listings(conn, observed_at, crawl_id, latest, keys)
        if len(keys) < len(latest):
            fresh = [lid for lid in latest if lid not in keys]
            keys.update(
                _insert_listings(conn, platform, observed_at, crawl_id, latest, fresh)
            )
        wanted = {(keys[lid], sigs[lid]): lid for lid in latest}
        versions = _version_ids(conn, known) if known else {}
        new = [pair for pair in wanted if pair not in versions]
        if new:
            versions.update(_insert_versions(conn, crawl_id, new, wanted, facts))
        _insert_sightings(db, crawl_id, latest, wanted, versions)
    return len(items)


def _listing_keys(conn, platform: str, lids) -> dict[str, int]:
    """The keys of those of the listings ``lids`` that are stored."""
    return dict(
        conn.execute(
            "SELECT listing_id, id FROM listings WHERE platform = ?"
            " AND listing_id IN (SELECT value FROM json_each(?))",
            [platform, json.dumps(list(lids))],
        ).fetchall()
    )


def _touch_listings(conn, observed_at, crawl_id, latest, keys) -> None:
    """The stored listings of the batch: seen by this crawl, at their latest url."""
    conn.executemany(
        "UPDATE listings SET url = ?, last_crawl_id = ?,"
        " last_seen_at = max(last_seen_at, ?) WHERE id = ?",
        [
            (item.get("url"), crawl_id, observed_at, keys[lid])
            for lid, item in latest.items()
            if lid in keys
        ],
    )


def _insert_listings(conn, platform, observed_at, crawl_id, latest, fresh) -> dict:
    """Insert the listings new to the database; their keys by listing id."""
    rows = [
        (platform, lid, latest[lid].get("url"), observed_at, observed_at)
        + (crawl_id, crawl_id)
        for lid in fresh
    ]
    first = insert_numbered(
        conn,
        "INSERT INTO listings (platform, listing_id, url, first_seen_at,"
        " last_seen_at, first_crawl_id, last_crawl_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
        "listings",
        "platform, listing_id",
    )
    if first is not None:
        return {lid: first + i for i, lid in enumerate(fresh)}
    return _listing_keys(conn, platform, fresh)


def _insert_sightings(db: Database, crawl_id, latest, wanted, versions) -> None:
    """One sighting row per listing of the batch, with its archive record."""
    payloads = payload_keys(
        db, {(i.get("evidence") or {}).get("sha256") for i in latest.values()}
    )
    db.conn.executemany(
        "INSERT OR REPLACE INTO sightings"
        " (crawl_id, listing_key, version_id, warc_offset, payload_id)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (
                crawl_id,
                key,
                versions[(key, sig)],
                (item.get("evidence") or {}).get("offset"),
                payloads.get((item.get("evidence") or {}).get("sha256")),
            )
            for (key, sig), lid in wanted.items()
            for item in (latest[lid],)
        ],
    )


def _insert_versions(conn, crawl_id, new, wanted, facts) -> dict:
    """Insert the new versions; their ids, without reading them back when SQLite
    numbered them one after another."""
    first = insert_numbered(
        conn,
        f"INSERT INTO listing_versions (listing_key, digest, first_crawl_id,"
        f" {', '.join(FACT_COLUMNS)})"
        f" VALUES (?, ?, ?, {', '.join('?' * len(FACT_COLUMNS))})",
        [(key, sig, crawl_id, *facts[wanted[(key, sig)]]) for key, sig in new],
        "listing_versions",
        "listing_key, digest",
    )
    if first is not None:
        return {pair: first + i for i, pair in enumerate(new)}
    return _version_ids(conn, new)


def _version_ids(conn, pairs: list) -> dict[tuple[int, bytes], int]:
    """Ids of the versions already stored among (listing_key, digest) pairs."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS wanted_versions"
        " (listing_key INTEGER, digest BLOB)"
    )
    conn.execute("DELETE FROM wanted_versions")
    conn.executemany("INSERT INTO wanted_versions VALUES (?, ?)", pairs)
    rows = conn.execute(
        "SELECT v.listing_key, v.digest, v.id FROM wanted_versions w"
        " JOIN listing_versions v ON v.listing_key = w.listing_key"
        " AND v.digest = w.digest"
    ).fetchall()
    return {(key, sig): vid for key, sig, vid in rows}


def save_unread(db: Database, crawl_id: int, listing_ids: set[str]) -> int:
    """Record listings the crawl saw listed but could not read."""
    if not listing_ids:
        return 0
    with write_transaction(db):
        db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS unread_ids (listing_id TEXT PRIMARY KEY)"
        )
        db.execute("DELETE FROM unread_ids")
        db.conn.executemany(
            "INSERT OR IGNORE INTO unread_ids VALUES (?)", [(i,) for i in listing_ids]
        )
        cursor = db.execute(
            "INSERT OR IGNORE INTO unread (crawl_id, listing_key)"
            " SELECT c.id, l.id FROM crawls c"
            " JOIN listings l ON l.platform = c.platform"
            " JOIN unread_ids u ON u.listing_id = l.listing_id WHERE c.id = ?",
            [crawl_id],
        )
    return cursor.rowcount


def snapshot_rows(db: Database, crawl_id: int) -> list[dict]:
    """Every snapshot row of a crawl, JSON columns decoded."""
    out = []
    for row in db.query(
        "SELECT * FROM snapshots WHERE crawl_id = ? ORDER BY listing_id", [crawl_id]
    ):
        for column in JSON_COLUMNS | {"bundle_reasons"}:
            if row.get(column) is not None:
                row[column] = json.loads(row[column])
        out.append(row)
    return out
