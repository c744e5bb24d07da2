"""The digest's input shapes (findings, their evidence, crawl health) and how
plain dicts, JSON text and naive times are coerced into them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime


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


def as_finding(value, evidence: Mapping) -> Finding:
    if isinstance(value, Mapping) and "rule" not in value:
        value = {**value, "rule": value.get("rule_id", "")}
    finding = coerce(Finding, value)
    for name in ("components", "payment_methods", "bundle_reasons", "crawl_ids"):
        setattr(finding, name, as_list(getattr(finding, name)))
    found = finding.evidence or evidence.get(str(finding.id))
    if isinstance(found, Mapping):
        found = coerce(Evidence, found)
    finding.evidence = found
    return finding


def as_health(value) -> CrawlHealth:
    health = coerce(CrawlHealth, value)
    health.reasons = as_list(health.reasons)
    health.crawl_ids = as_list(health.crawl_ids)
    return health


def coerce(cls, value):
    """A fresh ``cls`` from an instance or a mapping (unknown keys ignored)."""
    names = [f.name for f in fields(cls)]
    if isinstance(value, cls):
        return cls(**{name: getattr(value, name) for name in names})
    return cls(**{k: v for k, v in dict(value).items() if k in names})


def as_list(value) -> list:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    if isinstance(value, list | tuple):
        return list(value)
    return [] if value is None else [value]


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.strip())


def aware(value) -> datetime:
    moment = value if isinstance(value, datetime) else parse_time(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
