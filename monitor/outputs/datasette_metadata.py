"""Datasette metadata for ``serve``: public names described, saved queries canned."""

from __future__ import annotations

from monitor import i18n
from monitor.i18n import DEFAULT, N_, gettext
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
        N_(
            "One row per crawl of one platform, with its trust verdict. Only complete"
            " crawls are compared; incomplete and failed ones carry their reasons.",
        ),
        {
            "id": N_("crawl number"),
            "platform": N_("platform slug, e.g. tokopedia"),
            "started_at": N_("when the crawl process started (ISO 8601 with offset)"),
            "finished_at": N_("when it closed"),
            "observed_at": N_("the time the crawl counts as observed at (--now)"),
            "status": N_("running, complete, incomplete or failed"),
            "finish_reason": N_("how the crawl ended (finished, crashed, ...)"),
            "items": N_("listings stored"),
            "pages": N_("responses downloaded"),
            "errors": N_("responses that failed"),
            "health": N_("JSON list of reasons the crawl is not trusted"),
        },
    ),
    "listings": (
        N_(
            "One row per platform listing ever seen.",
        ),
        {
            "platform": N_("platform slug"),
            "listing_id": N_("the platform's own id of the listing"),
            "url": N_("the listing's page"),
            "first_seen_at": N_("observed_at of the first crawl that saw it"),
            "last_seen_at": N_("observed_at of the newest crawl that saw it"),
        },
    ),
    "snapshots": (
        N_(
            "One row per listing seen in a crawl: what the platform showed then, and"
            " the monitor's judgment (is_bundle, bundle_reasons).",
        ),
        {
            "crawl_id": N_("the crawl (crawls.id)"),
            "platform": N_("platform slug"),
            "listing_id": N_("the platform's own id of the listing"),
            "observed_at": N_("the crawl's observed_at"),
            "url": N_("the listing's page"),
            "title": N_("title as scraped"),
            "provider": N_("training provider (lembaga pelatihan)"),
            "price_idr": N_("price in Rupiah"),
            "list_price_idr": N_("price before discount, in Rupiah"),
            "components": N_("JSON list of the classes in a bundle"),
            "payment_methods": N_("JSON list of the payment methods shown"),
            "prakerja_payment": N_(
                "1 payable with Kartu Prakerja, 0 not, null unknown"
            ),
            "available": N_("1 on sale, 0 not"),
            "is_bundle": N_("1 a bundle (paket), 0 a single training"),
            "bundle_reasons": N_("JSON list of what made it a bundle"),
            "crawl_status": N_("status of the crawl"),
            "evidence_file": N_("WARC file holding the archived response"),
            "evidence_record_id": N_("WARC-Record-ID of the response"),
            "evidence_sha256": "SHA-256 of the archived response body",
        },
    ),
    "changes": (
        N_(
            "One row per field change of a listing between two complete crawls.",
        ),
        {
            "platform": N_("platform slug"),
            "listing_id": N_("the platform's own id of the listing"),
            "from_crawl_id": N_("the earlier complete crawl"),
            "to_crawl_id": N_("the later complete crawl"),
            "kind": N_("added, removed or changed"),
            "field": N_("the field that changed (changed only)"),
            "old_value": N_("value in from_crawl_id"),
            "new_value": N_("value in to_crawl_id"),
        },
    ),
    "findings": (
        N_(
            "One row per rule violation: a bundle payable with Kartu Prakerja after the"
            " halt of 30 June 2020. It stays open while seen and is resolved, with the"
            " reason, only by a complete crawl.",
        ),
        {
            "id": N_("finding number"),
            "platform": N_("platform slug"),
            "listing_id": N_("the platform's own id of the listing"),
            "rule": N_("the rule violated (bundle-prakerja-after-halt)"),
            "status": N_("open or resolved"),
            "opened_at": N_("observed_at of the crawl that first saw the violation"),
            "last_seen_at": N_("observed_at of the newest crawl that saw it"),
            "resolved_at": N_("when a complete crawl showed it resolved"),
            "resolution": N_("removed, prakerja-payment-dropped, unbundled, ..."),
            "first_crawl_id": N_("the crawl that opened it"),
            "last_crawl_id": N_("the newest crawl that saw it"),
            "relisted_from_listing_id": N_("the earlier listing this bundle relists"),
        },
    ),
    "alerts": (
        N_(
            "One row per digest e-mail, pending until delivered.",
        ),
        {
            "id": N_("alert number"),
            "kind": N_("digest"),
            "created_at": N_("when it was built"),
            "sent_at": N_("when it was delivered"),
            "status": N_("pending, sent or failed"),
            "attempts": N_("delivery attempts"),
            "recipients": N_("JSON list of addresses"),
            "subject": N_("the e-mail's subject"),
            "message_id": N_("the e-mail's Message-ID"),
            "last_error": N_("the last delivery error"),
        },
    ),
    "finding_events": (
        N_(
            "Every state change of a finding (opened, reopened, resolved).",
        ),
        {},
    ),
}


def build_metadata(language: str = DEFAULT) -> dict:
    """The metadata dict Datasette takes: title, descriptions (in ``language``),
    canned queries."""
    lang = i18n.language(language)

    tables = {
        name: {
            "description": gettext(text, lang),
            "columns": {c: gettext(words, lang) for c, words in columns.items()},
        }
        for name, (text, columns) in TABLES.items()
    }
    for name in HIDDEN:
        tables[name] = {
            "hidden": True,
            "description": gettext("storage detail behind the snapshots view", lang),
        }
    queries = {
        q.name: {
            "sql": q.sql.strip(),
            "title": gettext(q.title, lang),
            "params": list(q.params),
        }
        for q in SAVED.values()
    }
    for q in SAVED.values():
        if q.params:
            queries[q.name]["description"] = gettext(
                "Leave %(params)s empty for all platforms, or give a slug such as"
                " tokopedia.",
                lang,
                params=", ".join(q.params),
            )
    return {
        "title": "prakerja-monitor",
        "description": gettext(
            "Snapshots of the eight Kartu Prakerja platforms' public listings, and"
            " the training bundles still payable with Kartu Prakerja after the halt"
            " of 30 June 2020 (letter S-148/Dir-Eks/06/2020). Read-only.",
            lang,
        ),
        "databases": {
            DATABASE: {
                "description": gettext(
                    "Public names: crawls, listings, snapshots, changes, findings,"
                    " alerts. Times are ISO 8601 with offset.",
                    lang,
                ),
                "tables": tables,
                "queries": queries,
            }
        },
    }
