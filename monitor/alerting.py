"""``alert``: turn unannounced state changes into one stored digest, then deliver.

A digest is stored (``pending``) together with the events it announces before any
delivery is tried, so nothing is lost and nothing is announced twice; delivery is
retried on the next run until the server accepts it (or it is in the outbox).
"""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

from monitor import alerts
from storage import alerts as store
from storage.evidence import finding_evidence
from storage.summary import open_findings_per_platform

KINDS = {"opened": "new", "reopened": "reopened", "resolved": "resolved"}


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
    """A crawl the scheduler's own shutdown stopped (see monitor.schedule)."""
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
    """Deliver one stored digest; returns where it went. Failures stay retryable."""
    message = email.message_from_bytes(alert["message"], policy=email.policy.default)
    smtp = cfg["smtp"]
    try:
        if smtp["host"]:
            settings = alerts.SmtpSettings.from_config(smtp, cfg.smtp_password())
            alerts.deliver(message, settings)
            store.mark_sent(db, alert["id"])
            return f"alert {alert['id']} sent to {', '.join(smtp['recipients'])}"
        path = alerts.write_outbox(message, cfg["outbox"])
    except (alerts.DeliveryError, OSError) as exc:
        store.mark_failed(db, alert["id"], str(exc))
        return f"alert {alert['id']} NOT delivered (will retry): {exc}"
    store.mark_sent(db, alert["id"], str(path))
    return str(path)


def send_alerts(db, cfg, dry_run: bool = False, now=None, evidence=None) -> list[str]:
    """Store a digest of what is new, then deliver every undelivered digest."""
    built = build_digest(db, cfg, now, evidence)
    if dry_run:
        return [built[0].as_string()] if built else []
    if built:
        message, event_ids, crawl_ids = built
        store.create_alert(
            db,
            str(message["Subject"]),
            list(cfg["smtp"]["recipients"]),
            message.as_bytes(policy=email.policy.SMTP),
            str(message["Message-ID"]),
            event_ids,
            crawl_ids,
        )
    return [deliver_stored(db, cfg, a) for a in store.undelivered_alerts(db)]
