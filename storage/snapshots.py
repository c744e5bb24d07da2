"""Crawls and their listings: open, save in batches, close with a verdict, read back."""

from __future__ import annotations

import hashlib
import json
import os
import socket
from datetime import UTC, datetime

from sqlite_utils import Database

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


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def fact_row(item: dict) -> tuple:
    """The stored fact columns of a normalized item, in FACT_COLUMNS order."""
    row = []
    for column in FACT_COLUMNS:
        value = item.get(column)
        if column in JSON_COLUMNS:
            value = _json(value or [])
        elif isinstance(value, bool):
            value = int(value)
        row.append(value)
    return tuple(row)


def digest(row: tuple) -> bytes:
    return hashlib.blake2b(_json(row).encode(), digest_size=16).digest()


def start_crawl(
    db: Database,
    platform: str,
    observed_at: str | None = None,
    base_url: str | None = None,
    pid: int | None = None,
) -> int:
    """Open a ``running`` crawl row (with this process's pid and host); crawls of
    the platform left running by a dead process of this host are closed as
    ``failed`` first."""
    mark_stale_crawls_failed(db, platform)
    started = now_iso()
    cursor = db.execute(
        "INSERT INTO crawls (platform, started_at, observed_at, status, base_url, pid,"
        " host) VALUES (?, ?, ?, 'running', ?, ?, ?)",
        [
            platform,
            started,
            observed_at or started,
            base_url,
            pid or os.getpid(),
            socket.gethostname(),
        ],
    )
    return cursor.lastrowid


def record_failed_crawl(
    db: Database,
    platform: str,
    message: str,
    observed_at: str | None = None,
    base_url: str | None = None,
    code: str = "not_started",
) -> int:
    """A crawl that could not open its own row, recorded as ``failed``."""
    started = now_iso()
    health = _json([{"code": code, "message": message}])
    return db.execute(
        "INSERT INTO crawls (platform, started_at, finished_at, observed_at, status,"
        " finish_reason, health, base_url, host)"
        " VALUES (?, ?, ?, ?, 'failed', ?, ?, ?, ?)",
        [
            platform,
            started,
            started,
            observed_at or started,
            code,
            health,
            base_url,
            socket.gethostname(),
        ],
    ).lastrowid


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) is dead too
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def mark_stale_crawls_failed(db: Database, platform: str | None = None) -> list[int]:
    """Close crawls whose process died mid-way (killed, crashed) as ``failed``.

    Only processes of this host can be checked; rows of other hosts are left."""
    rows = db.execute(
        "SELECT id, pid FROM crawls WHERE status = 'running'"
        " AND (:platform IS NULL OR platform = :platform)"
        " AND (host IS NULL OR host = :host)",
        {"platform": platform, "host": socket.gethostname()},
    ).fetchall()
    stale = [cid for cid, pid in rows if pid != os.getpid() and not _alive(pid)]
    for cid in stale:
        fail_crawl(db, cid, "interrupted: the crawl process ended without closing")
    return stale


def fail_crawl(
    db: Database,
    crawl_id: int,
    message: str,
    code: str = "crashed",
    force: bool = False,
) -> None:
    """Close a ``running`` crawl as ``failed`` with one more reason (a crash, a
    kill, a timeout); ``force`` also turns an ``incomplete`` one failed."""
    statuses = ("running", "incomplete", "failed") if force else ("running",)
    db.execute(
        "UPDATE crawls SET status = 'failed',"
        " finished_at = coalesce(finished_at, ?),"
        " health = json_insert(coalesce(health, '[]'), '$[#]', json(?)),"
        " finish_reason = coalesce(finish_reason, ?)"
        " WHERE id = ? AND status IN (SELECT value FROM json_each(?))",
        [
            now_iso(),
            _json({"code": code, "message": message}),
            code,
            crawl_id,
            json.dumps(statuses),
        ],
    )


def add_crawl_reason(db: Database, crawl_id: int, code: str, message: str) -> None:
    """Add a reason to a closed crawl's health (e.g. who stopped it)."""
    db.execute(
        "UPDATE crawls SET health = json_insert(coalesce(health, '[]'), '$[#]',"
        " json(?)) WHERE id = ?",
        [_json({"code": code, "message": message}), crawl_id],
    )


def save_listings(db: Database, crawl_id: int, items: list[dict]) -> int:
    """Store one batch of normalized items of a crawl in one transaction.

    A listing's fields are stored again only when they changed; each item adds one
    narrow sighting row. Saving the same item twice in a crawl is a no-op. The
    batch goes to SQLite in a few ``executemany`` calls and set lookups.
    """
    conn = db.conn
    platform, observed_at = conn.execute(
        "SELECT platform, observed_at FROM crawls WHERE id = ?", [crawl_id]
    ).fetchone()
    latest = {str(item["listing_id"]): item for item in items}  # last one wins
    facts = {lid: fact_row(item) for lid, item in latest.items()}
    with db.atomic():
        conn.executemany(
            "INSERT INTO listings (platform, listing_id, url, first_seen_at,"
            " last_seen_at, first_crawl_id, last_crawl_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, listing_id) DO UPDATE SET"
            " url = excluded.url, last_crawl_id = excluded.last_crawl_id,"
            " last_seen_at = max(last_seen_at, excluded.last_seen_at)",
            [
                (
                    platform,
                    lid,
                    item.get("url"),
                    observed_at,
                    observed_at,
                    crawl_id,
                    crawl_id,
                )
                for lid, item in latest.items()
            ],
        )
        keys = dict(
            conn.execute(
                "SELECT listing_id, id FROM listings WHERE platform = ?"
                " AND listing_id IN (SELECT value FROM json_each(?))",
                [platform, json.dumps(list(latest))],
            ).fetchall()
        )
        wanted = {(keys[lid], digest(row)): lid for lid, row in facts.items()}
        versions = _version_ids(conn, wanted)
        conn.executemany(
            f"INSERT INTO listing_versions (listing_key, digest, first_crawl_id,"
            f" {', '.join(FACT_COLUMNS)})"
            f" VALUES (?, ?, ?, {', '.join('?' * len(FACT_COLUMNS))})",
            [
                (key, sig, crawl_id, *facts[lid])
                for (key, sig), lid in wanted.items()
                if (key, sig) not in versions
            ],
        )
        if len(versions) < len(wanted):
            versions = _version_ids(conn, wanted)
        payloads = payload_keys(
            db, {(i.get("evidence") or {}).get("sha256") for i in latest.values()}
        )
        conn.executemany(
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
    return len(items)


def _version_ids(conn, wanted: dict) -> dict[tuple[int, bytes], int]:
    """Ids of the versions already stored among (listing_key, digest) pairs."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS wanted_versions"
        " (listing_key INTEGER, digest BLOB)"
    )
    conn.execute("DELETE FROM wanted_versions")
    conn.executemany("INSERT INTO wanted_versions VALUES (?, ?)", list(wanted))
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
    with db.atomic():
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


def finish_crawl(
    db: Database,
    crawl_id: int,
    status: str,
    finish_reason: str | None,
    items: int,
    pages: int,
    errors: int,
    health: list[dict],
    stats: dict | None = None,
    warc_path: str | None = None,
) -> None:
    """Close a crawl with its counts, trust verdict and reasons."""
    db.execute(
        "UPDATE crawls SET status = ?, finish_reason = ?, finished_at = ?, items = ?,"
        " pages = ?, errors = ?, health = ?, stats = ?,"
        " warc_path = coalesce(?, warc_path) WHERE id = ?",
        [
            status,
            finish_reason,
            now_iso(),
            items,
            pages,
            errors,
            _json(health),
            json.dumps(stats or {}, default=str, sort_keys=True),
            warc_path,
            crawl_id,
        ],
    )


def recent_complete_counts(db: Database, platform: str, limit: int = 3) -> list[int]:
    """Item counts of the platform's last ``limit`` complete crawls, newest first."""
    rows = db.execute(
        "SELECT items FROM crawls WHERE platform = ? AND status = 'complete'"
        " ORDER BY id DESC LIMIT ?",
        [platform, limit],
    ).fetchall()
    return [r[0] for r in rows]


def recent_listing_pages(
    db: Database, platform: str, key: str, limit: int = 3
) -> list[int]:
    """Listing pages announced (stats ``key``) by the platform's last ``limit``
    complete crawls."""
    rows = db.execute(
        "SELECT json_extract(stats, '$.\"' || ? || '\"') FROM crawls"
        " WHERE platform = ? AND status = 'complete' AND json_valid(stats)"
        " ORDER BY id DESC LIMIT ?",
        [key, platform, limit],
    ).fetchall()
    return [int(r[0]) for r in rows if r[0]]


def get_crawl(db: Database, crawl_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM crawls WHERE id = ?", [crawl_id]))
    if not rows:
        return None
    row = rows[0]
    row["health"] = json.loads(row["health"] or "[]")
    return row


def latest_crawls(db: Database) -> list[dict]:
    """The newest crawl of each platform."""
    rows = db.query(
        "SELECT * FROM crawls WHERE id IN"
        " (SELECT max(id) FROM crawls GROUP BY platform) ORDER BY platform"
    )
    out = []
    for row in rows:
        row["health"] = json.loads(row["health"] or "[]")
        out.append(row)
    return out


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


def crawl_of_process(db: Database, platform: str, pid: int) -> int | None:
    """The newest crawl of ``platform`` opened by process ``pid``."""
    return db.execute(
        "SELECT max(id) FROM crawls WHERE platform = ? AND pid = ?", [platform, pid]
    ).fetchone()[0]
