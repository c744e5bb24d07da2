"""Datasette metadata for ``serve``: public names described, saved queries canned."""

from __future__ import annotations

from storage.queries import SAVED

DATABASE = "prakerja"  # the URL path of the database: /prakerja/<table>
HIDDEN = (
    "listing_versions",
    "sightings",
    "judgments",
    "payloads",
    "health_events",
    "_sqlite_migrations",
)

TABLES = {
    "crawls": (
        "One row per crawl of one platform, with its trust verdict. Only complete"
        " crawls are compared; incomplete and failed ones carry their reasons.",
        {
            "id": "crawl number",
            "platform": "platform slug, e.g. tokopedia",
            "started_at": "when the crawl process started (ISO 8601 with offset)",
            "finished_at": "when it closed",
            "observed_at": "the time the crawl counts as observed at (--now)",
            "status": "running, complete, incomplete or failed",
            "finish_reason": "how the crawl ended (finished, crashed, ...)",
            "items": "listings stored",
            "pages": "responses downloaded",
            "errors": "responses that failed",
            "health": "JSON list of reasons the crawl is not trusted",
        },
    ),
    "listings": (
        "One row per platform listing ever seen.",
        {
            "platform": "platform slug",
            "listing_id": "the platform's own id of the listing",
            "url": "the listing's page",
            "first_seen_at": "observed_at of the first crawl that saw it",
            "last_seen_at": "observed_at of the newest crawl that saw it",
        },
    ),
    "snapshots": (
        "One row per listing seen in a crawl: what the platform showed then, and"
        " the monitor's judgment (is_bundle, bundle_reasons).",
        {
            "crawl_id": "the crawl (crawls.id)",
            "platform": "platform slug",
            "listing_id": "the platform's own id of the listing",
            "observed_at": "the crawl's observed_at",
            "url": "the listing's page",
            "title": "title as scraped",
            "provider": "training provider (lembaga pelatihan)",
            "price_idr": "price in Rupiah",
            "list_price_idr": "price before discount, in Rupiah",
            "components": "JSON list of the classes in a bundle",
            "payment_methods": "JSON list of the payment methods shown",
            "prakerja_payment": "1 payable with Kartu Prakerja, 0 not, null unknown",
            "available": "1 on sale, 0 not",
            "is_bundle": "1 a bundle (paket), 0 a single training",
            "bundle_reasons": "JSON list of what made it a bundle",
            "crawl_status": "status of the crawl",
            "evidence_file": "WARC file holding the archived response",
            "evidence_record_id": "WARC-Record-ID of the response",
            "evidence_sha256": "SHA-256 of the archived response body",
        },
    ),
    "changes": (
        "One row per field change of a listing between two complete crawls.",
        {
            "platform": "platform slug",
            "listing_id": "the platform's own id of the listing",
            "from_crawl_id": "the earlier complete crawl",
            "to_crawl_id": "the later complete crawl",
            "kind": "added, removed or changed",
            "field": "the field that changed (changed only)",
            "old_value": "value in from_crawl_id",
            "new_value": "value in to_crawl_id",
        },
    ),
    "findings": (
        "One row per rule violation: a bundle payable with Kartu Prakerja after the"
        " halt of 30 June 2020. It stays open while seen and is resolved, with the"
        " reason, only by a complete crawl.",
        {
            "id": "finding number",
            "platform": "platform slug",
            "listing_id": "the platform's own id of the listing",
            "rule": "the rule violated (bundle-prakerja-after-halt)",
            "status": "open or resolved",
            "opened_at": "observed_at of the crawl that first saw the violation",
            "last_seen_at": "observed_at of the newest crawl that saw it",
            "resolved_at": "when a complete crawl showed it resolved",
            "resolution": "removed, prakerja-payment-dropped, unbundled, ...",
            "first_crawl_id": "the crawl that opened it",
            "last_crawl_id": "the newest crawl that saw it",
            "relisted_from_listing_id": "the earlier listing this bundle relists",
        },
    ),
    "alerts": (
        "One row per digest e-mail, pending until delivered.",
        {
            "id": "alert number",
            "kind": "digest",
            "created_at": "when it was built",
            "sent_at": "when it was delivered",
            "status": "pending, sent or failed",
            "attempts": "delivery attempts",
            "recipients": "JSON list of addresses",
            "subject": "the e-mail's subject",
            "message_id": "the e-mail's Message-ID",
            "last_error": "the last delivery error",
        },
    ),
    "finding_events": (
        "Every state change of a finding (opened, reopened, resolved).",
        {},
    ),
}


def build_metadata() -> dict:
    """The metadata dict Datasette takes: title, descriptions, canned queries."""
    tables = {
        name: {"description": text, "columns": columns}
        for name, (text, columns) in TABLES.items()
    }
    for name in HIDDEN:
        tables[name] = {
            "hidden": True,
            "description": "storage detail behind the snapshots view",
        }
    queries = {
        q.name: {"sql": q.sql.strip(), "title": q.title, "params": list(q.params)}
        for q in SAVED.values()
    }
    for q in SAVED.values():
        if q.params:
            queries[q.name]["description"] = (
                "Leave "
                + ", ".join(q.params)
                + " empty for all platforms, or give a slug such as tokopedia."
            )
    return {
        "title": "prakerja-monitor",
        "description": (
            "Snapshots of the eight Kartu Prakerja platforms' public listings, and"
            " the training bundles still payable with Kartu Prakerja after the halt"
            " of 30 June 2020 (letter S-148/Dir-Eks/06/2020). Read-only."
        ),
        "databases": {
            DATABASE: {
                "description": (
                    "Public names: crawls, listings, snapshots, changes, findings,"
                    " alerts. Times are ISO 8601 with offset."
                ),
                "tables": tables,
                "queries": queries,
            }
        },
    }
