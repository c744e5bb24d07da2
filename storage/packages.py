"""The records behind a finding over its life, and the packages made of them."""

from __future__ import annotations

import json

from sqlite_utils import Database

from storage.db import write_transaction
from storage.evidence import LISTING, record_id


def get_records(db: Database, record_ids) -> dict[str, dict]:
    """Index rows (with the crawl's archive path) of the given record ids."""
    rows = db.query(
        "SELECT r.*, c.warc_path, c.platform FROM archive_records r"
        " JOIN crawls c ON c.id = r.crawl_id"
        " WHERE r.record_id IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted(record_ids))],
    )
    return {r["record_id"]: r for r in rows}


def crawl_records(db: Database, crawl_id: int) -> list[dict]:
    return list(
        db.query(
            "SELECT * FROM archive_records WHERE crawl_id = ? ORDER BY offset",
            [crawl_id],
        )
    )


def finding_crawls(db: Database, finding_id: int) -> list[int]:
    """The crawls of a finding's life: first seen, each state change, last seen."""
    rows = db.execute(
        "SELECT first_crawl_id FROM findings WHERE id = :f"
        " UNION SELECT last_crawl_id FROM findings WHERE id = :f"
        " UNION SELECT crawl_id FROM finding_events WHERE finding_id = :f",
        {"f": finding_id},
    ).fetchall()
    return sorted(r[0] for r in rows if r[0] is not None)


def sighting_records(db: Database, finding_ids: list[int] | None = None) -> dict:
    """finding id -> {crawl id: record id} of the listing's archived record in
    each crawl of the finding's life."""
    rows = db.execute(
        """
        WITH life(finding_id, crawl_id) AS (
            SELECT id, first_crawl_id FROM findings
            UNION SELECT id, last_crawl_id FROM findings
            UNION SELECT finding_id, crawl_id FROM finding_events
        )
        SELECT f.id, s.crawl_id, s.warc_offset
        FROM life
        JOIN findings f ON f.id = life.finding_id
        JOIN listings l ON l.platform = f.platform AND l.listing_id = f.listing_id
        JOIN sightings s ON s.listing_key = l.id AND s.crawl_id = life.crawl_id
        WHERE s.warc_offset IS NOT NULL
            AND (:ids IS NULL OR f.id IN (SELECT value FROM json_each(:ids)))
        """,
        {"ids": None if finding_ids is None else json.dumps(finding_ids)},
    ).fetchall()
    out: dict[int, dict[int, str]] = {}
    for finding_id, crawl_id, offset in rows:
        out.setdefault(finding_id, {})[crawl_id] = record_id(crawl_id, offset)
    return out


def expand_records(db: Database, record_ids: set[str]) -> dict[str, dict]:
    """The records plus what they need to stand alone: a revisit's original, the
    request of each response, the pages that led to a detail page (its referrer
    in the same crawl, up to the listing page), and each crawl's warcinfo."""
    found = get_records(db, record_ids)
    todo = set(found)
    while todo:
        rows = [found[r] for r in todo]
        todo = set()
        wanted = {r["refers_to"] for r in rows if r["refers_to"]}
        for row in db.query(
            "SELECT r.record_id FROM archive_records r"
            " JOIN json_each(:pairs) p"
            " ON r.crawl_id = json_extract(p.value, '$[0]')"
            " WHERE (r.type = 'warcinfo')"
            " OR (r.type = 'request'"
            "     AND r.concurrent_to = json_extract(p.value, '$[1]'))"
            " OR (r.type IN ('response', 'revisit')"
            "     AND r.uri = json_extract(p.value, '$[2]'))",
            {
                "pairs": json.dumps(
                    [
                        [
                            r["crawl_id"],
                            r["record_id"],
                            r["referrer"] if r["page"] != LISTING else None,
                        ]
                        for r in rows
                    ]
                )
            },
        ):
            wanted.add(row["record_id"])
        new = get_records(db, wanted - set(found))
        found.update(new)
        todo = set(new)
    return found


def resolving_listing_pages(db: Database, finding_ids=None) -> set[str]:
    """Listing pages of the crawls that resolved findings whose listing they no
    longer showed: the observation behind a "removed"."""
    rows = db.execute(
        """
        SELECT DISTINCT r.record_id FROM finding_events e
        JOIN findings f ON f.id = e.finding_id
        JOIN listings l ON l.platform = f.platform AND l.listing_id = f.listing_id
        JOIN archive_records r ON r.crawl_id = e.crawl_id AND r.page = 'listing'
            AND r.type IN ('response', 'revisit')
        WHERE e.kind = 'resolved'
            AND (:ids IS NULL OR f.id IN (SELECT value FROM json_each(:ids)))
            AND NOT EXISTS (SELECT 1 FROM sightings s
                WHERE s.crawl_id = e.crawl_id AND s.listing_key = l.id)
        """,
        {"ids": None if finding_ids is None else json.dumps(finding_ids)},
    ).fetchall()
    return {r[0] for r in rows}


def save_package(db: Database, finding_id: int, path: str, sha256: str, records):
    """Remember a written package and the records it cites (pruning keeps them)."""
    with write_transaction(db):
        cursor = db.execute(
            "INSERT INTO evidence_packages (finding_id, path, created_at,"
            " datapackage_sha256) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ'), ?)",
            [finding_id, str(path), sha256],
        )
        db.conn.executemany(
            "INSERT OR IGNORE INTO package_records VALUES (?, ?)",
            [(cursor.lastrowid, r) for r in sorted(records)],
        )


def packaged_records(db: Database) -> set[str]:
    return {r[0] for r in db.execute("SELECT record_id FROM package_records")}


def recent_revisit_originals(db: Database, since: str) -> set[str]:
    """Originals that revisits of crawls finished at or after ``since`` (kept by
    the retention) point at."""
    rows = db.execute(
        "SELECT DISTINCT r.refers_to FROM archive_records r"
        " JOIN crawls c ON c.id = r.crawl_id"
        " WHERE r.type = 'revisit' AND (c.finished_at IS NULL OR c.finished_at >= ?)",
        [since],
    ).fetchall()
    return {r[0] for r in rows if r[0]}


def finding_story(db: Database, finding_id: int) -> dict | None:
    """A finding with the facts of its violating version, its judgment, its
    events and the crawls of its life (for a package's summary)."""
    rows = list(
        db.query(
            "SELECT f.*, v.url, v.title, v.provider, v.price_idr, v.list_price_idr,"
            " v.components, v.payment_methods, v.prakerja_evidence,"
            " v.bundle_label, v.bundle_keywords, j.bundle_reasons,"
            " j.classifier_version FROM findings f"
            " LEFT JOIN listing_versions v ON v.id = f.version_id"
            " LEFT JOIN judgments j ON j.version_id = f.version_id WHERE f.id = ?",
            [finding_id],
        )
    )
    if not rows:
        return None
    story = rows[0]
    for key in ("components", "payment_methods", "prakerja_evidence"):
        story[key] = json.loads(story[key] or "[]")
    for key in ("bundle_keywords", "bundle_reasons"):
        story[key] = json.loads(story[key] or "[]")
    story["events"] = list(
        db.query(
            "SELECT kind, at, crawl_id, detail FROM finding_events"
            " WHERE finding_id = ? ORDER BY id",
            [finding_id],
        )
    )
    crawls = finding_crawls(db, finding_id)
    story["crawls"] = list(
        db.query(
            "SELECT id, platform, observed_at, status, started_at, finished_at"
            " FROM crawls WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            [json.dumps(crawls)],
        )
    )
    return story
