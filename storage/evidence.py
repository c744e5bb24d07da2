"""Where archived records live (per database), their index, and which records
the findings and packages cite."""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sqlite_utils import Database

from storage.db import write_transaction

RECORD_COLUMNS = (
    "record_id",
    "crawl_id",
    "offset",
    "length",
    "type",
    "uri",
    "date",
    "status",
    "mime",
    "payload_digest",
    "sha256",
    "concurrent_to",
    "referrer",
    "refers_to",
    "page",
)
LISTING, DETAIL = "listing", "detail"
SOFTWARE = "prakerja-monitor"


def software_version() -> str:
    """``prakerja-monitor/<version>``: named in every warcinfo and package."""
    try:
        return f"{SOFTWARE}/{version(SOFTWARE)}"
    except PackageNotFoundError:  # running from a checkout without install
        return f"{SOFTWARE}/unknown"


def warc_path(folder: str | Path, identity: str, platform: str, crawl_id: int) -> Path:
    """``<folder>/<database identity>/<platform>/crawl-<id>.warc.gz``: two databases
    sharing an evidence folder never share (or prune) each other's files."""
    return Path(folder) / identity / platform / f"crawl-{crawl_id}.warc.gz"


def database_identity(db: Database) -> str:
    """The UUID the database was given when it was created."""
    return db.execute("SELECT uuid FROM database_identity WHERE id = 1").fetchone()[0]


def record_id(crawl_id: int, offset: int) -> str:
    return f"<urn:prakerja-monitor:crawl:{crawl_id}:{offset}>"


def finding_evidence(db: Database, finding_ids: list[int] | None = None) -> dict:
    """For each finding, the record of the crawl that opened it (or the newest
    crawl that saw the violation, when the first record was pruned)."""
    rows = db.query(
        """
        SELECT f.id AS finding_id, c.warc_path, s.crawl_id, s.warc_offset,
            p.sha256
        FROM findings f
        JOIN listings l ON l.platform = f.platform AND l.listing_id = f.listing_id
        JOIN sightings s ON s.listing_key = l.id
            AND s.crawl_id IN (f.first_crawl_id, f.last_crawl_id)
        JOIN crawls c ON c.id = s.crawl_id
        LEFT JOIN payloads p ON p.id = s.payload_id
        WHERE s.warc_offset IS NOT NULL
        ORDER BY f.id, s.crawl_id
        """
    )
    out: dict[int, dict] = {}
    for row in rows:
        if finding_ids is not None and row["finding_id"] not in finding_ids:
            continue
        out.setdefault(
            row["finding_id"],
            {
                "warc_file": row["warc_path"],
                "record_id": record_id(row["crawl_id"], row["warc_offset"]),
                "offset": row["warc_offset"],
                "sha256": row["sha256"],
                "crawl_id": row["crawl_id"],
            },
        )
    return out


def archived_crawls(db: Database, before: str) -> list[dict]:
    """Crawls with an archive file, finished before ``before`` (ISO time)."""
    return list(
        db.query(
            "SELECT id, warc_path FROM crawls WHERE warc_path IS NOT NULL"
            " AND finished_at < ? ORDER BY id",
            [before],
        )
    )


def cited_offsets(db: Database, crawl_id: int) -> set[int]:
    """Offsets in a crawl's archive that a finding cites (first or last crawl)."""
    rows = db.execute(
        "SELECT DISTINCT s.warc_offset FROM findings f"
        " JOIN listings l ON l.platform = f.platform AND l.listing_id = f.listing_id"
        " JOIN sightings s ON s.listing_key = l.id AND s.crawl_id = ?"
        " WHERE ? IN (f.first_crawl_id, f.last_crawl_id)"
        " AND s.warc_offset IS NOT NULL",
        [crawl_id, crawl_id],
    ).fetchall()
    return {r[0] for r in rows}


def forget_offsets(db: Database, crawl_id: int, kept: set[int]) -> None:
    """After pruning a crawl's archive: forget the offsets of dropped records (kept
    ones still name their record, found by id)."""
    with write_transaction(db):
        rows = db.execute(
            "SELECT DISTINCT warc_offset FROM sightings"
            " WHERE crawl_id = ? AND warc_offset IS NOT NULL",
            [crawl_id],
        ).fetchall()
        db.conn.executemany(
            "UPDATE sightings SET warc_offset = NULL"
            " WHERE crawl_id = ? AND warc_offset = ?",
            [(crawl_id, offset) for (offset,) in rows if offset not in kept],
        )
        if not kept:
            db.execute("UPDATE crawls SET warc_path = NULL WHERE id = ?", [crawl_id])


def save_records(db: Database, rows: list[dict]) -> None:
    """Index archived records (one dict per record, RECORD_COLUMNS keys)."""
    if not rows:
        return
    with write_transaction(db):
        db.conn.executemany(
            f"INSERT OR REPLACE INTO archive_records ({', '.join(RECORD_COLUMNS)})"
            f" VALUES ({', '.join('?' * len(RECORD_COLUMNS))})",
            [tuple(r.get(c) for c in RECORD_COLUMNS) for r in rows],
        )


def previous_payloads(db: Database, platform: str, crawl_id: int) -> dict[str, dict]:
    """Per URI, the payload the platform's previous archived crawl got, and the
    original response record holding it (a revisit names its original)."""
    row = db.execute(
        "SELECT max(r.crawl_id), c.warc_path FROM archive_records r"
        " JOIN crawls c ON c.id = r.crawl_id"
        " WHERE c.platform = ? AND r.crawl_id < ?",
        [platform, crawl_id],
    ).fetchone()
    if row[0] is None:
        return {}
    rows = db.query(
        "SELECT r.uri, r.payload_digest, r.type, r.status,"
        " coalesce(o.record_id, r.record_id) AS original,"
        " coalesce(o.uri, r.uri) AS original_uri,"
        " coalesce(o.date, r.date) AS original_date"
        " FROM archive_records r"
        " LEFT JOIN archive_records o ON o.record_id = r.refers_to"
        " WHERE r.crawl_id = ? AND r.type IN ('response', 'revisit')"
        " AND (r.type = 'response' OR o.record_id IS NOT NULL)",
        [row[0]],
    )
    return {r["uri"]: r for r in rows}


def move_records(db: Database, crawl_id: int, kept: dict[str, int]) -> None:
    """After pruning a crawl's archive: the kept records' new offsets; the other
    records of the crawl are forgotten (sightings included)."""
    with write_transaction(db):
        db.execute(
            "DELETE FROM archive_records WHERE crawl_id = ?"
            " AND record_id NOT IN (SELECT value FROM json_each(?))",
            [crawl_id, json.dumps(list(kept))],
        )
        db.conn.executemany(
            "UPDATE archive_records SET offset = ? WHERE record_id = ?",
            [(offset, rid) for rid, offset in kept.items()],
        )
