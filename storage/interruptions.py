"""Crawls cut short by the scheduler's own shutdown: recorded as interrupted."""

from __future__ import annotations

import json

from sqlite_utils import Database

from storage.snapshots import now_iso

INTERRUPTED = "interrupted"  # the reason code and the finish_reason
MESSAGE = "stopped by the scheduler's shutdown; retried next round"


def mark_interrupted(db: Database, crawl_id: int, stopped_at: str) -> bool:
    """Record a crawl that was still running at ``stopped_at`` (ISO time, when the
    shutdown began) as interrupted, with that as its only reason. A crawl that
    finished before the shutdown, or completed, keeps its own verdict."""
    health = json.dumps([{"code": INTERRUPTED, "message": MESSAGE}])
    cursor = db.execute(
        "UPDATE crawls SET health = ?, finish_reason = ?,"
        " status = CASE status WHEN 'running' THEN 'incomplete' ELSE status END,"
        " finished_at = coalesce(finished_at, ?)"
        " WHERE id = ? AND status != 'complete'"
        " AND (finished_at IS NULL OR finished_at >= ?)",
        [health, INTERRUPTED, now_iso(), crawl_id, stopped_at],
    )
    return cursor.rowcount > 0


def interrupted_platforms(db: Database) -> list[str]:
    """Platforms whose newest crawl was interrupted (to retry at start)."""
    rows = db.execute(
        "SELECT c.platform FROM crawls c WHERE c.finish_reason = ?"
        " AND c.id = (SELECT max(id) FROM crawls WHERE platform = c.platform)"
        " ORDER BY c.platform",
        [INTERRUPTED],
    ).fetchall()
    return [r[0] for r in rows]
