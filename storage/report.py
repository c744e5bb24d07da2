"""Read-only queries of the HTML report: compliance per crawl, findings, health."""

from __future__ import annotations

import json

from sqlite_utils import Database

from storage.evidence import finding_evidence


def report_platforms(db: Database) -> list[str]:
    """Every platform that was crawled or has a finding, sorted."""
    rows = db.execute(
        "SELECT platform FROM crawls UNION SELECT platform FROM findings ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def compliance_series(db: Database) -> dict[str, list[dict]]:
    """Per platform, oldest first, one row per finished crawl: its status, listings,
    bundles, and bundles payable with Kartu Prakerja (available ones only)."""
    rows = db.query(
        """
        SELECT c.platform, c.id AS crawl_id, c.observed_at, c.status,
            count(s.listing_id) AS listings,
            coalesce(sum(s.is_bundle = 1), 0) AS bundles,
            coalesce(sum(s.is_bundle = 1 AND s.prakerja_payment = 1
                AND s.available = 1), 0) AS payable_bundles
        FROM crawls c
        LEFT JOIN snapshots s ON s.crawl_id = c.id
        WHERE c.status != 'running'
        GROUP BY c.id
        ORDER BY c.platform, c.observed_at, c.id
        """
    )
    out: dict[str, list[dict]] = {}
    for row in rows:
        out.setdefault(row["platform"], []).append(row)
    return out


def open_findings_with_evidence(db: Database) -> dict[str, list[dict]]:
    """Per platform, the open findings with the facts of the version that made
    them (JSON lists decoded) and the archived record they cite."""
    rows = list(
        db.query(
            """
            SELECT f.id, f.platform, f.listing_id, f.rule, f.rule_version,
                f.opened_at, f.last_seen_at, f.first_crawl_id, f.last_crawl_id,
                f.relisted_from_listing_id, v.title, v.provider, v.price_idr,
                v.list_price_idr, v.components, v.payment_methods,
                coalesce(v.url, l.url) AS url
            FROM findings f
            LEFT JOIN listing_versions v ON v.id = f.version_id
            LEFT JOIN listings l
                ON l.platform = f.platform AND l.listing_id = f.listing_id
            WHERE f.status = 'open'
            ORDER BY f.platform, f.opened_at, f.id
            """
        )
    )
    evidence = finding_evidence(db, [r["id"] for r in rows]) if rows else {}
    out: dict[str, list[dict]] = {}
    for row in rows:
        for column in ("components", "payment_methods"):
            row[column] = _json_list(row[column])
        row["evidence"] = evidence.get(row["id"])
        out.setdefault(row["platform"], []).append(row)
    return out


def recent_crawls(db: Database, per_platform: int = 10) -> dict[str, list[dict]]:
    """Per platform, its newest crawls (newest first) with status and reasons."""
    rows = db.query(
        """
        SELECT * FROM (
            SELECT id, platform, started_at, finished_at, observed_at, status,
                finish_reason, items, pages, errors, health,
                row_number() OVER (PARTITION BY platform ORDER BY id DESC) AS n
            FROM crawls
        ) WHERE n <= :limit ORDER BY platform, id DESC
        """,
        {"limit": per_platform},
    )
    out: dict[str, list[dict]] = {}
    for row in rows:
        row["health"] = _json_list(row["health"])
        out.setdefault(row["platform"], []).append(row)
    return out


def finding_counts(db: Database) -> dict[str, dict]:
    """Per platform: open and resolved findings."""
    rows = db.query(
        "SELECT platform, sum(status = 'open') AS open,"
        " sum(status = 'resolved') AS resolved FROM findings GROUP BY platform"
    )
    return {r["platform"]: r for r in rows}


def _json_list(value) -> list:
    if value is None:
        return []
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return [value]
    return parsed if isinstance(parsed, list) else [parsed]
