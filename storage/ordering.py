"""Observation order of crawls: a crawl observed before one already checked."""

from __future__ import annotations

from sqlite_utils import Database


def later_checked(db: Database, crawl: dict) -> int | None:
    """The id of a checked crawl of the same platform observed after ``crawl``
    (by time, offsets honoured), or None."""
    row = db.execute(
        "SELECT id FROM crawls WHERE platform = ? AND id != ?"
        " AND checked_at IS NOT NULL AND superseded_by IS NULL"
        " AND julianday(observed_at) > julianday(?)"
        " ORDER BY julianday(observed_at) DESC LIMIT 1",
        [crawl["platform"], crawl["id"], crawl["observed_at"]],
    ).fetchone()
    return row[0] if row else None


def mark_superseded(db: Database, crawl_id: int, later_id: int, at: str) -> None:
    """Checked, deciding nothing: kept as an observation, left out of diffs."""
    db.execute(
        "UPDATE crawls SET superseded_by = ?, checked_at = ? WHERE id = ?",
        [later_id, at, crawl_id],
    )
