"""Alerts: what is still unannounced, the stored digests, their delivery state."""

from __future__ import annotations

import json
import time

from sqlite_utils import Database

from storage.db import write_transaction
from storage.findings import _decode
from storage.snapshots import now_iso

ALERT_LEASE = "alert"  # one ``alert`` run at a time per database


class ClaimConflict(RuntimeError):
    """Some events of a digest were claimed by another digest meanwhile."""


# The digest's transaction (monitor/digest/send.py): the one write transaction.
immediate = write_transaction


def claim_lease(
    db: Database, owner: str, seconds: float, name: str = ALERT_LEASE, now=None
) -> dict | None:
    """Take (or renew) the lease ``name`` for ``owner`` in one statement; None
    when taken, else the holder (``owner``, ``expires_at``). A lease whose holder
    crashed expires after ``seconds``."""
    now = time.time() if now is None else now
    cursor = db.execute(
        "INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
        " expires_at = excluded.expires_at"
        " WHERE leases.owner = excluded.owner OR leases.expires_at < ?",
        [name, owner, now + seconds, now],
    )
    if cursor.rowcount == 1:
        return None
    row = db.execute(
        "SELECT owner, expires_at FROM leases WHERE name = ?", [name]
    ).fetchone()
    return {"owner": row[0], "expires_at": row[1]} if row else None


def release_lease(db: Database, owner: str, name: str = ALERT_LEASE) -> None:
    db.execute("DELETE FROM leases WHERE name = ? AND owner = ?", [name, owner])


_EVENT_SQL = """
SELECT e.id AS event_id, e.kind AS event, e.at AS event_at, e.detail,
    e.crawl_id AS event_crawl_id, f.id, f.platform, f.listing_id, f.rule,
    f.rule_version, f.status, f.opened_at, f.last_seen_at, f.resolved_at,
    f.resolution, f.first_crawl_id, f.last_crawl_id, f.relisted_from,
    f.relisted_from_listing_id, v.url, v.title, v.provider, v.price_idr,
    v.list_price_idr, v.components, v.payment_methods, v.prakerja_evidence,
    v.bundle_keywords, j.bundle_reasons, f.version_id
FROM finding_events e
JOIN findings f ON f.id = e.finding_id
LEFT JOIN listing_versions v ON v.id = f.version_id
LEFT JOIN judgments j ON j.version_id = f.version_id
WHERE e.alert_id IS NULL
ORDER BY f.platform, e.id
"""


def unannounced_events(db: Database) -> list[dict]:
    """Finding state changes no alert has announced yet, with the finding's facts."""
    return [_decode(r) for r in db.query(_EVENT_SQL)]


def unannounced_health(db: Database) -> list[dict]:
    """Untrusted crawls not yet announced, with when the platform was last verified."""
    rows = db.query(
        """
        SELECT c.*, (
            SELECT max(p.observed_at) FROM crawls p
            WHERE p.platform = c.platform AND p.status = 'complete' AND p.id < c.id
        ) AS last_verified_at, (
            SELECT min(q.observed_at) FROM crawls q
            WHERE q.platform = c.platform AND q.status IN ('incomplete', 'failed')
              AND q.id <= c.id AND q.id > coalesce((
                SELECT max(p.id) FROM crawls p
                WHERE p.platform = c.platform AND p.status = 'complete'
                  AND p.id < c.id), 0)
        ) AS unverified_since
        FROM crawls c
        WHERE (c.status IN ('incomplete', 'failed')
               OR (c.status = 'complete' AND c.notice IS NOT NULL))
          AND NOT EXISTS (SELECT 1 FROM health_events h WHERE h.crawl_id = c.id)
        ORDER BY c.platform, c.id
        """
    )
    out = []
    for row in rows:
        row["health"] = json.loads(row["health"] or "[]")
        out.append(row)
    return out


def create_alert(
    db: Database,
    subject: str,
    recipients: list[str],
    message: bytes,
    message_id: str,
    event_ids: list[int],
    crawl_ids: list[int],
) -> int:
    """Store a digest as ``pending`` and claim its events, in one transaction;
    ClaimConflict (nothing stored) when an event was claimed meanwhile."""
    with write_transaction(db):
        alert_id = db.execute(
            "INSERT INTO alerts (kind, created_at, status, recipients, subject,"
            " message_id, message) VALUES ('digest', ?, 'pending', ?, ?, ?, ?)",
            [now_iso(), json.dumps(recipients), subject, message_id, message],
        ).lastrowid
        before = db.conn.total_changes
        db.conn.executemany(
            "UPDATE finding_events SET alert_id = ? WHERE id = ? AND alert_id IS NULL",
            [(alert_id, e) for e in event_ids],
        )
        db.conn.executemany(
            "INSERT OR IGNORE INTO health_events (crawl_id, alert_id) VALUES (?, ?)",
            [(c, alert_id) for c in crawl_ids],
        )
        claimed = db.conn.total_changes - before
        if claimed != len(set(event_ids)) + len(set(crawl_ids)):
            raise ClaimConflict(
                f"claimed {claimed} of {len(event_ids) + len(crawl_ids)} events"
            )
    return alert_id


def undelivered_alerts(db: Database) -> list[dict]:
    """Alerts not yet accepted by the server or written to the outbox, oldest first."""
    return list(db.query("SELECT * FROM alerts WHERE status != 'sent' ORDER BY id"))


def begin_attempt(db: Database, alert_id: int) -> bool:
    """Record a delivery attempt before it is made; True when an earlier attempt's
    outcome is unknown (a crash between the server's acceptance and recording
    it), so this attempt is a resend of the same message and Message-ID."""
    with write_transaction(db):
        in_doubt = db.execute(
            "SELECT sending_since IS NOT NULL FROM alerts WHERE id = ?", [alert_id]
        ).fetchone()[0]
        db.execute(
            "UPDATE alerts SET attempts = attempts + 1, sending_since = ?,"
            " resends = resends + ? WHERE id = ?",
            [now_iso(), int(bool(in_doubt)), alert_id],
        )
    return bool(in_doubt)


def mark_sent(db: Database, alert_id: int, outbox_path: str | None = None) -> None:
    db.execute(
        "UPDATE alerts SET status = 'sent', sent_at = ?, sending_since = NULL,"
        " last_error = NULL, outbox_path = ? WHERE id = ?",
        [now_iso(), outbox_path, alert_id],
    )


def mark_failed(db: Database, alert_id: int, error: str) -> None:
    """The attempt failed for sure (the server refused it): retry next run."""
    db.execute(
        "UPDATE alerts SET status = 'failed', sending_since = NULL, last_error = ?"
        " WHERE id = ?",
        [error[:1000], alert_id],
    )


def list_alerts(db: Database) -> list[dict]:
    return list(
        db.query(
            "SELECT id, kind, created_at, sent_at, status, attempts, recipients,"
            " subject, message_id, last_error, outbox_path, resends FROM alerts"
            " ORDER BY id"
        )
    )
