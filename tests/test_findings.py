"""The finding lifecycle over a sequence of crawls: open, seen, resolved, reopened."""

import pytest
from test_storage import item

from monitor.judge.check import check_all
from storage import findings as f
from storage import snapshots as s

BUNDLE = {"components": ["Kelas A", "Kelas B", "Kelas C"], "bundle_label": "Paket"}


class Crawls:
    """Crawl tokopedia day by day, then check; the probe says nothing is gone."""

    def __init__(self, db, cfg):
        self.db, self.cfg, self.day, self.probed = db, cfg, 1, []

    def __call__(self, items, status="complete"):
        now = f"2020-07-{self.day:02d}T10:00:00+07:00"
        self.day += 1
        cid = s.start_crawl(self.db, "tokopedia", observed_at=now)
        s.save_listings(self.db, cid, items)
        s.finish_crawl(self.db, cid, status, "finished", len(items), 1, 0, [])
        return check_all(self.db, self.cfg, probe=self.probe)

    def probe(self, url):
        self.probed.append(url)
        return False

    def finding(self, listing_id="9"):
        return f.findings_of(self.db, "tokopedia", "bundle-prakerja-after-halt").get(
            listing_id
        )

    def events(self):
        return [
            (e["kind"], e["detail"])
            for e in self.db.query("SELECT * FROM finding_events ORDER BY id")
        ]


@pytest.fixture
def run(db, cfg):
    return Crawls(db, cfg)


def test_open_seen_resolved_reopened(run):
    (report,) = run([item("1"), item("9", **BUNDLE)])
    assert len(report.opened) == 1
    finding = run.finding()
    assert (finding["status"], finding["rule_version"]) == ("open", "1")
    first = finding["first_crawl_id"]

    run([item("1"), item("9", **BUNDLE)])
    finding = run.finding()
    assert finding["status"] == "open" and finding["last_crawl_id"] > first

    run([item("1"), item("9", **BUNDLE, prakerja_payment=False)])
    finding = run.finding()
    assert (finding["status"], finding["resolution"]) == (
        "resolved",
        "prakerja-payment-dropped",
    )

    run([item("1"), item("9", **BUNDLE)])
    assert run.finding()["status"] == "open"
    assert [k for k, _ in run.events()] == ["opened", "resolved", "reopened"]


def test_incomplete_crawl_in_between_changes_nothing(run, db):
    run([item("1"), item("9", **BUNDLE)])
    before = run.finding()
    # checked for its observations (issue 11), but it resolves and removes nothing
    (report,) = run([], status="incomplete")
    assert (report.opened, report.resolved, report.removed) == ([], [], 0)
    assert run.finding() == before
    assert (
        db.execute("SELECT count(*) FROM changes WHERE kind='removed'").fetchone()[0]
        == 0
    )


def test_incomplete_crawl_opens_and_reopens_but_never_resolves(run, db):
    """Presence is evidence: a violation seen by an incomplete (readable) crawl
    opens a finding; a compliant observation in it resolves nothing."""
    (report,) = run([item("9", **BUNDLE)], status="incomplete")
    assert len(report.opened) == 1 and run.finding()["status"] == "open"
    (report,) = run([item("9", **BUNDLE, prakerja_payment=False)], status="incomplete")
    assert report.resolved == [] and run.finding()["status"] == "open"
    run([item("9", **BUNDLE, prakerja_payment=False)])
    assert run.finding()["resolution"] == "prakerja-payment-dropped"
    (report,) = run([item("9", **BUNDLE)], status="incomplete")
    assert report.reopened == [run.finding()["id"]]
    # only the complete crawl was diffed (against nothing: one "added")
    assert db.execute("SELECT count(*) FROM changes").fetchone()[0] == 1


def test_failed_crawl_is_never_checked(run):
    assert run([item("9", **BUNDLE)], status="failed") == []
    assert run.finding() is None


def test_single_and_non_prakerja_bundle_are_compliant(run):
    run([item("1"), item("2", **BUNDLE, prakerja_payment=False)])
    assert run.finding("1") is None and run.finding("2") is None


def test_unknown_payment_goes_to_review_not_findings(run):
    (report,) = run([item("9", **BUNDLE, prakerja_payment=None)])
    assert report.needs_review == ["9"] and report.opened == []


def test_before_halt_no_finding(run, db):
    cid = s.start_crawl(db, "tokopedia", observed_at="2020-06-29T10:00:00+07:00")
    s.save_listings(db, cid, [item("9", **BUNDLE)])
    s.finish_crawl(db, cid, "complete", "finished", 1, 1, 0, [])
    (report,) = check_all(db, run.cfg, probe=run.probe)
    assert report.opened == []


def test_removed_only_after_two_complete_misses(run):
    run([item("1"), item("9", **BUNDLE)])
    run([item("1")])
    assert run.finding()["status"] == "open"  # missing once, URL not gone
    assert run.probed  # the finding's URL was asked
    run([item("1")])
    finding = run.finding()
    assert (finding["status"], finding["resolution"]) == ("resolved", "removed")


def test_removed_at_once_when_url_answers_410(run, db):
    run([item("1"), item("9", **BUNDLE)])
    run.probe = lambda url: url.endswith("/9")
    run([item("1")])
    assert run.finding()["resolution"] == "removed"


def test_unbundled_resolution(run):
    run([item("9", **BUNDLE)])
    run([item("9", title="Kelas 9")])
    assert run.finding()["resolution"] == "unbundled"


def test_relisted_bundle_is_linked_to_the_earlier_finding(run):
    run([item("9", **BUNDLE, title="Paket Pelatihan Barista")])
    relisted = {**BUNDLE, "bundle_label": None, "title": "Barista Profesional"}
    run([item("10", **relisted)])
    new = run.finding("10")
    old = run.finding("9")
    assert new["relisted_from"] == old["id"]
    assert new["relisted_from_listing_id"] == "9"
