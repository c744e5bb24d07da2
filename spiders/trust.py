"""The trust verdict of a crawl: complete, incomplete or failed, with its reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from spiders.base import LISTING_EMPTY, PAGES_ANNOUNCED, PAGES_REACHED, TRUNCATED
from spiders.conditional import add_wrong_304

COMPLETE, INCOMPLETE, FAILED = "complete", "incomplete", "failed"
# Scrapy's own truncation check: a body shorter than its Content-Length.
DATALOSS = "retry/reason_count/scrapy.exceptions.ResponseDataLossError"


@dataclass(frozen=True)
class Thresholds:
    min_share: float = 0.8  # of the median item count of the last complete crawls
    min_coverage: float = 0.9  # share of items with title, price and payment info
    max_error_rate: float = 0.05  # failed responses per response


@dataclass
class Verdict:
    status: str
    reasons: list[dict] = field(default_factory=list)

    def add(self, code: str, message: str, worst: str = INCOMPLETE) -> None:
        self.reasons.append({"code": code, "message": message})
        if self.status == COMPLETE or worst == FAILED:
            self.status = worst


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
    items: int,
    covered: int,
    recent_counts: list[int],
    limits: Thresholds = Thresholds(),
) -> Verdict:
    """Judge a finished crawl from its Scrapy stats and the platform's history.

    ``covered`` counts items with title, price and payment information;
    ``recent_counts`` are the item counts of the last complete crawls.
    """
    v = Verdict(COMPLETE)
    if finish_reason != "finished":
        worst = FAILED if items == 0 else INCOMPLETE
        v.add("finish_reason", f"crawl ended with {finish_reason!r}", worst)
    mismatches = stats.get(f"contract/{platform}/layout_mismatch", 0)
    if mismatches:
        v.add(
            "layout_mismatch",
            f"layout changed: {mismatches} page(s) did not match the {platform}"
            " contract",
        )
    if stats.get(LISTING_EMPTY, 0):
        v.add("listing_empty", "the listing showed no trainings at all")
    announced = stats.get(PAGES_ANNOUNCED, 0)
    reached = stats.get(PAGES_REACHED, 0)
    if not announced:
        v.add("no_listing", "no listing page could be read")
    elif reached < announced:
        v.add("pages_missing", f"reached {reached} of {announced} listing pages")
    errors = error_count(stats)
    responses = stats.get("response_received_count", 0)
    if errors and errors > limits.max_error_rate * max(responses, 1):
        v.add("errors", f"{errors} failed responses of {responses}")
    truncated = stats.get(TRUNCATED, 0) + stats.get(DATALOSS, 0)
    if truncated and stats.get("retry/max_reached", 0):
        v.add("truncated", "truncated responses remained after retries")
    if items and covered < limits.min_coverage * items:
        v.add(
            "coverage",
            f"only {covered} of {items} items have title, price and payment info",
        )
    if recent_counts:
        typical = median(recent_counts)
        if items < limits.min_share * typical:
            v.add(
                "item_count",
                f"{items} items, below {limits.min_share:.0%} of the recent median"
                f" {typical:g}",
            )
    elif items == 0:
        v.add("item_count", "first crawl of the platform yielded no items")
    add_wrong_304(v, stats)
    return v
