"""``report``: one self-contained HTML file: compliance, findings, crawl health."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlite_utils import Database

from monitor.alerts import format_idr, format_time, platform_name
from monitor.charts import compliance_chart
from monitor.platforms import HALT, JAKARTA
from storage import report as queries
from storage.db import connect

TEMPLATES = Path(__file__).parent / "templates"
TITLE = "Kartu Prakerja platforms: compliance report"


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


def build_context(db: Database, now: datetime | None = None, halt: str = HALT) -> dict:
    """Everything the template shows, from read-only queries."""
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
                "chart": compliance_chart(slug, series.get(slug, []), halt),
                "findings": findings.get(slug, []),
                "resolved": (counts.get(slug) or {}).get("resolved") or 0,
                "crawls": recent,
                "latest": recent[0] if recent else None,
                "payable_now": trusted[-1]["payable_bundles"] if trusted else None,
            }
        )
    return {
        "title": TITLE,
        "generated": format_time(now),
        "generated_iso": now.isoformat(timespec="seconds"),
        "platforms": platforms,
        "open_total": sum(len(p["findings"]) for p in platforms),
    }


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every scraped value is escaped, in text and attributes
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        idr=format_idr,
        when=format_time,
        href=safe_href,
        reason=reason_text,
        platform=platform_name,
    )
    return env


def render_report(context: dict) -> str:
    return environment().get_template("report.html.j2").render(**context)


def write_report(db_path: str | Path, out: str | Path, now=None, halt=HALT) -> dict:
    """Read ``db_path`` (read-only) and write the report to ``out``."""
    if not Path(db_path).is_file():
        raise FileNotFoundError(f"no database at {db_path}")
    db = Database(connect(db_path, readonly=True))
    try:
        context = build_context(db, now, halt)
    finally:
        db.close()
    out = Path(out)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True)
    out.write_text(render_report(context), encoding="utf-8")
    return context
