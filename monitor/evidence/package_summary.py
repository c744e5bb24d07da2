"""The human-readable summary page of an evidence package (summary/index.html)."""

from __future__ import annotations

from html import escape

from monitor.evidence.signing import fingerprint

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3} code{font-size:12px;word-break:break-all}
img{max-width:100%;border:1px solid #999}
"""


def _rows(pairs) -> str:
    return "".join(
        f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
        for k, v in pairs
        if v not in (None, "", [])
    )


def _rupiah(value) -> str | None:
    return None if value is None else "Rp" + f"{int(value):,}".replace(",", ".")


def _facts(story: dict) -> tuple[str, str]:
    finding = _rows(
        [
            ("finding", story["id"]),
            ("platform", story["platform"]),
            ("listing id", story["listing_id"]),
            ("title", story.get("title")),
            ("provider", story.get("provider")),
            ("price", _rupiah(story.get("price_idr"))),
            ("list price", _rupiah(story.get("list_price_idr"))),
            ("url", story.get("url")),
            ("rule", f"{story['rule']} version {story['rule_version']}"),
            ("classifier", story.get("classifier_version")),
            ("status", story["status"]),
            ("resolution", story.get("resolution")),
            ("opened", story["opened_at"]),
            ("last seen", story["last_seen_at"]),
            ("resolved", story.get("resolved_at")),
        ]
    )
    reasons = _rows(
        [
            ("bundle reasons", ", ".join(map(str, story.get("bundle_reasons") or []))),
            ("bundle label", story.get("bundle_label")),
            ("components", "; ".join(map(str, story.get("components") or []))),
            ("payment methods", ", ".join(story.get("payment_methods") or [])),
            (
                "Kartu Prakerja shown by",
                ", ".join(story.get("prakerja_evidence") or []),
            ),
        ]
    )
    return finding, reasons


def _life(story: dict, cited: dict) -> tuple[str, str]:
    timeline = "".join(
        f"<tr><td>{escape(e['at'])}</td><td>{escape(e['kind'])}</td>"
        f"<td>{e['crawl_id']}</td><td>{escape(str(e['detail'] or ''))}</td>"
        f"<td>{escape(cited.get(e['crawl_id'], 'not seen in this crawl'))}</td></tr>"
        for e in story["events"]
    )
    crawls = "".join(
        f"<tr><td>{c['id']}</td><td>{escape(c['observed_at'])}</td>"
        f"<td>{escape(c['status'])}</td>"
        f"<td>{escape(cited.get(c['id'], 'not seen'))}</td></tr>"
        for c in story["crawls"]
    )
    return timeline, crawls


def _archive(packed: dict, shots: list) -> tuple[str, str]:
    records = "".join(
        f"<tr><td>{escape(r['type'])}</td><td>{escape(r['page'] or '')}</td>"
        f"<td><code>{escape(r['uri'] or r['file'])}</code></td>"
        f"<td>{escape(r['date'] or '')}</td><td><code>{escape(r['record_id'])}</code>"
        f"<br><code>{escape(r['sha256'] or r['payload_digest'] or '')}</code></td>"
        f"<td>{escape(r['file'])}</td></tr>"
        for r in sorted(packed.values(), key=lambda r: (r["crawl_id"], r["offset"]))
    )
    images = "".join(
        f'<figure><img src="../screenshots/{escape(s["name"])}" alt="screenshot">'
        f"<figcaption>{escape(s['url'])}, rendered from record"
        f" <code>{escape(s['record_id'])}</code>; payment section:"
        f" {escape((s['payment'] or {}).get('label', 'not found')[:120])}"
        f"</figcaption></figure>"
        for s in shots
    )
    return records, images


def summary_html(story: dict, packed: dict, cited: dict, shots: list, key) -> str:
    """The finding, the rule and version, the reasons, the timeline, the
    records with their digests, the screenshots, and the signing key."""
    finding, reasons = _facts(story)
    timeline, crawls = _life(story, cited)
    records, images = _archive(packed, shots)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Finding {story["id"]}: {escape(story["platform"])}
{escape(story["listing_id"])}</title>
<style>{STYLE}</style></head><body>
<h1>Finding {story["id"]}: {escape(story.get("title") or story["listing_id"])}</h1>
<p>A training bundle payable with Kartu Prakerja after the halt of 30 June 2020
(letter S-148/Dir-Eks/06/2020), as archived by prakerja-monitor. Every file of this
package is listed with its SHA-256 in <code>datapackage.json</code>, which is signed
in <code>datapackage-digest.json</code> (ECDSA P-256, key fingerprint
<code>{fingerprint(key)}</code>). Check it offline with
<code>prakerja-monitor evidence verify PACKAGE.wacz</code>; replay it with pywb or
ReplayWeb.page.</p>
<h2>Finding</h2><table>{finding}</table>
<h2>Why it is a violation</h2><table>{reasons}</table>
<h2>Timeline</h2><table><tr><th>at</th><th>event</th><th>crawl</th><th>detail</th>
<th>archived record</th></tr>{timeline}</table>
<h2>Crawls of its life</h2><table><tr><th>crawl</th><th>observed at</th>
<th>status</th><th>archived record</th></tr>{crawls}</table>
<h2>Screenshots (from the archived bytes, never a live fetch)</h2>
{images or "<p>none</p>"}
<h2>Archived records</h2><table><tr><th>type</th><th>page</th><th>URI</th>
<th>WARC-Date</th><th>record id / payload SHA-256</th><th>file</th></tr>
{records}</table>
</body></html>
"""
