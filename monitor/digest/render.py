"""The digest e-mail rendered from plain data (sent by ``monitor.digest.delivery``).

No SQL here: the caller reads storage and passes plain data. Input shapes (each a
dataclass below, or a dict with the same keys; list fields may be JSON text):

``Finding``  one finding in a state change (new, reopened or resolved)
    id (int|str), platform (slug), listing_id, title, provider, url (str|None, as
    scraped), price_idr, list_price_idr (int|None), components, payment_methods
    (list[str]), first_seen_at, last_seen_at (ISO 8601 with offset), crawl_ids
    (list[int]), rule, rule_version, bundle_reasons (list[str]), resolution
    (resolved only: one of ``words.RESOLUTIONS``), evidence (Evidence|None)
``Evidence``  the archived response: warc_file, record_id, sha256
``CrawlHealth``  one platform whose newest crawl cannot be trusted:
    platform, since (ISO 8601), status (incomplete/failed), reasons (list of
    {code, message} or messages), crawl_ids (list[int])

``render_digest(...)`` returns an ``EmailMessage`` in Bahasa Indonesia (default) or
English: text and HTML alternatives (``templates/digest.*.j2``, gettext catalogues
in ``monitor/locale``), and, when there are findings, the full list and the
evidence list as CSV attachments (multipart/mixed). Times are in WIB. Scraped
text is HTML-escaped in the HTML part and cut to one line, without control
characters, in the text part; the Subject is built only from counts and platform
display names.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from markupsafe import Markup

from monitor import i18n
from monitor.digest import files as digest_files
from monitor.digest import table, view
from monitor.digest.delivery import DEFAULT_MSGID_DOMAIN, DIGEST_HEADER, safe_id
from monitor.digest.shapes import as_finding, as_health, aware
from monitor.digest.view import DETAILED

SUBJECT_PREFIX = "[prakerja-monitor]"
DEFAULT_SENDER = "prakerja-monitor@localhost"
DEFAULT_LANGUAGE = i18n.DEFAULT
MAX_VALUE = 500  # characters of one scraped value shown

# Characters that could break a line or reorder text: C0/C1 controls, U+2028/9,
# and the bidi embedding/override/isolate controls.
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


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
    language: str = DEFAULT_LANGUAGE,
    platforms: Iterable[str] | None = None,
    open_counts: Mapping[str, int] | None = None,
    evidence_url: str | None = None,
    evidence_dir: str | None = None,
    detailed: int = DETAILED,
) -> EmailMessage:
    """The digest e-mail in ``language``: text and HTML alternatives, then the
    findings and evidence as CSV attachments (when there are findings).

    ``evidence`` maps finding ids to ``Evidence`` (or dicts) for findings that do
    not carry their own; ``platforms`` are the rows of the summary table (the
    monitored platforms), ``open_counts`` the open findings per platform after this
    round; ``evidence_url`` is where the evidence folder is published."""
    lang = i18n.language(language)
    evidence = {str(k): v for k, v in (evidence or {}).items()}
    sections = {
        "new": [as_finding(f, evidence) for f in new],
        "reopened": [as_finding(f, evidence) for f in reopened],
        "resolved": [as_finding(f, evidence) for f in resolved],
    }
    crawls = [as_health(h) for h in health]
    moment = i18n.jakarta(aware(generated_at))
    digest_id = safe_id(digest_id) or _default_id(moment, sections, crawls)
    # a complete crawl is in the health list only for a notice (an explained
    # shrink, a new baseline): it is verified
    unverified = [h for h in crawls if h.status != "complete"]
    links = {"evidence_url": evidence_url, "evidence_dir": evidence_dir}
    context = _context(sections, crawls, unverified, lang, links)
    context.update(
        digest_id=digest_id,
        generated=i18n.format_when(moment, lang),
        summary=view.summary_rows(sections, unverified, platforms, open_counts, lang),
        groups=view.platform_groups(sections, lang, max(0, detailed), **links),
    )
    context["summary_lines"] = [
        Verbatim(line) for line in table.summary_lines(context["summary"], lang)
    ]
    files = _attachments(sections, lang, links)
    context["files"] = list(files)
    message = EmailMessage()
    message["Subject"] = digest_subject(**sections, health=unverified, language=lang)
    message["From"] = sender
    to = [recipients] if isinstance(recipients, str) else list(recipients)
    if to:
        message["To"] = ", ".join(to)
    message["Date"] = format_datetime(moment)
    domain = msgid_domain or _domain(sender) or DEFAULT_MSGID_DOMAIN
    message["Message-ID"] = make_msgid(domain=domain)  # short: long ids fold
    message[DIGEST_HEADER] = digest_id
    _add_parts(message, context, files, lang)
    return message


def _context(sections, crawls, unverified, lang: str, links: dict) -> dict:
    """The templates' values that depend on neither time nor the summary rows."""
    return {
        "lead": view.lead_lines(sections, unverified, lang),
        "health": view.health_views(crawls, lang),
        "labels": {k: Verbatim(v) for k, v in table.text_labels(lang).items()},
        "summary_headers": table.summary_headers(lang),
    }


def _add_parts(message: EmailMessage, context: dict, files: dict, lang: str) -> None:
    """Text and HTML alternatives from the templates, then the CSV attachments."""
    text_env, html_env = _environments(lang)
    message.set_content(text_env.get_template("digest.txt.j2").render(context))
    html = html_env.get_template("digest.html.j2").render(context)
    message.add_alternative(html, subtype="html")
    for name, data in files.items():
        message.add_attachment(data, subtype="csv", filename=name)


def _attachments(sections: dict, lang: str, links: dict) -> dict[str, str]:
    """File name -> CSV text: every finding, and the evidence they cite."""
    pairs = [
        (f, view.finding_view(f, kind, lang, **links))
        for kind in view.KINDS
        for f in sections[kind]
    ]
    files = {}
    if pairs:
        files[i18n.gettext("findings.csv", lang)] = digest_files.findings_csv(pairs)
        listed = digest_files.evidence_csv(pairs)
        if listed:
            files[i18n.gettext("evidence.csv", lang)] = listed
    return files


def digest_subject(
    new=(), reopened=(), resolved=(), health=(), language: str = DEFAULT_LANGUAGE
) -> str:
    """The Subject: counts and platform display names only, never scraped text."""
    sections = {
        "new": list(new),
        "reopened": list(reopened),
        "resolved": list(resolved),
    }
    text = view.subject_text(sections, list(health), i18n.language(language))
    return f"{SUBJECT_PREFIX} {text}"


class Verbatim(str):
    """Text the digest built itself (aligned labels and tables): kept as is."""


def one_line(value) -> str:
    """A scraped value made safe for one line of text: no controls, no line
    breaks, whitespace collapsed, length capped."""
    if value is None:
        return ""
    if type(value) is Verbatim:
        return value
    text = " ".join(UNSAFE.sub(" ", str(value)).split())
    if isinstance(value, Markup):  # already escaped (e.g. by |join): keep whole
        return Markup(text)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _domain(address: str) -> str | None:
    domain = address.rpartition("@")[2].strip(" >")
    return domain if re.fullmatch(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}", domain) else None


def _default_id(moment: datetime, sections: dict, crawls: list) -> str:
    keys = [f"{k}:{f.id}" for k, found in sections.items() for f in found]
    keys += [f"health:{h.platform}:{h.since}" for h in crawls]
    keys.append(moment.isoformat())
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:16]


@functools.cache
def _environments(lang: str):
    """(text, HTML) Jinja2 environments of ``lang``; every {{ }} value goes
    through ``one_line``, so scraped text can break no line."""
    return tuple(
        i18n.environment(
            lang, autoescape, finalize=one_line, keep_trailing_newline=True
        )
        for autoescape in (False, True)
    )
