"""``check``: diff complete crawls, classify, apply the rules, keep the findings."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from monitor import judging, rules
from storage import diff, findings
from storage.snapshots import now_iso

RELIST_SIMILARITY = 0.6  # Jaccard similarity of component classes


@dataclass
class CheckReport:
    platform: str
    crawl_id: int
    previous_id: int | None
    added: int = 0
    changed: int = 0
    removed: int = 0
    opened: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    needs_review: list[str] = field(default_factory=list)


def rule_settings(cfg) -> rules.RuleSettings:
    partners = {slug: [[w["from"], w["until"]]] for slug, w in cfg["partners"].items()}
    return rules.settings_from_config(
        {"halt_at": cfg["halt"], "partnerships": partners}
    )


def http_gone(url: str, timeout: float = 10.0) -> bool:
    """True when the listing URL answers 404 or 410 (a removal the site confirms)."""
    request = urllib.request.Request(
        url, method="GET", headers={"User-Agent": "prakerja-monitor/0.1"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return False
    except urllib.error.HTTPError as exc:
        return exc.code in (404, 410)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def judge(db, crawl_id: int) -> None:
    """Classify every version in the crawl that has no judgment of this classifier
    (once per distinct set of the fields the classifier reads: ``judging``)."""
    judging.judge_crawl(db, crawl_id)


def resolution_for(outcome: rules.Outcome) -> str | None:
    """Why an open finding is resolved by a compliant observation (None: keep)."""
    return {
        rules.SINGLE: "unbundled",
        rules.NOT_PAYABLE: "prakerja-payment-dropped",
        rules.UNAVAILABLE: "unavailable",
        rules.NOT_A_PARTNER: "partnership-ended",
    }.get(outcome.reason)


def relisted_from(row: dict, vanished: list[dict]) -> dict:
    """The vanished bundle this one relists (same or mostly the same classes)."""
    mine = {c.casefold() for c in row.get("components") or []}
    if len(mine) < 2:
        return {}
    best, score = None, 0.0
    for old in vanished:
        theirs = {c.casefold() for c in old["components"] or []}
        if old["listing_id"] == row["listing_id"] or len(theirs) < 2:
            continue
        similarity = len(mine & theirs) / len(mine | theirs)
        if similarity > score:
            best, score = old, similarity
    if best is None or score < RELIST_SIMILARITY:
        return {}
    return {
        "listing_id": best["listing_id"],
        "finding_id": best.get("finding_id"),
        "detail": f"relisted from {best['listing_id']} ({score:.0%} same classes)",
    }


def check_crawl(
    db, crawl: dict, cfg, probe: Callable[[str], bool] = http_gone, now=None
):
    """Compare one complete crawl with the previous complete one and update findings."""
    platform, crawl_id = crawl["platform"], crawl["id"]
    previous = findings.previous_complete(db, platform, crawl_id)
    report = CheckReport(platform, crawl_id, previous)
    settings = rule_settings(cfg)
    rule = rules.BUNDLE_AFTER_HALT
    with db.atomic():
        counts = diff.diff_crawls(db, previous, crawl_id)
        report.added, report.changed = counts[diff.ADDED], counts[diff.CHANGED]
        judge(db, crawl_id)
        known = findings.findings_of(db, platform, rule.id)
        vanished = None
        for row in findings.rows_to_evaluate(db, crawl_id, rule.id):
            outcome = rules.evaluate(
                rule, row, {"is_bundle": row["is_bundle"]}, settings
            )
            finding = known.get(row["listing_id"])
            if outcome.outcome == rules.NEEDS_REVIEW:
                report.needs_review.append(row["listing_id"])
            elif outcome.is_violation:
                if finding is None:
                    if vanished is None:
                        vanished = findings.vanished_bundles(db, platform, crawl_id)
                    link = relisted_from(row, vanished)
                    report.opened.append(
                        findings.open_finding(db, row, rule, crawl, link)
                    )
                else:
                    if finding["status"] == findings.RESOLVED:
                        report.reopened.append(finding["id"])
                    findings.see_finding(db, finding, row, crawl)
            elif finding and finding["status"] == findings.OPEN:
                why = resolution_for(outcome)
                if why:
                    findings.resolve_finding(db, finding, crawl, why)
                    report.resolved.append(finding["id"])
        report.removed = confirm_removals(db, crawl, cfg, known, report, probe)
        findings.mark_checked(db, crawl_id, now or now_iso())
    return report


def confirm_removals(db, crawl, cfg, known, report, probe) -> int:
    """Record listings removed for sure; resolve their open findings as removed.

    Missing from ``missing_crawls`` complete crawls in a row confirms a removal; so
    does a 404/410 from the listing's URL when a finding depends on it.
    """
    needed = int(cfg["removal"]["missing_crawls"])
    removed = []
    candidates = diff.removal_candidates(db, crawl["platform"], crawl["id"], needed)
    for row in candidates:
        finding = known.get(row["listing_id"])
        if row["missed"] >= needed:
            row["why"] = f"missing from {row['missed']} complete crawls"
        elif (
            finding
            and finding["status"] == findings.OPEN
            and cfg["removal"]["confirm_by_http"]
            and row["url"]
            and probe(row["url"])
        ):
            row["why"] = "listing URL answers 404/410"
        else:
            continue
        removed.append(row)
        if finding and finding["status"] == findings.OPEN:
            findings.resolve_finding(db, finding, crawl, "removed")
            report.resolved.append(finding["id"])
    return diff.record_removals(db, crawl["platform"], crawl["id"], removed)


def check_all(
    db, cfg, probe: Callable[[str], bool] = http_gone, now: str | None = None
) -> list[CheckReport]:
    """Check every complete crawl not yet checked, oldest first; ``now`` is the
    time recorded as the check's (default: the wall clock)."""
    return [check_crawl(db, c, cfg, probe, now) for c in findings.crawls_to_check(db)]
