"""The two-part trust of crawls in SQL: store the parts, read the history."""

from __future__ import annotations

import json

from sqlite_utils import Database


def save_trust(
    db: Database,
    crawl_id: int,
    readable: bool,
    complete: bool,
    listed: int | None,
    announced: int | None,
    coverage: dict[str, float],
    notice: str | None,
) -> None:
    """Store the readable/complete parts of a crawl's verdict and what they read."""
    db.execute(
        "UPDATE crawls SET readable = ?, complete = ?, listed = ?, announced = ?,"
        " coverage = ?, notice = ? WHERE id = ?",
        [
            int(readable),
            int(complete),
            listed,
            announced,
            json.dumps(coverage, sort_keys=True),
            notice,
            crawl_id,
        ],
    )


def history(db: Database, platform: str, before: int, limit: int = 5) -> list[dict]:
    """The platform's last ``limit`` finished crawls before crawl ``before``, newest
    first: status, items, coverage (decoded) and reason codes."""
    rows = db.query(
        "SELECT id, status, items, coverage, health FROM crawls"
        " WHERE platform = ? AND id < ? AND status != 'running'"
        " ORDER BY id DESC LIMIT ?",
        [platform, before, limit],
    )
    out = []
    for row in rows:
        row["coverage"] = json.loads(row["coverage"] or "{}")
        row["codes"] = [r.get("code") for r in json.loads(row["health"] or "[]")]
        del row["health"]
        out.append(row)
    return out


def listing_ids(db: Database, platform: str) -> set[str]:
    """Every listing id of the platform ever stored."""
    rows = db.execute("SELECT listing_id FROM listings WHERE platform = ?", [platform])
    return {r[0] for r in rows}
