"""Issue 11 end to end over the replica: what was seen counts (readable crawls open
findings), absence needs completeness, decisions on folded text, real shrinks."""

from __future__ import annotations

import email
import email.policy
import json
import urllib.request
from pathlib import Path

from monitor.config import SLUGS
from monitor.digest.send import send_alerts
from monitor.judge.check import check_all
from monitor.run.crawl import CrawlRunner
from replica import truth as clean_truth
from storage.db import open_db
from storage.findings import crawl_rows
from storage.snapshots import get_crawl

SHRANK = "catalogue shrank from 62 to 49, consistent with the platform's own count"


def crawl_and_check(cfg, replica, slugs, day):
    """Crawl ``slugs`` as observed on ``day``, then check: crawl rows, reports."""
    replica.set_clock(day)
    runner = CrawlRunner(
        cfg.database,
        base_urls=replica.base_urls,
        now=f"{day}T10:00:00+07:00",
        parallel=4,
    )
    results = runner.run(slugs)
    db = open_db(cfg.database)
    try:
        reports = check_all(db, cfg, probe=lambda url: False)
        rows = {r.platform: get_crawl(db, r.crawl_id) for r in results}
        return rows, reports
    finally:
        db.close()


def open_findings(cfg) -> set[tuple[str, str]]:
    db = open_db(cfg.database)
    try:
        rows = db.query("SELECT platform, listing_id FROM findings WHERE status='open'")
        return {(r["platform"], r["listing_id"]) for r in rows}
    finally:
        db.close()


def violations(truth: dict) -> set[tuple[str, str]]:
    return {
        (s, r["listing_id"])
        for s, rows in truth.items()
        for r in rows
        if r["violation"]
    }


def codes(row) -> list[str]:
    return [r["code"] for r in row["health"]]


def put_faults(replica, slug, faults) -> list:
    """Set faults through the control API over HTTP, as an operator would."""
    request = urllib.request.Request(
        f"{replica.root}/__replica/{slug}/faults",
        data=json.dumps(faults).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())


def http_truth(replica, day) -> dict:
    with urllib.request.urlopen(f"{replica.root}/__replica/truth?as_of={day}") as r:
        return json.loads(r.read())


def test_fault_kinds_are_set_over_http_and_the_truth_follows(replica):
    assert put_faults(replica, "tokopedia", [{"kind": "surface"}]) == [
        {"kind": "surface", "match": "any"}
    ]
    shared = put_faults(
        replica, "sekolahmu", [{"kind": "unknown_payment", "share": 0.1}]
    )
    assert shared[0]["share"] == 0.1
    # bukalapak is not among the platforms the fault applies to: nothing changes
    put_faults(replica, "bukalapak", [{"kind": "unknown_payment", "share": 1}])
    truth, clean = http_truth(replica, "2020-07-02"), clean_truth("2020-07-02")
    unknown = [r for r in truth["sekolahmu"] if r["prakerja_payment"] is None]
    assert len(unknown) > len(
        [r for r in clean["sekolahmu"] if r["prakerja_payment"] is None]
    )
    assert not any(r["violation"] for r in unknown)
    assert (
        truth["bukalapak"]
        == clean["bukalapak"]
        == replica.truth("2020-07-02")["bukalapak"]
    )


def test_surface_on_every_platform_changes_no_item_and_no_finding(cfg, small_replica):
    """Whitespace runs, NBSP, entities, line breaks, attribute order, wrappers and
    \\u escapes on every page: findings equal the truth, and every item equals the
    truth listing for listing (the contract tests compare every field of every
    sample under the same fault: test_spider_contracts). Size 300: every page type
    of every platform, 23 to 62 listings each."""
    replica = small_replica
    for slug in SLUGS:
        put_faults(replica, slug, [{"kind": "surface"}])
    crawl_and_check(cfg, replica, list(SLUGS), "2020-06-29")
    rows, _ = crawl_and_check(cfg, replica, list(SLUGS), "2020-07-02")
    assert {s: r["status"] for s, r in rows.items()} == dict.fromkeys(SLUGS, "complete")
    assert open_findings(cfg) == violations(replica.truth("2020-07-02"))
    assert any(e["fault"] == "surface" for e in replica.log("tokopedia"))
    truth = replica.truth("2020-07-02")
    db = open_db(cfg.database)
    try:
        for slug in SLUGS:
            got = {
                r["listing_id"]: (r["is_bundle"], r["prakerja_payment"], r["available"])
                for r in crawl_rows(db, rows[slug]["id"])
                if r["title"] and r["title"] == " ".join(r["title"].split())
            }
            want = {
                t["listing_id"]: (t["is_bundle"], t["prakerja_payment"], t["available"])
                for t in truth[slug]
            }
            assert (slug, got) == (slug, want)
    finally:
        db.close()


def test_unknown_payment_share_is_complete_and_needs_review(cfg, replica):
    put_faults(replica, "sekolahmu", [{"kind": "unknown_payment", "share": 0.1}])
    review = set()
    for day in ("2020-06-29", "2020-07-02"):
        rows, reports = crawl_and_check(cfg, replica, ["sekolahmu"], day)
        assert (day, rows["sekolahmu"]["status"]) == (day, "complete")
        review |= {lid for r in reports for lid in r.needs_review}
    truth = replica.truth("2020-07-02")
    assert open_findings(cfg) == violations({"sekolahmu": truth["sekolahmu"]})
    wanted = {r["listing_id"] for r in truth["sekolahmu"] if r["needs_review"]}
    assert wanted and wanted <= review


def test_a_page_that_keeps_failing_still_opens_what_was_seen(cfg, replica):
    """Bukalapak 2020-07-02, a listing page (2, or the first later one holding a
    violation) answering 503 throughout: incomplete, findings opened for the
    violations on readable pages, none resolved."""
    truth = replica.truth("2020-07-02")["bukalapak"]
    pages = [truth[k : k + 8] for k in range(0, len(truth), 8)]  # 8 per page
    page = next(
        n for n in range(2, len(pages) + 1) if any(r["violation"] for r in pages[n - 1])
    )
    replica.set_faults(
        "bukalapak", [{"kind": "status", "status": 503, "match": f"page={page}$"}]
    )
    rows, reports = crawl_and_check(cfg, replica, ["bukalapak"], "2020-07-02")
    row = rows["bukalapak"]
    assert (row["status"], row["readable"], row["complete"]) == ("incomplete", 1, 0)
    assert "pages_missing" in codes(row)
    assert "HTTP 503" in " ".join(r["message"] for r in row["health"])
    hidden = {r["listing_id"] for r in pages[page - 1]}
    seen = {("bukalapak", r["listing_id"]) for r in truth if r["violation"]}
    wanted = {v for v in seen if v[1] not in hidden}
    assert wanted and wanted != seen
    assert open_findings(cfg) == wanted
    assert [r.resolved for r in reports] == [[]] and [r.removed for r in reports] == [0]


def test_a_real_shrink_is_explained_and_every_later_crawl_is_complete(
    cfg, small_replica
):
    """Replica --size 300 (tokopedia 62 -> 49 listings after the halt): the crawls of
    2020-07-03 are complete, findings equal the truth, the digest explains."""
    for day in ("2020-06-29", "2020-07-02", "2020-07-03"):
        rows, _ = crawl_and_check(cfg, small_replica, list(SLUGS), day)
        if day == "2020-07-02":
            tokopedia = rows["tokopedia"]
            assert tokopedia["status"] == "complete"
            assert tokopedia["notice"] == SHRANK
    assert {s: r["status"] for s, r in rows.items()} == dict.fromkeys(SLUGS, "complete")
    assert open_findings(cfg) == violations(small_replica.truth("2020-07-03"))
    db = open_db(cfg.database)
    try:
        (path,) = send_alerts(db, cfg)
    finally:
        db.close()
    message = email.message_from_bytes(
        Path(path).read_bytes(), policy=email.policy.default
    )
    text = " ".join(message.get_body(("plain",)).get_content().split())
    # the digest is in Bahasa Indonesia by default (issue 15)
    assert (
        "Tokopedia terverifikasi: katalog menyusut dari 62 menjadi 49 pelatihan,"
        " sesuai dengan jumlah yang diumumkan platform sendiri" in text
    )
    assert "tidak dapat diverifikasi" not in message["Subject"]


def test_health_names_a_refused_connection(cfg):
    """Item 7: the reason names the cause, not only "no listing page could be read"."""
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    runner = CrawlRunner(
        cfg.database, base_urls={"tokopedia": f"http://127.0.0.1:{port}/tokopedia"}
    )
    (refused,) = runner.run(["tokopedia"])
    db = open_db(cfg.database)
    try:
        row = get_crawl(db, refused.crawl_id)
    finally:
        db.close()
    assert "no_listing" in codes(row)
    assert "connection refused" in " ".join(r["message"] for r in row["health"])
