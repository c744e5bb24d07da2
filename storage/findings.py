"""Judgments, findings and their events: the monitor's writes, in SQL."""

from __future__ import annotations

import json

from sqlite_utils import Database

from storage.db import write_transaction
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
    with write_transaction(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO judgments"
            " (version_id, classifier_version, is_bundle, bundle_reasons)"
            " VALUES (?, ?, ?, ?)",
            [
                (v, cv, int(b), json.dumps(r, ensure_ascii=False))
                for v, cv, b, r in judged
            ],
        )


def decode_row(columns: list[str], row: tuple, parsed: dict | None = None) -> dict:
    """One raw row as the dict ``unjudged_batches`` gives (JSON decoded; ``parsed``
    caches parsed texts across rows, as in ``_decode``)."""
    return _decode(dict(zip(columns, row, strict=True)), parsed)


# A snapshot row as the rule reads it (the ``snapshots`` view's columns): name, SQL.
ROW_COLUMNS = (
    *(("crawl_id", "s.crawl_id"), ("platform", "l.platform")),
    *(("listing_id", "l.listing_id"), ("observed_at", "c.observed_at")),
    *((c, f"v.{c}") for c in ("url", "title", "provider", "price_idr")),
    *((c, f"v.{c}") for c in ("list_price_idr", "components", "payment_methods")),
    *((c, f"v.{c}") for c in ("prakerja_payment", "available", "category")),
    *((c, f"v.{c}") for c in ("rating", "rating_count")),
    *(("is_bundle", "j.is_bundle"), ("bundle_reasons", "j.bundle_reasons")),
    *((c, f"v.{c}") for c in ("bundle_label", "bundle_keywords")),
    *((c, f"v.{c}") for c in ("payment_channels", "prakerja_evidence")),
    *(("version_id", "s.version_id"), ("crawl_status", "c.status")),
    ("evidence_file", "CASE WHEN s.warc_offset IS NOT NULL THEN c.warc_path END"),
    (
        "evidence_record_id",
        "CASE WHEN s.warc_offset IS NOT NULL THEN '<urn:prakerja-monitor:crawl:'"
        " || s.crawl_id || ':' || s.warc_offset || '>' END",
    ),
    ("evidence_sha256", "p.sha256"),
)
ROW_SELECT = ", ".join(f"{sql} AS {name}" for name, sql in ROW_COLUMNS)
ROW_JOINS = """
JOIN crawls c ON c.id = s.crawl_id
JOIN listings l ON l.id = s.listing_key
JOIN listing_versions v ON v.id = s.version_id
LEFT JOIN judgments j ON j.version_id = s.version_id
LEFT JOIN payloads p ON p.id = s.payload_id
"""
_RULE_ROWS_SQL = f"""
WITH keys AS (
    SELECT listing_key FROM temp.rule_keys WHERE listing_key > :last
    ORDER BY listing_key LIMIT :size
)
SELECT s.listing_key, {ROW_SELECT}
FROM keys k
CROSS JOIN sightings s ON s.crawl_id = :crawl AND s.listing_key = k.listing_key
{ROW_JOINS}
ORDER BY s.listing_key
"""


def rule_keys(db: Database, crawl_id: int, rule: str) -> None:
    """``temp.rule_keys``: listings of the crawl with a finding of the rule."""
    conn = db.conn
    conn.execute("DROP TABLE IF EXISTS temp.rule_keys")
    conn.execute("CREATE TEMP TABLE rule_keys (listing_key INTEGER PRIMARY KEY)")
    conn.execute(
        "INSERT OR IGNORE INTO temp.rule_keys SELECT l.id FROM findings f"
        " CROSS JOIN listings l ON l.platform = f.platform"  # findings first
        " AND l.listing_id = f.listing_id"
        " WHERE f.rule = :rule AND f.platform = (SELECT platform FROM crawls"
        " WHERE id = :crawl) AND EXISTS (SELECT 1 FROM sightings s"
        " WHERE s.crawl_id = :crawl AND s.listing_key = l.id)",
        {"crawl": crawl_id, "rule": rule},
    )


def rows_to_evaluate(
    db: Database, crawl_id: int, rule: str, size: int = 5000, keys: bool = False
):
    """The crawl's rows a rule can change something for: bundles, and listings
    that already have a finding (a single cannot violate, but can resolve one).
    With ``keys``, the listings already in ``temp.rule_keys`` instead (those with
    a finding and the bundles kept by ``storage.rule_groups``).

    One pass in pages of ``size`` on the sightings key (each page read whole before
    the caller writes), so memory is bounded by the page, not the catalogue.
    Rows are the ``snapshots`` view's columns, JSON decoded.
    """
    last, conn = -1, db.conn
    if not keys:
        rule_keys(db, crawl_id, rule)
        conn.execute(
            "INSERT OR IGNORE INTO temp.rule_keys SELECT s.listing_key"
            " FROM sightings s JOIN judgments j ON j.version_id = s.version_id"
            " WHERE s.crawl_id = ? AND j.is_bundle = 1",
            [crawl_id],
        )
    while True:
        cursor = conn.execute(
            _RULE_ROWS_SQL, {"crawl": crawl_id, "last": last, "size": size}
        )
        rows = cursor.fetchall()
        if not rows:
            return
        last = rows[-1][0]
        columns = [d[0] for d in cursor.description][1:]
        decoded: dict[str, object] = {}  # the page's distinct JSON texts, parsed once
        for row in rows:
            yield _decode(dict(zip(columns, row[1:], strict=True)), decoded)


def crawl_rows(db: Database, crawl_id: int) -> list[dict]:
    """Every snapshot row of a crawl with its judgment, JSON decoded."""
    rows = db.query("SELECT * FROM snapshots WHERE crawl_id = ?", [crawl_id])
    return [_decode(r) for r in rows]


_DECODED = (*sorted(JSON_COLUMNS), "bundle_reasons")


def _decode(row: dict, parsed: dict | None = None) -> dict:
    """JSON columns parsed and flags as booleans; ``parsed`` caches parsed texts
    (each row gets its own shallow copy of a cached list)."""
    for column in _DECODED:
        text = row.get(column)
        if not isinstance(text, str):
            continue
        if parsed is None:
            row[column] = json.loads(text)
            continue
        value = parsed.get(text)
        if value is None:
            value = parsed[text] = json.loads(text)
        row[column] = value.copy() if isinstance(value, list | dict) else value
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
        WHERE l.platform = :platform AND l.last_crawl_id IS NOT :crawl
          AND v.components != '[]'
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
