"""Stored times: ISO 8601 at one offset (+07:00, WIB), so text order is time order."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlite_utils import Database

WIB = timezone(timedelta(hours=7))


def normalize(value: str | None) -> str | None:
    """``value`` at +07:00 (seconds, or milliseconds when it has a fraction);
    a value without an offset or not a time is returned unchanged."""
    if not value:
        return value
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return value
    if parsed.tzinfo is None:
        return value
    moment = parsed.astimezone(WIB)
    return moment.isoformat(
        timespec="milliseconds" if moment.microsecond else "seconds"
    )


def now() -> str:
    """The wall clock at +07:00, in milliseconds."""
    return datetime.now(WIB).isoformat(timespec="milliseconds")


def normalize_all(db: Database) -> int:
    """Rewrite every ``*_at`` column of every table at +07:00 (the migration
    that made stored times comparable as text). Returns the values changed."""
    db.conn.create_function("prakerja_wib", 1, normalize, deterministic=True)
    changed = 0
    for table in db.table_names():
        if table.startswith(("_", "sqlite_")):
            continue
        for column in (c.name for c in db[table].columns if c.name.endswith("_at")):
            cursor = db.execute(
                f'UPDATE "{table}" SET "{column}" = prakerja_wib("{column}")'
                f' WHERE "{column}" IS NOT prakerja_wib("{column}")'
            )
            changed += cursor.rowcount
    return changed


def newest_checked_observations(db: Database, platforms: list[str]) -> dict:
    """platform -> (observed_at, crawl id) of its newest checked crawl."""
    marks = ", ".join("?" * len(platforms))
    rows = db.execute(
        "SELECT platform, observed_at, id FROM crawls WHERE checked_at IS NOT NULL"
        f" AND platform IN ({marks}) ORDER BY observed_at",
        list(platforms),
    ).fetchall()
    newest: dict[str, tuple[str, int]] = {}
    for platform, observed_at, crawl_id in rows:
        current = newest.get(platform)
        if current is None or time_key(observed_at) >= time_key(current[0]):
            newest[platform] = (observed_at, crawl_id)
    return newest


def time_key(value: str) -> datetime:
    """A stored or given time as an aware datetime, for comparing."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=WIB)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=WIB)
