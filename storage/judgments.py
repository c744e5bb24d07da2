"""Judgments in bulk: unjudged versions grouped by the fields a classifier reads,
one verdict per group written to every version of the group in SQL."""

from __future__ import annotations

from sqlite_utils import Database

from storage.db import write_transaction

# The judgment is looked up first: only an unjudged version's row is read (CROSS
# JOIN keeps that order), not the row of every version the crawl saw.
_UNJUDGED = (
    "FROM sightings s LEFT JOIN judgments j ON j.version_id = s.version_id"
    " CROSS JOIN listing_versions v ON v.id = s.version_id"
    " WHERE s.crawl_id = :crawl AND (j.version_id IS NULL"
    " OR j.classifier_version != :cv)"
)


def row_columns(db: Database) -> list[str]:
    """Columns of a version row as given to the classifier: listing_key, ``v.*``."""
    return ["listing_key", *db["listing_versions"].columns_dict]


def one_unjudged(db: Database, crawl_id: int, classifier_version: str):
    """One unjudged version row of the crawl (``listing_key, v.*``) or None."""
    return db.conn.execute(
        f"SELECT s.listing_key, v.* {_UNJUDGED} LIMIT 1",
        {"crawl": crawl_id, "cv": classifier_version},
    ).fetchone()


def group_unjudged(
    db: Database, crawl_id: int, classifier_version: str, fields: list[str]
) -> int:
    """Fill ``temp.unjudged`` (version_id, rep): the crawl's unjudged versions,
    each with the smallest version id agreeing on ``fields`` (row columns)."""
    known = set(row_columns(db))
    if not fields or not set(fields) <= known:
        raise ValueError(f"not version columns: {sorted(set(fields) - known)}")
    conn = db.conn
    conn.execute("DROP TABLE IF EXISTS temp.unjudged")
    conn.execute("DROP TABLE IF EXISTS temp.verdicts")
    conn.execute(
        "CREATE TEMP TABLE verdicts"
        " (rep INTEGER PRIMARY KEY, is_bundle INTEGER, bundle_reasons TEXT)"
    )
    group = ", ".join(f"v.{f}" for f in fields)
    cursor = conn.execute(
        "CREATE TEMP TABLE unjudged AS SELECT v.id AS version_id,"
        f" min(v.id) OVER (PARTITION BY {group}) AS rep {_UNJUDGED}",
        {"crawl": crawl_id, "cv": classifier_version},
    )
    return cursor.rowcount


def representatives(db: Database, size: int = 5000):
    """Pages of the representative rows (``listing_key, v.*``) of the groups."""
    cursor = db.conn.execute(
        "SELECT v.listing_key, v.* FROM temp.unjudged u"
        " JOIN listing_versions v ON v.id = u.version_id"
        " WHERE u.rep = u.version_id ORDER BY v.id"
    )
    while page := cursor.fetchmany(size):
        yield page


def add_verdicts(db: Database, rows: list[tuple[int, int, str]]) -> None:
    """Add (representative version id, is_bundle 0/1, reasons JSON) verdicts."""
    db.conn.executemany("INSERT INTO temp.verdicts VALUES (?, ?, ?)", rows)


def apply_verdicts(db: Database, classifier_version: str) -> int:
    """Write each group's verdict to every version of the group; returns rows."""
    conn = db.conn
    before = conn.total_changes
    with write_transaction(db):
        conn.execute(
            "INSERT OR REPLACE INTO judgments"
            " (version_id, classifier_version, is_bundle, bundle_reasons)"
            " SELECT u.version_id, ?, t.is_bundle, t.bundle_reasons"
            " FROM temp.unjudged u JOIN temp.verdicts t ON t.rep = u.rep"
            " ORDER BY u.version_id",  # in key order: appends, not random inserts
            [classifier_version],
        )
    written = conn.total_changes - before
    conn.execute("DROP TABLE temp.unjudged")
    conn.execute("DROP TABLE temp.verdicts")
    return written
