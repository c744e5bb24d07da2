"""The digest e-mail: build it from plain data, deliver it by SMTP or to an outbox.

No SQL here: the caller reads storage and passes plain data. Input shapes (each a
dataclass below, or a dict with the same keys; list fields may be JSON text):

``Finding``  one finding in a state change (new, reopened or resolved)
    id (int|str), platform (slug), listing_id, title, provider, url (str|None, as
    scraped), price_idr, list_price_idr (int|None), components, payment_methods
    (list[str]), first_seen_at, last_seen_at (ISO 8601 with offset), crawl_ids
    (list[int]), rule, rule_version, bundle_reasons (list[str]), resolution
    (resolved only: one of RESOLUTIONS), evidence (Evidence|None)
``Evidence``  the archived response: warc_file, record_id, sha256
``CrawlHealth``  one platform whose newest crawl cannot be trusted:
    platform, since (ISO 8601), status (incomplete/failed), reasons (list[str]),
    crawl_ids (list[int])

``render_digest(...)`` returns a multipart/alternative ``EmailMessage`` (text and
HTML from ``templates/digest.*.j2``). Scraped text is HTML-escaped in the HTML part
and cut to one line, without control characters, in the text part; the Subject is
built only from counts and platform display names. ``deliver(message, settings)``
sends it with smtplib, ``write_outbox(message, folder)`` writes an ``.eml`` file
(both live in ``monitor.delivery``, the side-effect edge, and are re-exported here).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from monitor.delivery import (  # noqa: F401 - delivery is part of this API
    DEFAULT_MSGID_DOMAIN,
    DIGEST_HEADER,
    PASSWORD_ENV,
    SECURITIES,
    DeliveryError,
    SmtpSettings,
    deliver,
    safe_id,
    write_outbox,
)
from monitor.platforms import DISPLAY_NAMES

SUBJECT_PREFIX = "[prakerja-monitor]"
DEFAULT_SENDER = "prakerja-monitor@localhost"
TEMPLATES = Path(__file__).parent / "templates"
MAX_VALUE = 500  # characters of one scraped value shown

PLATFORM_NAMES = DISPLAY_NAMES
RESOLUTIONS = {
    "removed": "removed from the platform",
    "prakerja-payment-dropped": "no longer payable with Kartu Prakerja",
    "unbundled": "no longer a bundle",
    "unavailable": "no longer available for purchase",
}

# Characters that could break a line or reorder text: C0/C1 controls, U+2028/9,
# and the bidi embedding/override/isolate controls.
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass
class Evidence:
    warc_file: str | None = None
    record_id: str | None = None
    sha256: str | None = None


@dataclass
class Finding:
    id: int | str
    platform: str
    listing_id: str = ""
    title: str | None = None
    provider: str | None = None
    url: str | None = None
    price_idr: int | None = None
    list_price_idr: int | None = None
    components: list[str] = field(default_factory=list)
    payment_methods: list[str] = field(default_factory=list)
    first_seen_at: str | None = None
    last_seen_at: str | None = None
    crawl_ids: list[int] = field(default_factory=list)
    rule: str = ""
    rule_version: str = ""
    bundle_reasons: list[str] = field(default_factory=list)
    resolution: str | None = None
    evidence: Evidence | None = None


@dataclass
class CrawlHealth:
    platform: str
    since: str | None = None
    status: str = "incomplete"
    reasons: list[str] = field(default_factory=list)
    crawl_ids: list[int] = field(default_factory=list)


# -- rendering ---------------------------------------------------------------


def render_digest(
    new: Iterable,
    reopened: Iterable,
    resolved: Iterable,
    health: Iterable,
    generated_at: datetime | str,
    evidence: Mapping | None = None,
    *,
    sender: str = DEFAULT_SENDER,
    recipients: Iterable[str] | str = (),
    digest_id: str | None = None,
    msgid_domain: str | None = None,
) -> EmailMessage:
    """The digest e-mail. ``evidence`` maps finding ids to ``Evidence`` (or dicts)
    for findings that do not carry their own."""
    evidence = {str(k): v for k, v in (evidence or {}).items()}
    sections = {
        "new": [_finding(f, evidence) for f in new],
        "reopened": [_finding(f, evidence) for f in reopened],
        "resolved": [_finding(f, evidence) for f in resolved],
    }
    crawls = [_health(h) for h in health]
    moment = _aware(generated_at)
    digest_id = safe_id(digest_id) or _default_id(moment, sections, crawls)
    unverified = [h for h in crawls if h.status != "complete"]  # notices are not
    subject = digest_subject(**sections, health=unverified)
    context = {
        "digest_id": digest_id,
        "generated": format_time(moment),
        "summary": subject.removeprefix(SUBJECT_PREFIX).strip(),
        "sections": [
            _section(key, title, sections[key])
            for key, title in (
                ("new", "New findings"),
                ("reopened", "Reopened findings"),
                ("resolved", "Resolved findings"),
            )
        ],
        "health": [_health_view(h) for h in crawls],
    }
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    to = [recipients] if isinstance(recipients, str) else list(recipients)
    if to:
        message["To"] = ", ".join(to)
    message["Date"] = format_datetime(moment)
    domain = msgid_domain or _domain(sender) or DEFAULT_MSGID_DOMAIN
    message["Message-ID"] = make_msgid(domain=domain)  # short: long ids fold
    message[DIGEST_HEADER] = digest_id
    message.set_content(_TEXT.get_template("digest.txt.j2").render(context))
    html = _HTML.get_template("digest.html.j2").render(context)
    message.add_alternative(html, subtype="html")
    return message


def digest_subject(new=(), reopened=(), resolved=(), health=()) -> str:
    """The Subject: counts and platform display names only, never scraped text."""
    counts = [
        (len(new), "new"),
        (len(reopened), "reopened"),
        (len(resolved), "resolved"),
    ]
    parts = [f"{n} {word}" for n, word in counts if n]
    findings = [*new, *reopened, *resolved]
    text = ""
    if parts:
        noun = "finding" if len(findings) == 1 else "findings"
        names = _names(f.platform for f in findings)
        text = f"{', '.join(parts)} {noun} on {names}"
    if health:
        crawls = f"{len(health)} crawl{'s' if len(health) != 1 else ''} unverified"
        if text:
            text += f"; {crawls}"
        else:
            text = f"{crawls}: {_names(h.platform for h in health)}"
    return f"{SUBJECT_PREFIX} {text or 'no changes'}"


def platform_name(slug) -> str:
    """Display name of a platform slug; never echoes an unexpected value."""
    if slug in PLATFORM_NAMES:
        return PLATFORM_NAMES[slug]
    if isinstance(slug, str) and re.fullmatch(r"[a-z0-9_-]{1,32}", slug):
        return slug
    return "unknown platform"


def format_idr(value) -> str:
    """Rupiah as shown in Indonesia: 1500000 -> "Rp1.500.000"; None -> "-"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "-"
    if not abs(value) < 1e18:  # NaN, infinity, nonsense
        return "-"
    amount = round(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def format_time(value) -> str:
    """ "2020-07-15T10:00:00+07:00" -> "2020-07-15 10:00 +07:00" (offset kept)."""
    if value is None:
        return "-"
    try:
        moment = value if isinstance(value, datetime) else _parse(value)
    except (TypeError, ValueError):
        return one_line(value)
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    offset = moment.strftime("%z")
    return moment.strftime("%Y-%m-%d %H:%M ") + f"{offset[:3]}:{offset[3:5]}"


def one_line(value) -> str:
    """A scraped value made safe for one line of text: no controls, no line
    breaks, whitespace collapsed, length capped."""
    if value is None:
        return ""
    text = " ".join(UNSAFE.sub(" ", str(value)).split())
    if isinstance(value, Markup):  # already escaped (e.g. by |join): keep whole
        return Markup(text)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _section(key: str, title: str, findings: list[Finding]) -> dict:
    groups: dict[str, list] = {}
    for finding in sorted(findings, key=lambda f: _sort_key(f.id)):
        groups.setdefault(platform_name(finding.platform), []).append(finding)
    return {
        "key": key,
        "title": title,
        "count": len(findings),
        "groups": [
            {"platform": name, "findings": [_finding_view(f) for f in groups[name]]}
            for name in sorted(groups, key=str.casefold)
        ],
    }


def _finding_view(f: Finding) -> dict:
    evidence = None
    if f.evidence and any((f.evidence.warc_file, f.evidence.record_id)):
        evidence = (
            f"WARC {f.evidence.warc_file or '-'}, record {f.evidence.record_id or '-'}"
            f", SHA-256 {f.evidence.sha256 or '-'}"
        )
    resolution = None
    if f.resolution:
        text = RESOLUTIONS.get(f.resolution)
        resolution = f"{text} ({f.resolution})" if text else f.resolution
    return {
        "id": f.id,
        "platform": platform_name(f.platform),
        "listing_id": f.listing_id,
        "title": f.title or "(no title)",
        "provider": f.provider or "-",
        "price": format_idr(f.price_idr),
        "list_price": format_idr(f.list_price_idr) if f.list_price_idr else None,
        "components": f.components,
        "payment_methods": f.payment_methods,
        "url": f.url or "-",
        "href": _href(f.url),
        "first_seen": format_time(f.first_seen_at),
        "last_seen": format_time(f.last_seen_at),
        "crawl_ids": ", ".join(str(c) for c in f.crawl_ids) or "-",
        "rule": f"{f.rule} v{f.rule_version}" if f.rule_version else f.rule or "-",
        "reasons": ", ".join(f.bundle_reasons) or "-",
        "resolution": resolution,
        "evidence": evidence,
    }


def _health_view(h: CrawlHealth) -> dict:
    name = platform_name(h.platform)
    since = f" since {format_time(h.since)}" if h.since else ""
    if h.status == "complete":
        since = f" on {format_time(h.since)}" if h.since else ""
    reasons = "; ".join(h.reasons) or h.status
    crawls = ", ".join(str(c) for c in h.crawl_ids)
    # a complete crawl is here for a notice (an explained shrink, a new baseline)
    verb = "verified" if h.status == "complete" else "cannot verify"
    return {
        "platform": name,
        "line": f"{verb} {name}{since}: {reasons}",
        "status": h.status,
        "crawls": crawls or "-",
    }


# -- input coercion ------------------------------------------------------------


def _finding(value, evidence: Mapping) -> Finding:
    if isinstance(value, Mapping) and "rule" not in value:
        value = {**value, "rule": value.get("rule_id", "")}
    finding = _coerce(Finding, value)
    for name in ("components", "payment_methods", "bundle_reasons", "crawl_ids"):
        setattr(finding, name, _list(getattr(finding, name)))
    found = finding.evidence or evidence.get(str(finding.id))
    if isinstance(found, Mapping):
        found = _coerce(Evidence, found)
    finding.evidence = found
    return finding


def _health(value) -> CrawlHealth:
    health = _coerce(CrawlHealth, value)
    health.reasons = _list(health.reasons)
    health.crawl_ids = _list(health.crawl_ids)
    return health


def _coerce(cls, value):
    """A fresh ``cls`` from an instance or a mapping (unknown keys ignored)."""
    names = [f.name for f in fields(cls)]
    if isinstance(value, cls):
        return cls(**{name: getattr(value, name) for name in names})
    return cls(**{k: v for k, v in dict(value).items() if k in names})


def _list(value) -> list:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    if isinstance(value, list | tuple):
        return list(value)
    return [] if value is None else [value]


def _href(url) -> str | None:
    """The URL as a link target only when it is plain http(s)."""
    if not isinstance(url, str) or UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _names(slugs: Iterable) -> str:
    return ", ".join(sorted({platform_name(s) for s in slugs}, key=str.casefold))


def _sort_key(value):
    return (0, int(value), "") if str(value).isdecimal() else (1, 0, str(value))


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.strip())


def _aware(value) -> datetime:
    moment = value if isinstance(value, datetime) else _parse(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _domain(address: str) -> str | None:
    domain = address.rpartition("@")[2].strip(" >")
    return domain if re.fullmatch(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}", domain) else None


def _default_id(moment: datetime, sections: dict, crawls: list) -> str:
    keys = [f"{k}:{f.id}" for k, found in sections.items() for f in found]
    keys += [f"health:{h.platform}:{h.since}" for h in crawls]
    keys.append(moment.isoformat())
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:16]


def _environment(autoescape: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        finalize=one_line,  # every {{ }} value: scraped text can break no line
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


_TEXT = _environment(autoescape=False)
_HTML = _environment(autoescape=True)
