"""Where archived responses live, and which records the findings cite."""

from __future__ import annotations

import json
from pathlib import Path

from sqlite_utils import Database


def warc_path(folder: str | Path, platform: str, crawl_id: int) -> Path:
    return Path(folder) / platform / f"crawl-{crawl_id}.warc.gz"


def record_id(crawl_id: int, offset: int) -> str:
    return f"<urn:prakerja-monitor:crawl:{crawl_id}:{offset}>"


def payload_keys(db: Database, digests: set[str | None]) -> dict[str, int]:
    """Small integers for a batch of payload digests (each stored once)."""
    digests = sorted(d for d in digests if d)
    if not digests:
        return {}
    db.conn.executemany(
        "INSERT OR IGNORE INTO payloads (sha256) VALUES (?)", [(d,) for d in digests]
    )
    rows = db.execute(
        "SELECT sha256, id FROM payloads"
        " WHERE sha256 IN (SELECT value FROM json_each(?))",
        [json.dumps(digests)],
    ).fetchall()
    return dict(rows)


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
    with db.atomic():
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
