"""Judgments, findings and their events: the monitor's writes, in SQL."""

from __future__ import annotations

import json

from sqlite_utils import Database

from storage.facts import COMPLETE, OPEN, RESOLVED  # noqa: F401 - monitor reads
from storage.snapshots import JSON_COLUMNS

OPENED, REOPENED = "opened", "reopened"


def crawls_to_check(db: Database, platform: str | None = None) -> list[dict]:
    """Crawls not yet checked whose observations count, oldest first: complete
    ones, and incomplete ones that stayed readable (never failed ones)."""
    return list(
        db.query(
            "SELECT * FROM crawls WHERE checked_at IS NULL AND (status = 'complete'"
            " OR (status = 'incomplete' AND coalesce(readable, 1) = 1))"
            " AND (:platform IS NULL OR platform = :platform) ORDER BY id",
            {"platform": platform},
        )
    )


def previous_complete(db: Database, platform: str, crawl_id: int) -> int | None:
    row = db.execute(
        "SELECT max(id) FROM crawls WHERE platform = ? AND status = 'complete'"
        " AND id < ? AND superseded_by IS NULL",
        [platform, crawl_id],
    ).fetchone()
    return row[0]


def mark_checked(db: Database, crawl_id: int, at: str) -> None:
    db.execute("UPDATE crawls SET checked_at = ? WHERE id = ?", [at, crawl_id])


def unjudged_batches(
    db: Database, crawl_id: int, classifier_version: str, size: int = 5000
):
    """Batches of the crawl's versions without a judgment of this classifier.

    Keyset pagination: each batch is read completely before the caller writes its
    judgments, so writing never disturbs an open cursor.
    """
    last = -1
    while True:
        rows = list(
            db.query(
                "SELECT s.listing_key, v.* FROM sightings s JOIN listing_versions v"
                " ON v.id = s.version_id LEFT JOIN judgments j ON j.version_id = v.id"
                " WHERE s.crawl_id = ? AND s.listing_key > ? AND (j.version_id IS NULL"
                " OR j.classifier_version != ?) ORDER BY s.listing_key LIMIT ?",
                [crawl_id, last, classifier_version, size],
            )
        )
        if not rows:
            return
        last = rows[-1]["listing_key"]
        yield [_decode(r) for r in rows]


def save_judgments(
    db: Database, judged: list[tuple[int, str, bool, list[str]]]
) -> None:
    """Store (version_id, classifier_version, is_bundle, reasons) judgments."""
    with db.atomic():
        db.conn.executemany(
            "INSERT OR REPLACE INTO judgments"
            " (version_id, classifier_version, is_bundle, bundle_reasons)"
            " VALUES (?, ?, ?, ?)",
            [
                (v, cv, int(b), json.dumps(r, ensure_ascii=False))
                for v, cv, b, r in judged
            ],
        )


def rows_to_evaluate(db: Database, crawl_id: int, rule: str) -> list[dict]:
    """The crawl's rows a rule can change something for: bundles, and listings
    that already have a finding (a single cannot violate, but can resolve one)."""
    rows = db.query(
        "SELECT s.* FROM snapshots s WHERE s.crawl_id = :crawl AND (s.is_bundle = 1"
        " OR EXISTS (SELECT 1 FROM findings f WHERE f.platform = s.platform"
        " AND f.listing_id = s.listing_id AND f.rule = :rule))",
        {"crawl": crawl_id, "rule": rule},
    )
    return [_decode(r) for r in rows]


def crawl_rows(db: Database, crawl_id: int) -> list[dict]:
    """Every snapshot row of a crawl with its judgment, JSON decoded."""
    rows = db.query("SELECT * FROM snapshots WHERE crawl_id = ?", [crawl_id])
    return [_decode(r) for r in rows]


def _decode(row: dict) -> dict:
    for column in JSON_COLUMNS | {"bundle_reasons"}:
        if isinstance(row.get(column), str):
            row[column] = json.loads(row[column])
    for column in ("prakerja_payment", "available", "is_bundle"):
        if row.get(column) is not None:
            row[column] = bool(row[column])
    return row


def findings_of(db: Database, platform: str, rule: str) -> dict[str, dict]:
    """The platform's findings of a rule, by listing_id."""
    rows = db.query(
        "SELECT * FROM findings WHERE platform = ? AND rule = ?", [platform, rule]
    )
    return {r["listing_id"]: r for r in rows}


def open_finding(db: Database, row: dict, rule, crawl: dict, relisted: dict) -> int:
    cursor = db.execute(
        "INSERT INTO findings (platform, listing_id, rule, rule_version, status,"
        " opened_at, last_seen_at, first_crawl_id, last_crawl_id, version_id,"
        " relisted_from, relisted_from_listing_id)"
        " VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)",
        [
            row["platform"],
            row["listing_id"],
            rule.id,
            rule.version,
            crawl["observed_at"],
            crawl["observed_at"],
            crawl["id"],
            crawl["id"],
            row["version_id"],
            relisted.get("finding_id"),
            relisted.get("listing_id"),
        ],
    )
    add_event(db, cursor.lastrowid, OPENED, crawl, relisted.get("detail"))
    return cursor.lastrowid


def see_finding(db: Database, finding: dict, row: dict, crawl: dict) -> None:
    """A violation seen again: extend it, or reopen it if it was resolved."""
    reopen = finding["status"] == RESOLVED
    db.execute(
        "UPDATE findings SET status = 'open', resolved_at = NULL, resolution = NULL,"
        " last_seen_at = ?, last_crawl_id = ?, version_id = ? WHERE id = ?",
        [crawl["observed_at"], crawl["id"], row["version_id"], finding["id"]],
    )
    if reopen:
        add_event(db, finding["id"], REOPENED, crawl, None)


def resolve_finding(db: Database, finding: dict, crawl: dict, resolution: str) -> None:
    db.execute(
        "UPDATE findings SET status = 'resolved', resolved_at = ?, resolution = ?"
        " WHERE id = ?",
        [crawl["observed_at"], resolution, finding["id"]],
    )
    add_event(db, finding["id"], RESOLVED, crawl, resolution)


def add_event(db: Database, finding_id: int, kind: str, crawl: dict, detail) -> None:
    db.execute(
        "INSERT INTO finding_events (finding_id, kind, at, crawl_id, detail)"
        " VALUES (?, ?, ?, ?, ?)",
        [finding_id, kind, crawl["observed_at"], crawl["id"], detail],
    )


def vanished_bundles(db: Database, platform: str, crawl_id: int) -> list[dict]:
    """Listings of the platform judged bundles with components, seen in an earlier
    crawl but not in ``crawl_id``: candidates a relisted bundle may come from."""
    rows = db.query(
        """
        SELECT l.listing_id, v.components, v.title, f.id AS finding_id
        FROM listings l
        JOIN sightings s ON s.crawl_id = l.last_crawl_id AND s.listing_key = l.id
        JOIN listing_versions v ON v.id = s.version_id
        LEFT JOIN judgments j ON j.version_id = v.id
        LEFT JOIN findings f ON f.platform = l.platform AND f.listing_id = l.listing_id
        WHERE l.platform = :platform AND v.components != '[]'
          AND NOT EXISTS (SELECT 1 FROM sightings s2
                          WHERE s2.crawl_id = :crawl AND s2.listing_key = l.id)
        """,
        {"platform": platform, "crawl": crawl_id},
    )
    return [_decode(r) for r in rows]


def get_finding(db: Database, finding_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM findings WHERE id = ?", [finding_id]))
    return rows[0] if rows else None


def count_open(db: Database) -> int:
    return db.execute("SELECT count(*) FROM findings WHERE status = 'open'").fetchone()[
        0
    ]
