"""Findings follow observation time: a crawl observed before one already checked
(``--now`` out of order) is stored, but reopens and resolves nothing."""

from __future__ import annotations

import pytest
from test_findings import BUNDLE
from test_storage import item

from monitor.judge.check import check_all
from monitor.run.crawl import CrawlRunner
from storage import snapshots as s
from storage.db import open_db

DROPPED = {"prakerja_payment": False, "payment_methods": ["OVO"]}


def crawl(db, at: str, items) -> int:
    cid = s.start_crawl(db, "tokopedia", observed_at=at)
    s.save_listings(db, cid, items)
    s.finish_crawl(db, cid, "complete", "finished", len(items), 1, 0, [])
    return cid


def events(db) -> list[tuple]:
    return db.execute(
        "SELECT e.kind, e.crawl_id, e.detail FROM finding_events e ORDER BY e.id"
    ).fetchall()


def check(db, cfg):
    return check_all(db, cfg, probe=lambda url: False)


def test_late_crawl_observed_earlier_reopens_nothing(db, cfg):
    first = crawl(db, "2020-07-02T09:00:00+07:00", [item("9", **BUNDLE), item("1")])
    check(db, cfg)
    # The 11:00 crawl finishes first and is checked: Prakerja payment dropped.
    later = crawl(db, "2020-07-02T11:00:00+07:00", [item("9", **BUNDLE, **DROPPED)])
    check(db, cfg)
    # The 10:00 crawl (started earlier, finished last) still saw it payable, and
    # did not see "1": neither a reopening nor a removal.
    late = crawl(db, "2020-07-02T03:00:00+00:00", [item("9", **BUNDLE)])
    (report,) = check(db, cfg)
    assert (report.crawl_id, report.superseded_by) == (late, later)
    assert report.opened == report.reopened == report.resolved == []
    assert events(db) == [
        ("opened", first, None),
        ("resolved", later, "prakerja-payment-dropped"),
    ]
    assert db.execute("SELECT status FROM findings").fetchall() == [("resolved",)]
    late_row = s.get_crawl(db, late)
    assert late_row["superseded_by"] == later and late_row["checked_at"]
    assert len(s.snapshot_rows(db, late)) == 1  # stored all the same

    # The next crawl is compared with the 11:00 one, not with the late one.
    nxt = crawl(db, "2020-07-02T12:00:00+07:00", [item("9", **BUNDLE, **DROPPED)])
    (report,) = check(db, cfg)
    assert (report.crawl_id, report.previous_id) == (nxt, later)
    assert report.superseded_by is None
    assert db.execute(
        "SELECT listing_id, from_crawl_id, kind, new_value FROM changes"
        " WHERE to_crawl_id = ? ORDER BY id",
        [nxt],
    ).fetchall() == [("1", first, "removed", "missing from 2 complete crawls")]
    assert len(events(db)) == 2


def test_crawls_checked_together_follow_their_observation_time(db, cfg):
    crawl(db, "2020-07-02T09:00:00+07:00", [item("9", **BUNDLE)])
    later = crawl(db, "2020-07-02T11:00:00+07:00", [item("9", **BUNDLE, **DROPPED)])
    late = crawl(db, "2020-07-02T10:00:00+07:00", [item("9", **BUNDLE)])
    reports = check(db, cfg)
    assert [r.superseded_by for r in reports] == [None, None, later]
    assert [e[0] for e in events(db)] == ["opened", "resolved"]
    assert late not in [e[1] for e in events(db)]


@pytest.mark.timeout(180)
def test_crawl_with_an_earlier_now_after_a_later_one_changes_no_finding(
    tmp_path, cfg, replica
):
    """Two real crawls with ``--now`` out of order: the second is superseded."""
    path = tmp_path / "p.db"
    replica.set_clock("2020-07-02")

    def run(now):
        runner = CrawlRunner(str(path), base_urls=replica.base_urls, now=now)
        (result,) = runner.run(["sisnaker"])
        assert result.status == "complete", result.reasons
        db = open_db(path)
        try:
            reports = check(db, cfg)
            found = db.execute(
                "SELECT listing_id, status, last_crawl_id FROM findings ORDER BY 1"
            ).fetchall()
            return result.crawl_id, reports, found, events(db)
        finally:
            db.close()

    first, _, found, before = run("2020-07-02T11:00:00+07:00")
    assert found and before
    late, (report,), found_after, after = run("2020-07-02T10:00:00+07:00")
    assert report.superseded_by == first
    assert (found_after, after) == (found, before)
