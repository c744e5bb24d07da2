"""Diffs between two complete crawls of a platform, computed in SQL into ``changes``."""

from __future__ import annotations

from sqlite_utils import Database

from storage.migrations import FACT_COLUMNS

ADDED, REMOVED, CHANGED = "added", "removed", "changed"

# One pass over the changed pairs: each pair joined to both versions once, crossed
# with the fact columns, values picked by CASE (identifiers from FACT_COLUMNS).
_COLUMNS = " UNION ALL ".join(f"SELECT '{c}' AS name" for c in FACT_COLUMNS)
_OLD = " ".join(f"WHEN '{c}' THEN a.{c}" for c in FACT_COLUMNS)
_NEW = " ".join(f"WHEN '{c}' THEN b.{c}" for c in FACT_COLUMNS)
_CHANGED_SQL = f"""
WITH pairs AS (
    SELECT n.listing_key, o.version_id AS old_version, n.version_id AS new_version
    FROM sightings n
    JOIN sightings o ON o.crawl_id = :old AND o.listing_key = n.listing_key
    WHERE n.crawl_id = :new AND o.version_id != n.version_id
),
columns AS ({_COLUMNS}),
fields AS (
    SELECT p.listing_key, c.name AS field, CASE c.name {_OLD} END AS old_value,
        CASE c.name {_NEW} END AS new_value
    FROM pairs p
    JOIN listing_versions a ON a.id = p.old_version
    JOIN listing_versions b ON b.id = p.new_version
    CROSS JOIN columns c
)
INSERT INTO changes
    (platform, listing_id, from_crawl_id, to_crawl_id, kind, field, old_value,
     new_value)
SELECT l.platform, l.listing_id, :old, :new, 'changed', f.field, f.old_value,
    f.new_value
FROM fields f JOIN listings l ON l.id = f.listing_key
WHERE f.old_value IS NOT f.new_value
"""
_ADDED_SQL = """
INSERT INTO changes (platform, listing_id, from_crawl_id, to_crawl_id, kind)
SELECT l.platform, l.listing_id, :old, :new, 'added'
FROM sightings n JOIN listings l ON l.id = n.listing_key
WHERE n.crawl_id = :new AND NOT EXISTS (
    SELECT 1 FROM sightings o WHERE o.crawl_id = :old AND o.listing_key = n.listing_key
)
"""


def diff_crawls(db: Database, old: int | None, new: int) -> dict[str, int]:
    """Write added and changed rows for ``new`` against ``old`` (None: all added).

    Removals are written by ``record_removals`` once confirmed.
    """
    conn = db.conn
    with db.atomic():
        conn.execute(
            "DELETE FROM changes WHERE to_crawl_id = ? AND kind != ?", [new, REMOVED]
        )
        added = conn.execute(_ADDED_SQL, {"old": old, "new": new}).rowcount
        changed = 0
        if old is not None:
            before = conn.total_changes  # rowcount is -1 for WITH ... INSERT
            conn.execute(_CHANGED_SQL, {"old": old, "new": new})
            changed = conn.total_changes - before
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
    with db.atomic():
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
