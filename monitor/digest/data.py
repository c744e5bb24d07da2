"""The digest's data: unannounced events and untrusted crawls read from storage,
shaped into the plain findings and crawl-health entries that ``render`` expects."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.digest.render import render_digest
from storage import alerts as store
from storage.evidence import finding_evidence
from storage.summary import open_findings_per_platform

KINDS = {"opened": "new", "reopened": "reopened", "resolved": "resolved"}


def finding_entry(event: dict) -> dict:
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


def health_entries(rows: list[dict]) -> list[dict]:
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
        sections[KINDS[event["event"]]].append(finding_entry(event))
    smtp = cfg["smtp"]
    message = render_digest(
        sections["new"],
        sections["reopened"],
        sections["resolved"],
        health_entries(health_rows),
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
