"""``check``: diff complete crawls, classify, apply the rules, keep the findings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from monitor.judge import judging, rules
from monitor.judge.probe import RemovalProbe, same_host
from monitor.judge.relisting import relisted_from
from storage import diff, findings, ordering
from storage.db import write_transaction
from storage.snapshots import now_iso


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
    superseded_by: int | None = None  # observed before this already checked crawl


def rule_settings(cfg) -> rules.RuleSettings:
    partners = {slug: [[w["from"], w["until"]]] for slug, w in cfg["partners"].items()}
    return rules.settings_from_config(
        {"halt_at": cfg["halt"], "partnerships": partners}
    )


def http_gone(url: str, timeout: float = 10.0) -> bool:
    """True when the listing URL itself answers 404 or 410 (a removal the site
    confirms); robots.txt, user agent and politeness as in ``monitor.judge.probe``."""
    return RemovalProbe(timeout=timeout)(url)


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


def check_crawl(
    db, crawl: dict, cfg, probe: Callable[[str], bool] = http_gone, now=None
):
    """Update findings from one checked crawl. Every crawl that is not failed opens,
    sees and reopens findings from its observations; only a complete crawl is
    diffed against the previous complete one, resolves findings and removes."""
    platform, crawl_id = crawl["platform"], crawl["id"]
    complete = crawl["status"] == findings.COMPLETE
    previous = findings.previous_complete(db, platform, crawl_id) if complete else None
    report = CheckReport(platform, crawl_id, previous)
    settings = rule_settings(cfg)
    # Probes wait on other hosts: never inside the write transaction.
    candidates, gone = (
        probe_removals(db, crawl, cfg, probe) if complete else ([], set())
    )
    with write_transaction(db):
        if complete:
            counts = diff.diff_crawls(db, previous, crawl_id)
            report.added, report.changed = counts[diff.ADDED], counts[diff.CHANGED]
        judge(db, crawl_id)
        known = findings.findings_of(db, platform, rules.BUNDLE_AFTER_HALT.id)
        apply_rule(db, crawl, settings, known, report, complete)
        if complete:
            report.removed = confirm_removals(
                db, crawl, cfg, known, report, candidates, gone
            )
        findings.mark_checked(db, crawl_id, now or now_iso())
    return report


def apply_rule(db, crawl, settings, known, report, complete: bool) -> None:
    """Open, see and reopen findings from the crawl's rows; resolve only when the
    crawl is complete."""
    rule, vanished = rules.BUNDLE_AFTER_HALT, None

    def decide(row) -> rules.Outcome:
        evidence = {
            "is_bundle": row["is_bundle"],
            "bundle_reasons": row["bundle_reasons"],
        }
        return rules.evaluate(rule, row, evidence, settings)

    # Bundles without a finding are read only when the rule does not find them
    # compliant: compliant, they change nothing here.
    rows = judging.rule_rows(
        db, crawl["id"], rule.id, decide, lambda o: o.outcome != rules.COMPLIANT
    )
    for row in rows:
        outcome = decide(row)
        finding = known.get(row["listing_id"])
        if outcome.outcome == rules.NEEDS_REVIEW:
            report.needs_review.append(row["listing_id"])
        elif outcome.is_violation:
            if finding is None:
                if vanished is None:
                    vanished = findings.vanished_bundles(
                        db, crawl["platform"], crawl["id"]
                    )
                link = relisted_from(row, vanished)
                report.opened.append(findings.open_finding(db, row, rule, crawl, link))
            else:
                if finding["status"] == findings.RESOLVED:
                    report.reopened.append(finding["id"])
                findings.see_finding(db, finding, row, crawl)
        elif complete and finding and finding["status"] == findings.OPEN:
            why = resolution_for(outcome)
            if why:
                findings.resolve_finding(db, finding, crawl, why)
                report.resolved.append(finding["id"])


def probe_removals(db, crawl, cfg, probe) -> tuple[list[dict], set[str]]:
    """The removal candidates of the crawl (read only), and the listings whose URL
    confirms the removal: asked only for open findings not yet confirmed by
    missing crawls, and only on the platform's own host."""
    needed = int(cfg["removal"]["missing_crawls"])
    candidates = diff.removal_candidates(db, crawl["platform"], crawl["id"], needed)
    if not cfg["removal"]["confirm_by_http"]:
        return candidates, set()
    known = findings.findings_of(db, crawl["platform"], rules.BUNDLE_AFTER_HALT.id)
    gone = set()
    for row in candidates:
        finding = known.get(row["listing_id"])
        if (
            row["missed"] < needed
            and finding
            and finding["status"] == findings.OPEN
            and row["url"]
            and same_host(row["url"], crawl.get("base_url"))
            and probe(row["url"])
        ):
            gone.add(row["listing_id"])
    return candidates, gone


def confirm_removals(db, crawl, cfg, known, report, candidates, gone) -> int:
    """Record listings removed for sure; resolve their open findings as removed.

    Missing from ``missing_crawls`` complete crawls in a row confirms a removal; so
    does a 404/410 from the listing's URL when a finding depends on it (``gone``,
    asked before the transaction).
    """
    needed = int(cfg["removal"]["missing_crawls"])
    removed = []
    for row in candidates:
        finding = known.get(row["listing_id"])
        if row["missed"] >= needed:
            row["why"] = f"missing from {row['missed']} complete crawls"
        elif (
            finding and finding["status"] == findings.OPEN and row["listing_id"] in gone
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
    db, cfg, probe: Callable[[str], bool] | None = None, now: str | None = None
) -> list[CheckReport]:
    """Check every readable crawl not yet checked, oldest first; ``now`` is the
    time recorded as the check's (default: the wall clock).

    A crawl observed before one already checked for its platform is stored but
    decides nothing: it is marked superseded (observation time, not arrival,
    orders findings)."""
    probe = probe or RemovalProbe(timeout=float(cfg["removal"].get("timeout", 10)))
    reports = []
    for crawl in findings.crawls_to_check(db):
        later = ordering.later_checked(db, crawl)
        if later is not None:
            ordering.mark_superseded(db, crawl["id"], later, now or now_iso())
            report = CheckReport(crawl["platform"], crawl["id"], None)
            report.superseded_by = later
            reports.append(report)
            continue
        reports.append(check_crawl(db, crawl, cfg, probe, now))
    return reports
