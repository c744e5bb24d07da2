"""The crawl rows: open, fail, close with a verdict, find stale ones, read back."""

from __future__ import annotations

import json
import os
import socket

from sqlite_utils import Database

from storage import times


def now_iso() -> str:
    """The wall clock as stored: ISO 8601 at +07:00 (storage/times.py)."""
    return times.now()


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


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
            times.normalize(observed_at) or started,
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
            times.normalize(observed_at) or started,
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


def crawl_of_process(db: Database, platform: str, pid: int) -> int | None:
    """The newest crawl of ``platform`` opened by process ``pid``."""
    return db.execute(
        "SELECT max(id) FROM crawls WHERE platform = ? AND pid = ?", [platform, pid]
    ).fetchone()[0]
