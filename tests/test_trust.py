"""Trust verdicts over the replica: faults and layout changes make crawls
incomplete, and an untrusted crawl never resolves a finding."""

import email
import email.policy
from pathlib import Path

import pytest

from monitor.config import SLUGS
from monitor.digest.send import send_alerts
from monitor.judge.check import check_all
from monitor.run.crawl import CrawlRunner
from storage.db import open_db
from storage.snapshots import get_crawl


def crawl(cfg, replica, slugs, day):
    runner = CrawlRunner(
        cfg.database,
        base_urls=replica.base_urls,
        now=f"{day}T10:00:00+07:00",
        parallel=4,
        evidence_dir=cfg["evidence_dir"],
    )
    results = {r.platform: r for r in runner.run(slugs)}
    db = open_db(cfg.database)
    try:
        return {s: get_crawl(db, r.crawl_id) for s, r in results.items()}
    finally:
        db.close()


def codes(crawl_row):
    return [reason["code"] for reason in crawl_row["health"]]


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"kind": "layout", "variant": "v2", "match": "any"}, "layout_mismatch"),
        ({"kind": "empty", "match": "listing"}, "listing_empty"),
        ({"kind": "status", "status": 503, "match": "listing"}, "no_listing"),
    ],
)
def test_fault_makes_the_crawl_incomplete(cfg, replica, fault, code):
    replica.set_faults("tokopedia", [fault])
    row = crawl(cfg, replica, ["tokopedia"], "2020-07-08")["tokopedia"]
    assert row["status"] in ("incomplete", "failed")
    assert code in codes(row)


def test_status_burst_is_retried_and_the_crawl_stays_complete(cfg, replica):
    burst = {"kind": "status", "status": 429, "retry_after": 1, "match": "detail"}
    replica.set_faults("sisnaker", [{**burst, "count": 3}])
    row = crawl(cfg, replica, ["sisnaker"], "2020-07-08")["sisnaker"]
    assert row["status"] == "complete"
    assert row["items"] == len(replica.truth()["sisnaker"])
    assert sum(e["status"] == 429 for e in replica.log("sisnaker")) == 3


def test_layout_v2_on_2020_07_20_is_named_and_resolves_nothing(cfg, small_replica):
    """Pintaria's own layout v2 (from 2020-07-15, no fault) on the size-300 replica
    (one pintaria violation): incomplete and named, the other seven complete, the
    open finding stays open and the English digest says why."""
    replica = small_replica
    replica.set_clock("2020-07-02")
    first = crawl(cfg, replica, list(SLUGS), "2020-07-02")
    assert {r["status"] for r in first.values()} == {"complete"}
    db = open_db(cfg.database)
    check_all(db, cfg, probe=lambda url: False)
    send_alerts(db, cfg)
    before = {
        r["id"]: r["status"]
        for r in db.query("SELECT * FROM findings WHERE platform = 'pintaria'")
    }
    assert before and set(before.values()) == {"open"}

    replica.set_clock("2020-07-20")
    later = crawl(cfg, replica, list(SLUGS), "2020-07-20")
    pintaria = later.pop("pintaria")
    assert pintaria["status"] == "incomplete"
    assert "layout_mismatch" in codes(pintaria)
    assert "layout changed" in pintaria["health"][0]["message"]
    assert {r["status"] for r in later.values()} == {"complete"}

    check_all(db, cfg, probe=lambda url: True)  # even if every URL looked gone
    after = {
        r["id"]: r["status"]
        for r in db.query("SELECT * FROM findings WHERE platform = 'pintaria'")
    }
    assert after == before
    removed = db.execute(
        "SELECT count(*) FROM changes WHERE kind = 'removed' AND platform = 'pintaria'"
    ).fetchone()[0]
    assert removed == 0
    cfg.data["language"] = "en"  # the English digest wording (issue 15)
    (path,) = send_alerts(db, cfg)
    db.close()
    message = email.message_from_bytes(
        Path(path).read_bytes(), policy=email.policy.default
    )
    text = message.get_body(("plain",)).get_content()
    health = text[text.index("could not be verified since") - 9 :]
    assert "Pintaria" in health and "changed their layout" in health
    assert "1 platform could not be verified: Pintaria" in message["Subject"]
