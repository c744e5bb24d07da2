"""The digest's attachments: every finding as CSV, and the evidence list as CSV."""

from __future__ import annotations

import csv
import io

from monitor.i18n import jakarta

FINDING_COLUMNS = (
    "finding",
    "status",
    "platform",
    "listing_id",
    "title",
    "provider",
    "price_idr",
    "list_price_idr",
    "classes",
    "payment_methods",
    "why_a_bundle",
    "first_seen_at",
    "last_seen_at",
    "resolution",
    "url",
    "evidence_id",
)
EVIDENCE_COLUMNS = (
    "finding",
    "url",
    "evidence_id",
    "warc_record_id",
    "sha256",
    "evidence_link",
)


def _cell(value) -> str:
    """Text for a spreadsheet cell; a leading = + - @ is not run as a formula."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _iso(value) -> str:
    try:
        moment = jakarta(value)
    except (TypeError, ValueError):
        return ""
    return moment.isoformat() if moment else ""


def _csv(columns, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(row.get(c)) for c in columns] for row in rows)
    return "\ufeff" + out.getvalue()  # the BOM: spreadsheets read it as UTF-8


def findings_csv(pairs) -> str:
    """``pairs`` of (Finding, view): one row per finding, machine-readable."""
    rows = []
    for f, view in pairs:
        rows.append(
            {
                "finding": f.id,
                "status": view["status"],
                "platform": view["platform"],
                "listing_id": f.listing_id,
                "title": f.title,
                "provider": f.provider,
                "price_idr": f.price_idr,
                "list_price_idr": f.list_price_idr,
                "classes": "; ".join(str(c) for c in f.components),
                "payment_methods": view["payment_methods"],
                "why_a_bundle": view["reasons"],
                "first_seen_at": _iso(f.first_seen_at),
                "last_seen_at": _iso(f.last_seen_at),
                "resolution": view["resolution"],
                "url": f.url,
                "evidence_id": view["evidence_id"],
            }
        )
    return _csv(FINDING_COLUMNS, rows)


def evidence_csv(pairs) -> str | None:
    """Finding, URL, archived record id and SHA-256 of each cited record."""
    rows = [
        {
            "finding": f.id,
            "url": f.url,
            "evidence_id": view["evidence_id"],
            "warc_record_id": f.evidence.record_id,
            "sha256": f.evidence.sha256,
            "evidence_link": view["evidence_href"],
        }
        for f, view in pairs
        if f.evidence and view["evidence_id"]
    ]
    return _csv(EVIDENCE_COLUMNS, rows) if rows else None
