"""A crawl's listings: save them in batches, their unread ones, read them back.

The crawl rows themselves: storage/crawls.py (re-exported here for callers)."""

from __future__ import annotations

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
from storage.db import write_transaction
from storage.facts import COMPLETE, FAILED, INCOMPLETE, RUNNING  # noqa: F401
from storage.migrations import FACT_COLUMNS
from storage.versions import ENCODE_ROWS as _ENCODE_ROWS
from storage.versions import last_seen, stored_versions

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
_JSON_AT = tuple(i for i, c in enumerate(FACT_COLUMNS) if c in JSON_COLUMNS)


_TEXTS: dict[tuple[str, ...], str] = {}  # lists of strings seen, encoded once


def _json(value) -> str:
    return _ENCODE(value)


def _json_list(value) -> str:
    """``_json`` of a JSON column's value; lists of strings (most of them: payment
    methods, channels, evidence, components) are looked up, not encoded again.
    Only strings are cached, so a hit is a list of strings (no other value equals
    a string); a list with unhashable elements is encoded."""
    if value.__class__ is list:
        key = tuple(value)
        try:
            text = _TEXTS.get(key)
        except TypeError:
            return _ENCODE(value)
        if text is None:
            text = _ENCODE(value)
            if all(v.__class__ is str for v in key):
                if len(_TEXTS) > 20_000:
                    _TEXTS.clear()
                _TEXTS[key] = text
        return text
    return _ENCODE(value)


def fact_row(item: dict) -> tuple:
    """The stored fact columns of a normalized item, in FACT_COLUMNS order.

    The values are read in one pass (``map`` of ``dict.get``) and only the JSON
    columns are visited again. A boolean elsewhere stays a boolean: SQLite stores
    it as the integer 0 or 1 (and versions are compared as stored)."""
    row = list(map(item.get, FACT_COLUMNS))
    for i in _JSON_AT:
        value = row[i]  # as given: a boolean here is JSON, not 0/1
        row[i] = _json_list(value) if value else "[]"
    return tuple(row)


def save_listings(db: Database, crawl_id: int, items: list[dict]) -> int:
    """Store one batch of normalized items of a crawl in one transaction.

    A listing's fields are stored again only when they changed; each item adds one
    narrow sighting row. Saving the same item twice in a crawl is a no-op.

    Versions are compared by their fields, not by a digest of them: a stored
    listing's last seen version is read with its key and compared in Python (most
    listings are unchanged); the others are staged (a temporary table whose
    columns are declared as in listing_versions, so a value compares as it would
    be stored) and matched in SQL against every version of their listing. New
    listings and versions are plain inserts numbered after the largest id (the
    batch holds the write lock); the narrow rows (new listings and payloads,
    sightings, listing updates) go to SQLite as one JSON array each rather than
    as an ``executemany``.
    """
    conn = db.conn
    platform, observed_at = conn.execute(
        "SELECT platform, observed_at FROM crawls WHERE id = ?", [crawl_id]
    ).fetchone()
    latest = {str(item["listing_id"]): item for item in items}  # last one wins
    _refuse_nul(latest)
    facts = {lid: fact_row(item) for lid, item in latest.items()}
    with write_transaction(db):
        keys, versions, unmatched, last = last_seen(conn, platform, facts)
        if unmatched:
            versions.update(stored_versions(conn, keys, facts, unmatched))
        if keys:
            _touch_listings(conn, observed_at, crawl_id, latest, keys)
        if len(keys) < len(latest):
            fresh = [lid for lid in latest if lid not in keys]
            keys.update(
                _insert_listings(conn, platform, observed_at, crawl_id, latest, fresh)
            )
        new = [lid for lid in latest if lid not in versions]
        if new:
            versions.update(_insert_versions(conn, crawl_id, new, keys, facts))
        _insert_sightings(conn, crawl_id, latest, keys, versions, last)
    return len(items)


_MAX_ROWID = 2**63 - 1


def _refuse_nul(latest: dict) -> None:
    """Listing ids and urls go to SQLite through ``json_each``, whose values end
    at a NUL: refuse the batch (before it writes) rather than store a cut id. The
    pipelines replace NUL by U+FFFD (``spiders.normalize.valid_text``)."""
    for lid, item in latest.items():
        url = item.get("url")
        if "\x00" in lid or (url.__class__ is str and "\x00" in url):
            raise ValueError(
                f"listing {lid!r:.80} has a NUL character in its id or url;"
                " replace it first (spiders.normalize.valid_text)"
            )


def _listing_keys(conn, platform: str, lids) -> dict[str, int]:
    """The keys of those of the listings ``lids`` that are stored."""
    return dict(
        conn.execute(
            "SELECT listing_id, id FROM listings WHERE platform = ?"
            " AND listing_id IN (SELECT value FROM json_each(?))",
            [platform, _ENCODE_ROWS(list(lids))],
        ).fetchall()
    )


def _top_id(conn, table: str, count: int) -> int | None:
    """The largest id of ``table`` when ``count`` more fit after it (else None:
    at the rowid limit SQLite picks free ids at random; the caller lets it)."""
    top = conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
    return top if top + count < _MAX_ROWID else None


def _touch_listings(conn, observed_at, crawl_id, latest, keys) -> None:
    """The stored listings of the batch: seen by this crawl, at their latest url."""
    conn.execute(
        "UPDATE listings SET url = j.value ->> 1, last_crawl_id = ?,"
        " last_seen_at = max(last_seen_at, ?) FROM json_each(?) j"
        " WHERE listings.id = j.value ->> 0",
        [
            crawl_id,
            observed_at,
            _ENCODE_ROWS(
                sorted(
                    (keys[lid], item.get("url"))
                    for lid, item in latest.items()
                    if lid in keys
                )
            ),
        ],
    )


def _insert_listings(conn, platform, observed_at, crawl_id, latest, fresh) -> dict:
    """Insert the listings new to the database; their keys by listing id."""
    top = _top_id(conn, "listings", len(fresh))
    conn.execute(
        f"INSERT INTO listings ({'id, ' if top is not None else ''}platform,"
        " listing_id, url, first_seen_at, last_seen_at, first_crawl_id,"
        f" last_crawl_id) SELECT {'?4 + j.key + 1, ' if top is not None else ''}"
        " ?1, j.value ->> 0, j.value ->> 1, ?2, ?2, ?3, ?3 FROM json_each(?5) j",
        [
            platform,
            observed_at,
            crawl_id,
            top,
            _ENCODE_ROWS([(lid, latest[lid].get("url")) for lid in fresh]),
        ],
    )
    if top is not None:
        return {lid: top + 1 + i for i, lid in enumerate(fresh)}
    return _listing_keys(conn, platform, fresh)


def _insert_versions(conn, crawl_id, new, keys, facts) -> dict[str, int]:
    """Insert a version for each listing ``new`` names; their ids by listing."""
    columns = ", ".join(FACT_COLUMNS)
    marks = ", ".join("?" * len(FACT_COLUMNS))
    top = _top_id(conn, "listing_versions", len(new))
    if top is not None:
        conn.executemany(
            f"INSERT INTO listing_versions (id, listing_key, first_crawl_id, {columns})"
            f" VALUES (?, ?, ?, {marks})",
            [
                (top + 1 + i, keys[lid], crawl_id, *facts[lid])
                for i, lid in enumerate(new)
            ],
        )
        return {lid: top + 1 + i for i, lid in enumerate(new)}
    sql = (
        f"INSERT INTO listing_versions (listing_key, first_crawl_id, {columns})"
        f" VALUES (?, ?, {marks})"
    )
    return {
        lid: conn.execute(sql, (keys[lid], crawl_id, *facts[lid])).lastrowid
        for lid in new
    }


def _insert_sightings(conn, crawl_id, latest, keys, versions, last) -> None:
    """One sighting row per listing of the batch, with its archive record.

    Its payload is its last sighting's when the body is the same (an unchanged
    page, a 304 revisit), else one new row per distinct digest of the batch (a
    listing page's items share theirs), numbered in sorted order. A digest is not
    looked up in the whole table (m011 dropped that index: its random keys had
    every batch write most of its pages again); a body that another listing or
    batch also had is stored again, 64 bytes."""
    rows, new = [], {}
    for lid, item in latest.items():
        evidence = item.get("evidence") or _NO_EVIDENCE
        sha, payload = evidence.get("sha256"), None
        if sha:
            before = last.get(lid)
            if before is not None and before[0] == sha:
                payload = before[1]
            else:
                new.setdefault(sha, []).append(len(rows))
        rows.append([keys[lid], versions[lid], evidence.get("offset"), payload])
    if new:
        for sha, payload in _insert_payloads(conn, sorted(new)).items():
            for at in new[sha]:
                rows[at][3] = payload
    rows.sort()
    conn.execute(
        "INSERT OR REPLACE INTO sightings"
        " (crawl_id, listing_key, version_id, warc_offset, payload_id)"
        " SELECT ?, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3"
        " FROM json_each(?) j",
        [crawl_id, _ENCODE_ROWS(rows)],
    )


def _insert_payloads(conn, digests: list[str]) -> dict[str, int]:
    """New payload rows for ``digests`` (sorted, distinct); their ids by digest."""
    top = _top_id(conn, "payloads", len(digests))
    if top is None:
        sql = "INSERT INTO payloads (sha256) VALUES (?)"
        return {sha: conn.execute(sql, [sha]).lastrowid for sha in digests}
    conn.execute(
        "INSERT INTO payloads (id, sha256) SELECT ? + j.key + 1, j.value"
        " FROM json_each(?) j",
        [top, _ENCODE_ROWS(digests)],
    )
    return {sha: top + 1 + i for i, sha in enumerate(digests)}


_NO_EVIDENCE: dict = {}


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
