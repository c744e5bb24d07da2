"""Read-only summaries for the command line: per-platform tables."""

from __future__ import annotations

from sqlite_utils import Database


def platform_summary(db: Database) -> list[dict]:
    """Per platform, from its newest crawl: listings, bundles, bundles payable with
    Kartu Prakerja, needing review, open findings, and the crawl's status."""
    return list(
        db.query(
            """
            WITH latest AS (
                SELECT platform, max(id) AS crawl_id FROM crawls GROUP BY platform
            )
            SELECT c.platform, c.id AS crawl_id, c.status, c.observed_at,
                c.health,
                count(s.listing_id) AS listings,
                coalesce(sum(s.is_bundle), 0) AS bundles,
                coalesce(sum(s.is_bundle AND s.prakerja_payment = 1
                    AND s.available = 1), 0) AS payable_bundles,
                coalesce(sum(s.is_bundle AND s.prakerja_payment IS NULL), 0)
                    AS needs_review,
                (SELECT count(*) FROM findings f
                 WHERE f.platform = c.platform AND f.status = 'open')
                    AS open_findings
            FROM latest
            JOIN crawls c ON c.id = latest.crawl_id
            LEFT JOIN snapshots s ON s.crawl_id = c.id
            GROUP BY c.id ORDER BY c.platform
            """
        )
    )


def open_findings_per_platform(db: Database) -> dict[str, int]:
    """Open findings per platform slug (platforms without any are absent)."""
    rows = db.execute(
        "SELECT platform, count(*) FROM findings WHERE status = 'open'"
        " GROUP BY platform"
    ).fetchall()
    return dict(rows)
