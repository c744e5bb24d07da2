"""What the digest shows, in reading order, for one language: plain dicts for the
templates (lead lines, per-platform summary, findings by platform, crawl health)."""

from __future__ import annotations

import os
import re
from pathlib import PurePath
from urllib.parse import quote, urlsplit

from monitor.digest.words import bundle_reasons, health_reasons, resolution
from monitor.i18n import N_, format_idr, format_when, gettext, join_names, ngettext
from monitor.platforms import DISPLAY_NAMES

KINDS = ("new", "reopened", "resolved")
DETAILED = 5  # findings per platform shown in full; the rest as compact rows
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
RECORD = re.compile(r"crawl:(\d+):(\d+)>?$")


def platform_name(slug) -> str:
    """Display name of a platform slug; never echoes an unexpected value."""
    if slug in DISPLAY_NAMES:
        return DISPLAY_NAMES[slug]
    if isinstance(slug, str) and re.fullmatch(r"[a-z0-9_-]{1,32}", slug):
        return slug
    return "unknown platform"


def names(slugs, lang: str) -> str:
    return join_names(sorted({platform_name(s) for s in slugs}, key=str.casefold), lang)


def href(url) -> str | None:
    """The URL as a link target only when it is plain http(s)."""
    if not isinstance(url, str) or UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def evidence_id(evidence) -> str | None:
    """A short, stable name of an archived record: E<crawl>-<offset>."""
    if evidence is None or not (evidence.record_id or evidence.sha256):
        return None
    found = RECORD.search(str(evidence.record_id or ""))
    if found:
        return f"E{found.group(1)}-{found.group(2)}"
    return "E" + (evidence.sha256 or re.sub(r"\W", "", str(evidence.record_id)))[:12]


def evidence_link(evidence, base_url, evidence_dir=None) -> str | None:
    """``base_url`` + the archive's name inside the evidence folder, or None."""
    if not base_url or evidence is None or not evidence.warc_file:
        return None
    path = PurePath(os.path.abspath(str(evidence.warc_file)))
    try:
        relative = path.relative_to(os.path.abspath(evidence_dir or "/-"))
    except ValueError:
        relative = None
    parts = relative.parts if relative else path.parts[-2:]
    link = str(base_url).rstrip("/") + "/" + "/".join(quote(p) for p in parts)
    return href(link)


def subject_text(sections: dict, crawls: list, lang: str) -> str:
    """The Subject's text: counts and platform display names only."""
    parts = []
    new, reopened, resolved = (sections.get(k, []) for k in KINDS)
    if new:
        parts.append(
            ngettext(
                "%(n)d new bundle still payable with Kartu Prakerja on %(names)s",
                "%(n)d new bundles still payable with Kartu Prakerja on %(names)s",
                len(new),
                lang,
                names=names((f.platform for f in new), lang),
            )
        )
    if reopened:
        parts.append(
            ngettext(
                "%(n)d bundle payable with Kartu Prakerja again on %(names)s",
                "%(n)d bundles payable with Kartu Prakerja again on %(names)s",
                len(reopened),
                lang,
                names=names((f.platform for f in reopened), lang),
            )
        )
    if resolved:
        parts.append(
            ngettext(
                "%(n)d bundle stopped", "%(n)d bundles stopped", len(resolved), lang
            )
        )
    if crawls:
        parts.append(
            ngettext(
                "%(n)d platform could not be verified: %(names)s",
                "%(n)d platforms could not be verified: %(names)s",
                len({h.platform for h in crawls}),
                lang,
                names=names((h.platform for h in crawls), lang),
            )
        )
    return "; ".join(parts) or gettext("no changes", lang)


def lead_lines(sections: dict, crawls: list, lang: str) -> list[str]:
    """The first lines: what happened and what to do about it."""
    lines = []
    payable = sections["new"] + sections["reopened"]
    if payable:
        lines.append(subject_text({"new": sections["new"]}, [], lang) + ".")
        if sections["reopened"]:
            lines.append(
                subject_text({"reopened": sections["reopened"]}, [], lang) + "."
            )
        lines.append(
            gettext(
                "Please ask %(names)s to stop selling these bundles or to remove"
                " Kartu Prakerja as a payment method for them.",
                lang,
                names=names((f.platform for f in payable), lang),
            )
        )
    if sections["resolved"]:
        lines.append(
            ngettext(
                "%(n)d bundle on %(names)s is no longer a violation; no action needed.",
                "%(n)d bundles on %(names)s are no longer violations; no action"
                " needed.",
                len(sections["resolved"]),
                lang,
                names=names((f.platform for f in sections["resolved"]), lang),
            )
        )
    if crawls:
        lines.append(
            gettext(
                "%(names)s could not be verified: findings there stay as they were"
                " until a crawl succeeds; the maintainers should look at the crawl.",
                lang,
                names=names((h.platform for h in crawls), lang),
            )
        )
    return lines or [gettext("Nothing changed since the last digest.", lang)]


def summary_rows(sections, crawls, platforms, open_counts, lang) -> list[dict]:
    """Per platform: new (and reopened), still open, resolved, cannot verify."""
    slugs = list(platforms or [])
    for f in (f for k in KINDS for f in sections[k]):
        if f.platform not in slugs:
            slugs.append(f.platform)
    unverified = {h.platform: h for h in crawls}
    slugs += [s for s in unverified if s not in slugs]
    rows = []
    for slug in slugs:
        new = sum(f.platform == slug for f in sections["new"] + sections["reopened"])
        still = None
        if open_counts is not None:
            still = max(int(open_counts.get(slug, 0)) - new, 0)
        health = unverified.get(slug)
        rows.append(
            {
                "slug": slug,
                "platform": platform_name(slug),
                "new": new,
                "still_open": "-" if still is None else still,
                "resolved": sum(f.platform == slug for f in sections["resolved"]),
                "unverified": (
                    gettext(
                        "yes, since %(when)s",
                        lang,
                        when=format_when(health.since, lang),
                    )
                    if health and health.since
                    else gettext("yes", lang)
                    if health
                    else gettext("no", lang)
                ),
                "flag": bool(health),
            }
        )
    return sorted(rows, key=lambda r: r["platform"].casefold())


def finding_view(f, kind: str, lang: str, evidence_url=None, evidence_dir=None) -> dict:
    ev = f.evidence
    labels = {
        "new": gettext("new", lang),
        "reopened": gettext("payable again", lang),
        "resolved": gettext("resolved", lang),
    }
    return {
        "id": f.id,
        "kind": kind,
        "status": labels[kind],
        "platform": platform_name(f.platform),
        "listing_id": f.listing_id,
        "title": f.title or gettext("(no title)", lang),
        "provider": f.provider or "-",
        "price": format_idr(f.price_idr, lang),
        "list_price": format_idr(f.list_price_idr, lang) if f.list_price_idr else None,
        "components": f.components,
        "payment_methods": ", ".join(str(m) for m in f.payment_methods) or "-",
        "url": f.url or "-",
        "href": href(f.url),
        "first_seen": format_when(f.first_seen_at, lang),
        "last_seen": format_when(f.last_seen_at, lang),
        "reasons": bundle_reasons(f.bundle_reasons, lang),
        "resolution": resolution(f.resolution, lang),
        "evidence_id": evidence_id(ev),
        "evidence_sha256": ev.sha256 if ev else None,
        "evidence_href": evidence_link(ev, evidence_url, evidence_dir),
    }


def platform_groups(sections, lang, detailed=DETAILED, **links) -> list[dict]:
    """Findings by platform (new, payable again, resolved; by id); the first
    ``detailed`` in full, the others as compact rows."""
    by_platform: dict[str, list] = {}
    for kind in KINDS:
        for f in sorted(sections[kind], key=lambda f: _sort_key(f.id)):
            view = finding_view(f, kind, lang, **links)
            by_platform.setdefault(view["platform"], []).append(view)
    groups = []
    for name in sorted(by_platform, key=str.casefold):
        views = by_platform[name]
        groups.append(
            {
                "platform": name,
                "count": len(views),
                "counts": _group_counts(views, lang),
                "detailed": views[:detailed],
                "compact": views[detailed:],
            }
        )
    return groups


COUNT_WORDS = {
    "new": N_("%(n)d new"),
    "reopened": N_("%(n)d payable again"),
    "resolved": N_("%(n)d resolved"),
}


def _group_counts(views: list[dict], lang: str) -> str:
    counts = []
    for kind, text in COUNT_WORDS.items():
        n = sum(v["kind"] == kind for v in views)
        if n:
            counts.append(gettext(text, lang, n=n))
    return ", ".join(counts)


def health_views(crawls, lang: str) -> list[dict]:
    out = []
    for h in crawls:
        name = platform_name(h.platform)
        reasons = health_reasons(h.reasons, lang) or gettext(
            "the crawl could not be trusted", lang
        )
        if h.status == "complete":  # here for a notice only
            line = gettext(
                "%(platform)s verified: %(reasons)s.",
                lang,
                platform=name,
                reasons=reasons,
            )
        elif h.since:
            line = gettext(
                "%(platform)s could not be verified since %(when)s: %(reasons)s.",
                lang,
                platform=name,
                when=format_when(h.since, lang),
                reasons=reasons,
            )
        else:
            line = gettext(
                "%(platform)s could not be verified: %(reasons)s.",
                lang,
                platform=name,
                reasons=reasons,
            )
        out.append({"platform": name, "line": line})
    return out


def _sort_key(value):
    return (0, int(value), "") if str(value).isdecimal() else (1, 0, str(value))
