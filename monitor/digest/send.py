"""``alert``: turn unannounced state changes into one stored digest, then deliver.

A digest is stored (``pending``) together with the events it announces before any
delivery is tried, so nothing is lost and nothing is announced twice; delivery is
retried on the next run until the server accepts it (or it is in the outbox).
One ``alert`` runs at a time per database (a lease that a crashed run's expiry
frees); the digest is built and its events claimed in one write transaction.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import secrets
import socket
import sqlite3
from datetime import UTC, datetime

from monitor.digest import render as alerts
from storage import alerts as store
from storage.evidence import finding_evidence
from storage.summary import open_findings_per_platform

KINDS = {"opened": "new", "reopened": "reopened", "resolved": "resolved"}
LEASE_S = 300.0  # a crashed alert run blocks the next ones at most this long


def _finding(event: dict) -> dict:
    crawl_ids = sorted({event["first_crawl_id"], event["last_crawl_id"]})
    reasons = list(event.get("bundle_reasons") or [])
    if event.get("relisted_from_listing_id"):
        reasons.append(f"relisted-from:{event['relisted_from_listing_id']}")
    return {
        "id": event["id"],
        "platform": event["platform"],
        "listing_id": event["listing_id"],
        "title": event.get("title"),
        "provider": event.get("provider"),
        "url": event.get("url"),
        "price_idr": event.get("price_idr"),
        "list_price_idr": event.get("list_price_idr"),
        "components": event.get("components") or [],
        "payment_methods": event.get("payment_methods") or [],
        "first_seen_at": event["opened_at"],
        "last_seen_at": event["last_seen_at"],
        "crawl_ids": crawl_ids,
        "rule": event["rule"],
        "rule_version": event["rule_version"],
        "bundle_reasons": reasons,
        "resolution": event.get("detail") if event["event"] == "resolved" else None,
    }


def _health(rows: list[dict]) -> list[dict]:
    """One crawl-health entry per platform from its unannounced untrusted crawls."""
    by_platform: dict[str, dict] = {}
    for row in rows:
        entry = by_platform.setdefault(
            row["platform"],
            {
                "platform": row["platform"],
                "since": row["unverified_since"] or row["observed_at"],
                "crawl_ids": [],
                "reasons": [],
            },
        )
        entry["status"] = row["status"]
        entry["crawl_ids"].append(row["id"])
        for reason in row["health"]:
            if reason not in entry["reasons"]:
                entry["reasons"].append(reason)
    return list(by_platform.values())


def interrupted(crawl: dict) -> bool:
    """A crawl the scheduler's own shutdown stopped (see monitor.run.schedule)."""
    codes = {r.get("code") for r in crawl["health"] if isinstance(r, dict)}
    return codes == {"interrupted"}


def build_digest(db, cfg, now: datetime | None = None, evidence=None):
    """The digest for what is unannounced: (message, event ids, crawl ids) or None."""
    events = store.unannounced_events(db)
    # a crawl the scheduler's own shutdown stopped is no health problem
    health_rows = [r for r in store.unannounced_health(db) if not interrupted(r)]
    if not events and not health_rows:
        return None
    if evidence is None:
        ids = sorted({e["id"] for e in events})
        evidence = {
            fid: {k: ev[k] for k in ("warc_file", "record_id", "sha256")}
            for fid, ev in finding_evidence(db, ids).items()
        }
    sections = {"new": [], "reopened": [], "resolved": []}
    for event in events:
        sections[KINDS[event["event"]]].append(_finding(event))
    smtp = cfg["smtp"]
    message = alerts.render_digest(
        sections["new"],
        sections["reopened"],
        sections["resolved"],
        _health(health_rows),
        now or datetime.now(UTC),
        evidence,
        sender=smtp["sender"],
        recipients=smtp["recipients"],
        **digest_options(db, cfg),
    )
    return (
        message,
        [e["event_id"] for e in events],
        [r["id"] for r in health_rows],
    )


def digest_options(db, cfg) -> dict:
    """The digest's language, summary rows, open counts and evidence links."""
    return {
        "language": cfg["language"],
        "platforms": cfg.enabled_platforms(),
        "open_counts": open_findings_per_platform(db),
        "evidence_url": cfg["evidence_url"] or None,
        "evidence_dir": cfg["evidence_dir"],
        "detailed": cfg["digest"]["detailed_per_platform"],
    }


def deliver_stored(db, cfg, alert: dict) -> str:
    """Deliver one stored digest; returns where it went. Failures stay retryable.

    The attempt is recorded first: after a crash between the server's acceptance
    and ``mark_sent`` the next run resends it once, with the same Message-ID."""
    message = email.message_from_bytes(alert["message"], policy=email.policy.default)
    smtp = cfg["smtp"]
    resend = store.begin_attempt(db, alert["id"])
    note = " (resent with the same Message-ID: outcome of the last try unknown)"
    note = note if resend else ""
    try:
        if smtp["host"]:
            settings = alerts.SmtpSettings.from_config(smtp, cfg.smtp_password())
            alerts.deliver(message, settings)
            store.mark_sent(db, alert["id"])
            return f"alert {alert['id']} sent to {', '.join(smtp['recipients'])}{note}"
        path = alerts.write_outbox(message, cfg["outbox"])
    except (alerts.DeliveryError, OSError) as exc:
        store.mark_failed(db, alert["id"], str(exc))
        return f"alert {alert['id']} NOT delivered (will retry): {exc}"
    store.mark_sent(db, alert["id"], str(path))
    return str(path)


def store_digest(db, cfg, now=None, evidence=None) -> int | None:
    """Build the digest of what nobody has claimed and store it with its claims,
    in one write transaction (so its counts are exactly what it claims)."""
    with store.immediate(db):
        built = build_digest(db, cfg, now, evidence)
        if not built:
            return None
        message, event_ids, crawl_ids = built
        return store.create_alert(
            db,
            str(message["Subject"]),
            list(cfg["smtp"]["recipients"]),
            message.as_bytes(policy=email.policy.SMTP),
            str(message["Message-ID"]),
            event_ids,
            crawl_ids,
        )


def lease_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def send_alerts(db, cfg, dry_run: bool = False, now=None, evidence=None) -> list[str]:
    """Store a digest of what is new, then deliver every undelivered digest.

    Never raises for a database or delivery problem: the line says what stays
    pending and why (``NOT delivered``)."""
    if dry_run:
        built = build_digest(db, cfg, now, evidence)
        return [built[0].as_string()] if built else []
    owner = lease_owner()
    try:
        holder = store.claim_lease(db, owner, LEASE_S)
    except sqlite3.Error as exc:
        return [f"alerts NOT delivered (will retry): database: {exc}"]
    if holder:
        return [f"another alert run ({holder['owner']}) is delivering: left to it"]
    try:
        return _store_and_deliver(db, cfg, owner, now, evidence)
    finally:
        with contextlib.suppress(sqlite3.Error):  # else it expires by itself
            store.release_lease(db, owner)


def _store_and_deliver(db, cfg, owner, now, evidence) -> list[str]:
    lines = []
    try:
        store_digest(db, cfg, now, evidence)
    except Exception as exc:  # noqa: BLE001 - a digest problem never loses events
        lines.append(f"new digest NOT delivered, not stored (will retry): {exc}")
    try:
        pending = store.undelivered_alerts(db)
    except sqlite3.Error as exc:
        return [*lines, f"alerts NOT delivered (will retry): database: {exc}"]
    for alert in pending:
        try:
            if store.claim_lease(db, owner, LEASE_S):
                lines.append(f"alert {alert['id']} NOT delivered: lease lost")
                break
            lines.append(deliver_stored(db, cfg, alert))
        except sqlite3.Error as exc:
            lines.append(
                f"alert {alert['id']} NOT delivered (will retry): database: {exc}"
            )
    return lines
