"""End to end: the demo chain over the replica (real HTTP, real crawl processes, a
real SQLite file), scored against the replica's truth."""

import email
import email.policy
import io
from pathlib import Path

import pytest

from monitor.config import SLUGS
from monitor.demo import run_demo
from storage.db import open_db
from storage.findings import crawl_rows
from storage.snapshots import latest_crawls as latest


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    out = io.StringIO()
    result = run_demo(str(folder / "run"), out=out)
    result["output"] = out.getvalue()
    db = open_db(result["config"].database)
    result["db"] = db
    yield result
    db.close()


def latest_crawls(db):
    return {r["platform"]: r for r in latest(db)}


def test_every_crawl_is_complete(demo):
    statuses = [r["status"] for r in demo["db"]["crawls"].rows]
    assert statuses == ["complete"] * 16


@pytest.mark.parametrize("slug", SLUGS)
def test_snapshot_equals_truth_listing_for_listing(demo, slug):
    crawl = latest_crawls(demo["db"])[slug]
    seen = {
        r["listing_id"]: (r["is_bundle"], r["prakerja_payment"], r["available"])
        for r in crawl_rows(demo["db"], crawl["id"])
    }
    truth = {
        t["listing_id"]: (t["is_bundle"], t["prakerja_payment"], t["available"])
        for t in demo["truth"][slug]
    }
    assert seen == truth


def test_every_row_has_title_provider_price_and_payment_info(demo):
    missing = (
        demo["db"]
        .execute(
            "SELECT count(*) FROM snapshots WHERE title IS NULL OR provider IS NULL"
            " OR price_idr IS NULL OR payment_methods IS NULL"
        )
        .fetchone()[0]
    )
    assert missing == 0


def test_open_findings_equal_the_truths_violations(demo):
    open_findings = {
        (r["platform"], r["listing_id"])
        for r in demo["db"].query("SELECT * FROM findings WHERE status = 'open'")
    }
    violations = {
        (slug, t["listing_id"])
        for slug, rows in demo["truth"].items()
        for t in rows
        if t["violation"]
    }
    assert open_findings == violations
    assert len({p for p, _ in violations}) >= 2


def test_relisted_bundle_is_flagged_and_linked(demo):
    relisted = [
        (slug, t["listing_id"], t["relisted_from"])
        for slug, rows in demo["truth"].items()
        for t in rows
        if t.get("relisted_from")
    ]
    assert relisted
    for slug, listing_id, old in relisted:
        (finding,) = demo["db"].query(
            "SELECT * FROM findings WHERE platform = ? AND listing_id = ?",
            [slug, listing_id],
        )
        assert finding["status"] == "open"
        assert finding["relisted_from_listing_id"] == old


def test_no_generated_skillacademy_bundle_is_a_finding(demo):
    rows = (
        demo["db"]
        .execute("SELECT listing_id FROM findings WHERE platform = 'skillacademy'")
        .fetchall()
    )
    assert [r[0] for r in rows] == ["PROG-R8HTTJQJ"]  # the real sample item only


def test_demo_table_agrees_with_the_truth(demo):
    for row in demo["rows"]:
        truth = demo["truth"][row["platform"]]
        assert row["listings"] == len(truth)
        assert row["bundles"] == sum(t["is_bundle"] for t in truth)
        assert row["open_findings"] == sum(t["violation"] for t in truth)
        assert row["status"] == "complete"
    assert "open findings" in demo["output"] and "Try:" in demo["output"]


def test_one_digest_in_the_outbox(demo):
    outbox = demo["config"]["outbox"]
    (path,) = list(Path(outbox).glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    total = sum(t["violation"] for rows in demo["truth"].values() for t in rows)
    assert message["Subject"].startswith(f"[prakerja-monitor] {total} new")
    (alert,) = demo["db"]["alerts"].rows
    assert alert["status"] == "sent"


def test_evidence_recorded_for_every_snapshot_row(demo):
    crawl_ids = [c["id"] for c in latest_crawls(demo["db"]).values()]
    marks = ",".join("?" * len(crawl_ids))
    rows = list(
        demo["db"].query(
            f"SELECT evidence_file, evidence_record_id, evidence_sha256 FROM snapshots"
            f" WHERE crawl_id IN ({marks})",
            crawl_ids,
        )
    )
    assert rows and all(all(r.values()) for r in rows)
