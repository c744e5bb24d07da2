"""Diffs between two complete crawls of a platform, computed in SQL into ``changes``."""

from __future__ import annotations

from sqlite_utils import Database

from storage.db import write_transaction
from storage.migrations import FACT_COLUMNS

ADDED, REMOVED, CHANGED = "added", "removed", "changed"

# One scan of the new crawl's sightings against the old crawl's: the added and the
# changed listings (a different version), with both versions, into a temp table.
_PAIRS_SQL = """
CREATE TEMP TABLE diff_pairs AS
SELECT n.listing_key, o.version_id AS old_version, n.version_id AS new_version
FROM sightings n
LEFT JOIN sightings o ON o.crawl_id = :old AND o.listing_key = n.listing_key
WHERE n.crawl_id = :new AND o.version_id IS NOT n.version_id
"""
_ADDED_SQL = """
INSERT INTO changes (platform, listing_id, from_crawl_id, to_crawl_id, kind)
SELECT l.platform, l.listing_id, :old, :new, 'added'
FROM temp.diff_pairs p JOIN listings l ON l.id = p.listing_key
WHERE p.old_version IS NULL ORDER BY p.rowid
"""
# Each changed pair joined to both versions once, crossed with the fact columns
# (by number); a column is compared, and its values picked, by one CASE each
# (identifiers from FACT_COLUMNS). CROSS JOIN keeps the loops in this order: rows
# in pair order, then column order.
_COLUMNS = " UNION ALL ".join(
    f"SELECT {i} AS i, '{c}' AS name" for i, c in enumerate(FACT_COLUMNS)
)
_OLD = " ".join(f"WHEN {i} THEN a.{c}" for i, c in enumerate(FACT_COLUMNS))
_NEW = " ".join(f"WHEN {i} THEN b.{c}" for i, c in enumerate(FACT_COLUMNS))
_DIFFERS = " ".join(
    f"WHEN {i} THEN a.{c} IS NOT b.{c}" for i, c in enumerate(FACT_COLUMNS)
)
_CHANGED_SQL = f"""
WITH columns AS ({_COLUMNS})
INSERT INTO changes
    (platform, listing_id, from_crawl_id, to_crawl_id, kind, field, old_value,
     new_value)
SELECT l.platform, l.listing_id, :old, :new, 'changed', c.name,
    CASE c.i {_OLD} END, CASE c.i {_NEW} END
FROM temp.diff_pairs p
CROSS JOIN listings l ON l.id = p.listing_key
CROSS JOIN listing_versions a ON a.id = p.old_version
CROSS JOIN listing_versions b ON b.id = p.new_version
CROSS JOIN columns c
WHERE p.old_version IS NOT NULL AND CASE c.i {_DIFFERS} END
"""


def diff_crawls(db: Database, old: int | None, new: int) -> dict[str, int]:
    """Write added and changed rows for ``new`` against ``old`` (None: all added).

    Removals are written by ``record_removals`` once confirmed.
    """
    conn = db.conn
    with write_transaction(db):
        conn.execute(
            "DELETE FROM changes WHERE to_crawl_id = ? AND kind != ?", [new, REMOVED]
        )
        params = {"old": old, "new": new}
        conn.execute("DROP TABLE IF EXISTS temp.diff_pairs")
        conn.execute(_PAIRS_SQL, params)
        added = conn.execute(_ADDED_SQL, params).rowcount
        changed = 0
        if old is not None:
            before = conn.total_changes  # rowcount is -1 for WITH ... INSERT
            conn.execute(_CHANGED_SQL, params)
            changed = conn.total_changes - before
        conn.execute("DROP TABLE temp.diff_pairs")
    return {ADDED: added, CHANGED: changed}


def removal_candidates(
    db: Database, platform: str, new: int, window: int = 2
) -> list[dict]:
    """Listings seen by one of the ``window`` complete crawls before ``new`` but
    missing from ``new``, not yet recorded as removed, with how many complete
    crawls have missed them since. Each complete crawl is checked in turn, so a
    listing missing longer than the window was decided earlier; looking no further
    keeps the cost independent of the history's length."""
    return list(
        db.query(
            """
            WITH complete AS (
                SELECT id FROM crawls
                WHERE platform = :platform AND status = 'complete' AND id <= :new
                  AND superseded_by IS NULL
                ORDER BY id DESC LIMIT :window + 1
            ),
            missing AS (  -- not read, and not listed-but-unreadable, in :new
                SELECT l.id AS listing_key, l.listing_id, l.url FROM listings l
                WHERE l.platform = :platform AND l.last_crawl_id IS NOT :new
                  AND NOT EXISTS (SELECT 1 FROM sightings s
                                  WHERE s.crawl_id = :new AND s.listing_key = l.id)
                  AND NOT EXISTS (SELECT 1 FROM unread u
                                  WHERE u.crawl_id = :new AND u.listing_key = l.id)
            ),
            last_seen AS (
                SELECT m.*, (
                    SELECT max(c.id) FROM complete c
                    WHERE EXISTS (SELECT 1 FROM sightings s WHERE s.crawl_id = c.id
                                  AND s.listing_key = m.listing_key)
                       OR EXISTS (SELECT 1 FROM unread u WHERE u.crawl_id = c.id
                                  AND u.listing_key = m.listing_key)
                ) AS last_crawl
                FROM missing m
            )
            SELECT ls.listing_key, ls.listing_id, ls.url, ls.last_crawl,
                (SELECT count(*) FROM complete c WHERE c.id > ls.last_crawl) AS missed
            FROM last_seen ls
            WHERE ls.last_crawl IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM changes ch
                WHERE ch.kind = 'removed' AND ch.platform = :platform
                  AND ch.listing_id = ls.listing_id AND ch.to_crawl_id > ls.last_crawl
            )
            """,
            {"platform": platform, "new": new, "window": window},
        )
    )


def record_removals(db: Database, platform: str, new: int, removed: list[dict]) -> int:
    """Write confirmed removals (dicts from removal_candidates, plus ``why``)."""
    with write_transaction(db):
        for row in removed:
            db.execute(
                "INSERT INTO changes (platform, listing_id, from_crawl_id, to_crawl_id,"
                " kind, field, new_value) VALUES (?, ?, ?, ?, 'removed', 'reason', ?)",
                [platform, row["listing_id"], row["last_crawl"], new, row.get("why")],
            )
    return len(removed)


def changes_for(db: Database, crawl_id: int) -> list[dict]:
    return list(
        db.query("SELECT * FROM changes WHERE to_crawl_id = ? ORDER BY id", [crawl_id])
    )
