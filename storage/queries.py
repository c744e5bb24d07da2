"""Saved queries for analysts (``query --saved``, Datasette canned queries), and a
read-only, time-limited runner for ad hoc SQL."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage import guard


def N_(message: str) -> str:
    """Mark a title for pybabel (babel.cfg); the monitor shows it translated."""
    return message


@dataclass(frozen=True)
class SavedQuery:
    name: str
    title: str
    sql: str
    params: tuple[str, ...] = ()
    defaults: tuple[tuple[str, str], ...] = ()


SAVED = {
    q.name: q
    for q in (
        SavedQuery(
            "bundles-payable-after-halt",
            N_("Bundles payable with Kartu Prakerja after the halt (open findings)"),
            """
            select f.id as finding, f.platform, f.listing_id, v.title, v.provider,
                v.price_idr, v.list_price_idr, f.opened_at, f.last_seen_at, v.url,
                f.relisted_from_listing_id as relisted_from
            from findings f join listing_versions v on v.id = f.version_id
            where f.status = 'open' and f.rule = 'bundle-prakerja-after-halt'
              and (:platform = '' or f.platform = :platform)
            order by f.platform, f.id
            """,
            ("platform",),
            (("platform", ""),),
        ),
        SavedQuery(
            "open-findings-by-platform",
            N_("Open findings per platform"),
            """
            select platform, count(*) as open_findings, min(opened_at) as oldest
            from findings where status = 'open' group by platform order by platform
            """,
        ),
        SavedQuery(
            "price-changes",
            N_("Price changes between complete crawls"),
            """
            select c.platform, c.listing_id, c.old_value as old_price,
                c.new_value as new_price, c.from_crawl_id, c.to_crawl_id
            from changes c
            where c.kind = 'changed' and c.field in ('price_idr', 'list_price_idr')
              and (:platform = '' or c.platform = :platform)
            order by c.to_crawl_id desc, c.platform, c.listing_id
            """,
            ("platform",),
            (("platform", ""),),
        ),
        SavedQuery(
            "removed-listings",
            N_("Listings confirmed removed"),
            """
            select c.platform, c.listing_id, c.new_value as why, c.from_crawl_id as
                last_seen_crawl, c.to_crawl_id as removed_in_crawl
            from changes c where c.kind = 'removed'
              and (:platform = '' or c.platform = :platform)
            order by c.to_crawl_id desc
            """,
            ("platform",),
            (("platform", ""),),
        ),
        SavedQuery(
            "crawl-health",
            N_("Crawl health history"),
            """
            select id, platform, observed_at, status, items, pages, errors, health
            from crawls where (:platform = '' or platform = :platform)
            order by id desc
            """,
            ("platform",),
            (("platform", ""),),
        ),
        SavedQuery(
            "providers-with-most-bundles",
            N_("Training providers with the most bundles (newest complete crawls)"),
            """
            select provider, count(*) as bundles,
                sum(prakerja_payment = 1) as payable_with_prakerja,
                group_concat(distinct platform) as platforms
            from snapshots
            where is_bundle = 1 and crawl_id in (
                select max(id) from crawls where status = 'complete' group by platform)
            group by provider order by bundles desc limit 20
            """,
        ),
    )
}


class QueryError(Exception):
    """A query that cannot run: a write, an SQL error, a timeout."""


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple]
    truncated: bool
    note: str | None = None


def run_query(
    path: str | Path,
    sql: str,
    params: dict | None = None,
    timeout: float = 5.0,
    max_rows: int = 1000,
) -> Result:
    """Run ``sql`` on a guarded read-only connection (reads only, a time limit
    checked every thousand steps, string and memory caps) with a row cap."""
    if not Path(path).is_file():
        raise QueryError(f"no database at {path}; run crawl or demo first")
    try:
        conn, note = guard.open_readonly(path)
    except sqlite3.DatabaseError as exc:
        raise QueryError(_explain(exc, timeout)) from None
    guard.install_guards(conn)
    timer = guard.set_deadline(conn, timeout)
    try:
        cursor = conn.execute(sql, params or {})
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchmany(max_rows + 1)
    except (sqlite3.DatabaseError, sqlite3.ProgrammingError) as exc:
        raise QueryError(_explain(exc, timeout)) from None
    except MemoryError:
        raise QueryError(guard.refusal(Exception("out of memory"))) from None
    finally:
        timer.cancel()
        conn.close()
    return Result(columns, rows[:max_rows], len(rows) > max_rows, note)


def _explain(exc: Exception, timeout: float) -> str:
    if "interrupted" in str(exc):
        return f"query stopped after the {timeout:g} s limit"
    if "malformed" in str(exc) or "not a database" in str(exc):
        return (
            f"the database is damaged ({exc}); restore it from a backup,"
            " or start a new one with --db NEW.db"
        )
    refused = guard.refusal(exc)
    if refused:
        return refused
    if "readonly" in str(exc) or "read-only" in str(exc):
        return (
            "the database is opened read-only: queries cannot change it"
            " (write statements are refused)"
        )
    return f"SQL error: {exc}"


def saved_params(query: SavedQuery, given: dict[str, str]) -> dict[str, str]:
    unknown = set(given) - set(query.params)
    if unknown:
        raise QueryError(
            f"saved query {query.name!r} takes {', '.join(query.params) or 'no'}"
            f" parameters, not {', '.join(sorted(unknown))}"
        )
    return {**dict(query.defaults), **given}
