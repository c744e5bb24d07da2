"""The trust verdict of a crawl in two parts, readable and complete, with reasons.

Readable: the crawl's items come from pages that parsed in their contract's shape,
so each is an observation. Complete: the crawl saw the whole catalogue. Status:
``complete`` when both hold, ``failed`` when nothing readable came of it, else
``incomplete``. A notice (a shrink the platform's own count explains, a new
baseline) is a reason that changes no part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from spiders.causes import failure_causes, unread_causes
from spiders.conditional import add_wrong_304
from spiders.stats import (
    DATALOSS,
    FATAL,
    LISTING_EMPTY,
    PAGES_ANNOUNCED,
    PAGES_REACHED,
    STORAGE_ERROR,
    TRUNCATED,
)
from storage.facts import COMPLETE, FAILED, INCOMPLETE, TRUST_DEFAULTS

COVERAGE_FIELDS = ("title", "price_idr", "provider", "prakerja_payment")
READABLE, COMPLETENESS, NOTICE = "readable", "complete", "notice"


@dataclass(frozen=True)
class Thresholds:
    """The verdict's limits; their meanings and defaults: storage.facts."""

    min_share: float = TRUST_DEFAULTS["min_share"]
    min_coverage: float = TRUST_DEFAULTS["min_coverage"]
    max_error_rate: float = TRUST_DEFAULTS["max_error_rate"]
    max_coverage_drop: float = TRUST_DEFAULTS["max_coverage_drop"]
    baseline_crawls: int = TRUST_DEFAULTS["baseline_crawls"]
    agree: float = TRUST_DEFAULTS["agree"]

    @classmethod
    def from_settings(cls, settings) -> Thresholds:
        """From the PRAKERJA_TRUST_* Scrapy settings (e.g. PRAKERJA_TRUST_MIN_SHARE)."""
        values = {}
        for name, default in TRUST_DEFAULTS.items():
            get = settings.getint if isinstance(default, int) else settings.getfloat
            values[name] = get(f"PRAKERJA_TRUST_{name.upper()}", default)
        return cls(**values)


@dataclass
class Verdict:
    status: str
    reasons: list[dict] = field(default_factory=list)
    readable: bool = True
    complete: bool = True

    def add(self, code: str, message: str, worst: str = INCOMPLETE, part=COMPLETENESS):
        """A reason against completeness (or readability, ``part=READABLE``)."""
        self.reasons.append({"code": code, "message": message, "part": part})
        self.complete = False
        if part == READABLE or worst == FAILED:
            self.readable = False
        if self.status == COMPLETE or worst == FAILED:
            self.status = worst

    def note(self, code: str, message: str) -> None:
        self.reasons.append({"code": code, "message": message, "part": NOTICE})

    @property
    def notice(self) -> str | None:
        notes = [r["message"] for r in self.reasons if r["part"] == NOTICE]
        return "; ".join(notes) or None


@dataclass
class Seen:
    """What the crawl read: items stored, the ledger's figures, per-field coverage."""

    items: int
    listed: int = 0
    announced: int | None = None
    unread: int = 0
    duplicate_ids: int = 0
    duplicate_pages: list = field(default_factory=list)
    unconfirmed: list = field(default_factory=list)
    mismatches: dict = field(default_factory=dict)
    coverage: dict = field(default_factory=dict)
    case_variants: int = 0


def error_count(stats: dict) -> int:
    """Responses the crawl gave up on: HTTP errors, exhausted retries, exceptions."""
    return int(
        stats.get("httperror/response_ignored_count", 0)
        + stats.get("retry/max_reached", 0)
        + stats.get("spider_exceptions/count", 0)
    )


def verdict(
    platform: str,
    stats: dict,
    finish_reason: str | None,
    seen: Seen,
    history: list[dict],
    limits: Thresholds = Thresholds(),
) -> Verdict:
    """Judge a finished crawl from its stats, what it saw and the platform's recent
    crawls (``storage.trust.history``: newest first)."""
    v = Verdict(COMPLETE)
    if finish_reason != "finished":
        # a storage fault fails the crawl even when the row can no longer be
        # forced to failed afterwards (the disk that filled holds the database)
        worst = (
            FAILED if seen.items == 0 or finish_reason == STORAGE_ERROR else INCOMPLETE
        )
        v.add("finish_reason", f"crawl ended with {finish_reason!r}", worst)
    if stats.get(FATAL):  # the storage fault itself, in the row the crawl closes
        v.add("storage", str(stats[FATAL]), FAILED)
    _pages(v, stats, seen, limits)
    _listing(v, seen, stats)
    _errors(v, stats, limits)
    _coverage(v, seen, history, limits)
    _item_count(v, seen, history, limits)
    add_wrong_304(v, stats)
    if seen.case_variants:
        v.add(
            "ids_changed_case",
            f"{seen.case_variants} listed ids differ from known ids only in letter"
            " case or surrounding spaces",
            part=READABLE,
        )
    if not seen.items and v.status != FAILED:
        v.add("no_items", "no item could be read", part=READABLE)
    return v


def _pages(v: Verdict, stats: dict, seen: Seen, limits: Thresholds) -> None:
    for (page_type, what), count in sorted(seen.mismatches.items()):
        v.add(
            "layout_mismatch",
            f"layout changed: {count} {page_type} page(s) did not match the contract"
            f" ({what})",
        )
    if stats.get(LISTING_EMPTY, 0):
        v.add("listing_empty", "the listing showed no trainings at all")
    announced = stats.get(PAGES_ANNOUNCED, 0)
    reached = stats.get(PAGES_REACHED, 0)
    if not announced:
        causes = failure_causes(stats) or "no cause recorded"
        v.add("no_listing", f"no listing page could be read: {causes}")
    elif reached < announced:
        causes = failure_causes(stats)
        more = f" ({causes})" if causes else ""
        v.add("pages_missing", f"reached {reached} of {announced} listing pages{more}")
    for asked, shown in seen.unconfirmed[:3]:
        v.add(
            "pages_unconfirmed",
            f"listing page {asked} answered as page {shown}"
            f" ({len(seen.unconfirmed)} page(s) not confirmed)",
        )
    truncated = stats.get(TRUNCATED, 0) + stats.get(DATALOSS, 0)
    if truncated and stats.get("retry/max_reached", 0):
        v.add("truncated", "truncated responses remained after retries")


def _listing(v: Verdict, seen: Seen, stats: dict) -> None:
    """Distinct ids against the platform's own count; repeated pages and ids."""
    for page, repeats in seen.duplicate_pages[:3]:
        v.add(
            "duplicate_pages", f"listing page {page} repeats the ids of page {repeats}"
        )
    if seen.duplicate_ids:
        v.add(
            "duplicate_ids",
            f"{seen.duplicate_ids} listed ids appeared on more than one page"
            f" ({seen.listed} distinct)",
        )
    if seen.announced is not None and seen.listed < seen.announced:
        v.add(
            "listed_short",
            f"the platform announced {seen.announced} listings, {seen.listed}"
            " distinct ids were listed",
        )
    if seen.unread:
        v.add(
            "unread",
            f"{seen.unread} of {seen.listed} listed trainings yielded no item"
            f"{unread_causes(stats)}",
        )


def _errors(v: Verdict, stats: dict, limits: Thresholds) -> None:
    errors = error_count(stats)
    responses = stats.get("response_received_count", 0)
    if errors and errors > limits.max_error_rate * max(responses, 1):
        causes = failure_causes(stats)
        more = f": {causes}" if causes else ""
        v.add("errors", f"{errors} failed responses of {responses}{more}")


def _coverage(v: Verdict, seen: Seen, history: list[dict], limits) -> None:
    """An absolute floor for titles; every field against its recent median."""
    title = seen.coverage.get("title")
    if title is not None and title < limits.min_coverage:
        v.add(
            "coverage",
            f"title: only {title:.0%} of listed items have one"
            f" (floor {limits.min_coverage:.0%})",
        )
    complete = [h for h in history if h["status"] == COMPLETE][:3]
    for name in COVERAGE_FIELDS:
        now = seen.coverage.get(name)
        before = [h["coverage"][name] for h in complete if name in h["coverage"]]
        if now is None or not before:
            continue
        typical = median(before)
        if typical - now > limits.max_coverage_drop:
            v.add(
                "coverage",
                f"{name}: {now:.0%} of items have it, {typical:.0%} in the recent"
                " complete crawls",
            )


def _item_count(v: Verdict, seen: Seen, history: list[dict], limits) -> None:
    recent = [h["items"] for h in history if h["status"] == COMPLETE][:3]
    if not recent:
        return
    typical = median(recent)
    if seen.items >= limits.min_share * typical:
        return
    if v.complete and seen.announced is not None and seen.announced == seen.listed:
        v.note(
            "shrink",
            f"catalogue shrank from {typical:g} to {seen.items}, consistent with the"
            " platform's own count",
        )
    elif v.complete and _new_level(seen.items, history, limits):
        v.note(
            "new_baseline",
            f"{seen.items} items in {limits.baseline_crawls} consecutive crawls"
            f" (recent median {typical:g}): the new baseline",
        )
    else:
        v.add(
            "item_count",
            f"{seen.items} items, below {limits.min_share:.0%} of the recent median"
            f" {typical:g}",
        )


def _new_level(items: int, history: list[dict], limits: Thresholds) -> bool:
    """The previous crawls (baseline_crawls - 1 of them, newest first) were held
    back by their item count alone, and agree with this one."""
    needed = max(limits.baseline_crawls - 1, 0)
    previous = history[:needed]
    if len(previous) < needed:
        return False
    if any(
        h["status"] != INCOMPLETE or set(h["codes"]) != {"item_count"} for h in previous
    ):
        return False
    counts = [items, *(h["items"] for h in previous)]
    return max(counts) - min(counts) <= limits.agree * max(counts)
