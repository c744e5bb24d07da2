"""``report``: one self-contained HTML file: compliance, findings, crawl health."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

from jinja2 import Environment
from sqlite_utils import Database

from monitor import i18n
from monitor.digest.view import evidence_id, platform_name
from monitor.digest.words import health_reason
from monitor.outputs.charts import compliance_chart
from monitor.platforms import HALT, JAKARTA
from storage import report as queries
from storage.db import connect

TITLE = i18n.N_("Kartu Prakerja platforms: compliance report")
STATUSES = {
    "complete": i18n.N_("complete"),
    "incomplete": i18n.N_("incomplete"),
    "failed": i18n.N_("failed"),
    "running": i18n.N_("running"),
    "interrupted": i18n.N_("interrupted"),
}


def platform_id(slug: str) -> str:
    """A slug made safe for an HTML id (anything else becomes '-')."""
    return re.sub(r"[^a-z0-9_-]", "-", str(slug).lower())[:40] or "-"


def safe_href(url) -> str | None:
    """The URL when it is http(s), else None (no javascript: links)."""
    if not isinstance(url, str):
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def reason_text(reason) -> str:
    if isinstance(reason, dict):
        return str(reason.get("message") or reason.get("code") or reason)
    return str(reason)


def reason_words(reason, lang: str) -> tuple[str, str | None]:
    """A crawl-health reason in words, and the recorded message when it says more."""
    words = health_reason(reason, lang)
    message = reason_text(reason)
    return words, (message if message != words else None)


def evidence_short(evidence) -> str | None:
    if not evidence:
        return None
    return evidence_id(
        SimpleNamespace(
            record_id=evidence.get("record_id"), sha256=evidence.get("sha256")
        )
    )


def file_name(path) -> str:
    """The archive's file name only: the report shows no folder of this machine."""
    return Path(str(path)).name if path else "-"


def build_context(
    db: Database, now: datetime | None = None, language=None, halt: str = HALT
) -> dict:
    """Everything the template shows, from read-only queries."""
    lang = i18n.language(language)
    now = now or datetime.now(JAKARTA)
    series = queries.compliance_series(db)
    findings = queries.open_findings_with_evidence(db)
    crawls = queries.recent_crawls(db)
    counts = queries.finding_counts(db)
    platforms = []
    for slug in queries.report_platforms(db):
        recent = crawls.get(slug, [])
        trusted = [r for r in series.get(slug, []) if r["status"] == "complete"]
        platforms.append(
            {
                "slug": slug,
                "id": platform_id(slug),
                "name": platform_name(slug),
                "chart": compliance_chart(slug, series.get(slug, []), lang, halt),
                "findings": findings.get(slug, []),
                "resolved": (counts.get(slug) or {}).get("resolved") or 0,
                "crawls": recent,
                "latest": recent[0] if recent else None,
                "payable_now": trusted[-1]["payable_bundles"] if trusted else None,
            }
        )
    return {
        "lang": lang,
        "title": i18n.gettext(TITLE, lang),
        "statuses": {k: i18n.gettext(v, lang) for k, v in STATUSES.items()},
        "generated": i18n.format_when(now, lang),
        "generated_iso": now.isoformat(timespec="seconds"),
        "platforms": platforms,
        "open_total": sum(len(p["findings"]) for p in platforms),
    }


def environment(lang: str = i18n.DEFAULT) -> Environment:
    env = i18n.environment(lang, autoescape=True)  # scraped text escaped everywhere
    env.filters.update(
        idr=lambda value: i18n.format_idr(value, lang),
        when=lambda value: i18n.format_when(value, lang),
        number=lambda value: i18n.format_number(value, lang),
        href=safe_href,
        reason=lambda reason: reason_words(reason, lang),
        platform=platform_name,
        evidence_id=evidence_short,
        file_name=file_name,
    )
    return env


def render_report(context: dict) -> str:
    lang = context.get("lang", i18n.DEFAULT)
    return environment(lang).get_template("report.html.j2").render(**context)


def write_report(
    db_path: str | Path, out: str | Path, now=None, language=None, halt=HALT
) -> dict:
    """Read ``db_path`` (read-only) and write the report to ``out`` in ``language``
    (id by default, or en)."""
    if not Path(db_path).is_file():
        raise FileNotFoundError(f"no database at {db_path}")
    db = Database(connect(db_path, readonly=True))
    try:
        context = build_context(db, now, language, halt)
    finally:
        db.close()
    out = Path(out)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True)
    out.write_text(render_report(context), encoding="utf-8")
    return context
