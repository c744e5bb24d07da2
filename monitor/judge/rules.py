"""Compliance rules as data, and their evaluation over one snapshot row.

A rule is a ``Rule`` record; ``evaluate(rule, snapshot_row, classification,
settings)`` returns an ``Outcome`` (VIOLATION, COMPLIANT or NEEDS_REVIEW, with a
short reason and the rule's id and version). Inputs are plain values: the snapshot
row is a dict with ``platform``, ``observed_at`` (ISO 8601 with offset),
``prakerja_payment`` (True/False/None, or 1/0 from SQLite) and ``available``; the
classification is a ``storage.classifier.Classification``, a dict with ``is_bundle``,
or a bool. A bundle known only from a title word (no label, no listed classes)
is NEEDS_REVIEW, never a violation: structure decides. Settings (``RuleSettings``)
hold the halt time and the platforms' Prakerja partnership windows (start
inclusive, end exclusive).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from monitor.platforms import HALT, JAKARTA, PARTNER_EXITS, PROGRAMME_START, SLUGS
from storage.classifier import STRONG, is_strong

VIOLATION = "violation"
COMPLIANT = "compliant"
NEEDS_REVIEW = "needs-review"

# Reasons, in the order the checks run.
SINGLE = "single"
BEFORE_HALT = "before-halt"
NOT_A_PARTNER = "not-a-partner"
UNAVAILABLE = "unavailable"
AVAILABILITY_UNKNOWN = "availability-unknown"
NOT_PAYABLE = "not-payable-with-prakerja"
PAYMENT_UNKNOWN = "prakerja-payment-unknown"
OBSERVED_AT_UNKNOWN = "observed-at-unknown"
PAYABLE_BUNDLE = "bundle-payable-with-prakerja"
TITLE_WORD_ONLY = "bundle-by-title-word-only"  # no label, no listed classes

DEFAULT_HALT_AT = HALT
PLATFORMS = SLUGS


@dataclass(frozen=True)
class Rule:
    id: str
    version: str
    effective_from: str  # ISO 8601 with offset; the default halt time
    description: str


BUNDLE_AFTER_HALT = Rule(
    id="bundle-prakerja-after-halt",
    version="1",
    effective_from=DEFAULT_HALT_AT,
    description=(
        "A bundle seen on sale at or after the halt of 30 June 2020 and payable "
        "with Kartu Prakerja, on a platform that is a Prakerja partner at that time."
    ),
)
RULES = (BUNDLE_AFTER_HALT,)


@dataclass(frozen=True)
class Window:
    """A partnership window: ``start`` inclusive, ``end`` exclusive (None: open)."""

    start: str
    end: str | None = None

    def contains(self, moment: datetime) -> bool:
        if moment < parse_time(self.start):
            return False
        return self.end is None or moment < parse_time(self.end)


DEFAULT_PARTNERSHIPS: Mapping[str, tuple[Window, ...]] = {
    slug: (Window(PROGRAMME_START, PARTNER_EXITS.get(slug)),) for slug in PLATFORMS
}


@dataclass(frozen=True)
class RuleSettings:
    halt_at: str | None = None  # None: the rule's effective_from
    partnerships: Mapping[str, tuple[Window, ...]] = field(
        default_factory=lambda: dict(DEFAULT_PARTNERSHIPS)
    )


@dataclass(frozen=True)
class Outcome:
    outcome: str  # VIOLATION, COMPLIANT or NEEDS_REVIEW
    reason: str
    rule_id: str
    rule_version: str

    @property
    def is_violation(self) -> bool:
        return self.outcome == VIOLATION


def settings_from_config(config: Mapping | None) -> RuleSettings:
    """Rule settings from a config mapping: ``monitor.config``'s shape
    (``{"halt": ..., "partners": {slug: {"from": ..., "until": ...}}}``) or
    ``{"halt_at": ..., "partnerships": {slug: [{"start": ..., "end": ...}]}}``.

    A platform listed replaces its default windows; a window may also be a
    ``[start, end]`` pair. Times are validated here (ValueError).
    """
    config = config or {}
    halt_at = config.get("halt_at") or config.get("halt")
    if halt_at is not None:
        parse_time(halt_at)
    partnerships = dict(DEFAULT_PARTNERSHIPS)
    listed = config.get("partnerships") or config.get("partners") or {}
    for slug, windows in listed.items():
        if isinstance(windows, Mapping):
            windows = [windows]
        partnerships[slug] = tuple(_window(w) for w in windows)
    return RuleSettings(halt_at=halt_at, partnerships=partnerships)


def is_partner(platform: str, moment: datetime, settings: RuleSettings) -> bool:
    windows = settings.partnerships.get(platform, ())
    return any(window.contains(moment) for window in windows)


def evaluate(
    rule: Rule,
    snapshot_row: Mapping,
    classification,
    settings: RuleSettings | None = None,
) -> Outcome:
    """Judge one snapshot row against ``rule``."""
    check = _CHECKS.get(rule.id)
    if check is None:
        raise ValueError(f"unknown rule {rule.id!r}")
    outcome, reason = check(rule, snapshot_row, classification, settings)
    return Outcome(outcome, reason, rule.id, rule.version)


def _bundle_after_halt(rule, row, classification, settings):
    settings = settings or RuleSettings()
    row = row if isinstance(row, Mapping) else {}
    if not _is_bundle(classification):
        return COMPLIANT, SINGLE
    try:
        observed = parse_time(row.get("observed_at"))
    except ValueError:
        return NEEDS_REVIEW, OBSERVED_AT_UNKNOWN
    if observed < parse_time(settings.halt_at or rule.effective_from):
        return COMPLIANT, BEFORE_HALT
    if not is_partner(row.get("platform"), observed, settings):
        return COMPLIANT, NOT_A_PARTNER
    available = _tristate(row.get("available"))
    if available is False:
        return COMPLIANT, UNAVAILABLE
    payment = _tristate(row.get("prakerja_payment"))
    if payment is False:
        return COMPLIANT, NOT_PAYABLE
    if available is None:
        return NEEDS_REVIEW, AVAILABILITY_UNKNOWN
    if payment is None:
        return NEEDS_REVIEW, PAYMENT_UNKNOWN
    if not _structural(classification):
        return NEEDS_REVIEW, TITLE_WORD_ONLY
    return VIOLATION, PAYABLE_BUNDLE


_CHECKS = {BUNDLE_AFTER_HALT.id: _bundle_after_halt}


def parse_time(value) -> datetime:
    """An aware datetime from ISO 8601 text or a datetime; naive means Jakarta."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"not an ISO 8601 time: {value!r}") from exc
    else:
        raise ValueError(f"not a time: {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=JAKARTA)


def _window(value) -> Window:
    if isinstance(value, Window):
        window = value
    elif isinstance(value, Mapping):
        start = value.get("start") or value.get("from")
        if start is None:
            raise ValueError(f"partnership window without a start: {value!r}")
        window = Window(start, value.get("end") or value.get("until"))
    else:
        start, end = value
        window = Window(start, end)
    parse_time(window.start)
    if window.end is not None:
        parse_time(window.end)
    return window


def _is_bundle(classification) -> bool:
    """From a Classification, a mapping or a bool; SQLite's 1 counts as True."""
    if isinstance(classification, Mapping):
        value = classification.get("is_bundle")
    else:
        value = getattr(classification, "is_bundle", classification)
    return _tristate(value) is True


def _structural(classification) -> bool:
    """Whether the bundle evidence is structure (a label or type, two or more
    listed classes) rather than a title word alone. Without evidence to tell
    (a bare ``is_bundle``), the classification is taken as structural."""
    if isinstance(classification, Mapping):
        if "strength" in classification:
            return classification["strength"] == STRONG
        if classification.get("bundle_reasons") is not None:
            return is_strong(classification["bundle_reasons"])
        return True
    strength = getattr(classification, "strength", STRONG)
    return strength == STRONG


def _tristate(value) -> bool | None:
    """True/False, with SQLite's 1/0; anything else is unknown."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    return None
