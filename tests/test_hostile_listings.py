"""Issue 12 (part 1) over the replica: a crawl knows what it saw. Under each hostile
listing behaviour, two crawls and checks after a clean baseline resolve no finding,
remove no listing that is still listed, and name their reason."""

from __future__ import annotations

import sqlite3

import pytest

from monitor.config import load_config
from monitor.judge.check import check_all
from monitor.run.crawl import CrawlRunner
from storage import snapshots as s
from storage.db import open_db

DAY = "2020-07-02"
BASELINE_AT = f"{DAY}T10:00:00+07:00"
LATER = ("2020-07-03T10:00:00+07:00", "2020-07-04T10:00:00+07:00")

HOSTILE = {
    "paging-ignored-page-1": (
        "bukalapak",
        [{"kind": "paging", "page": 1, "match": "listing"}],
        "pages_unconfirmed",
    ),
    "paging-always-page-2": (
        "bukalapak",
        [{"kind": "paging", "page": 2, "match": "listing"}],
        "pages_unconfirmed",
    ),
    "paging-ignored-json-api": (
        "skillacademy",
        [{"kind": "paging", "page": 1, "match": "any"}],
        "duplicate_pages",  # its API echoes the page asked for
    ),
    "duplicate-pages": (
        "bukalapak",
        [{"kind": "duplicate_pages", "match": "listing"}],
        "duplicate_pages",
    ),
    "empty-titles-10%": (
        "bukalapak",
        [{"kind": "empty_title", "share": 0.1, "match": "detail"}],
        "unread",
    ),
    "empty-titles-listing-only": (
        "skillacademy",
        [{"kind": "empty_title", "share": 0.1, "match": "any"}],
        "unread",
    ),
    "deep-json-ld": (
        "bukalapak",
        [{"kind": "deep_json", "depth": 200_000, "match": r"[0-4]-jual-"}],
        "unread",
    ),
    "deep-json-api": (
        "pijarmahir",
        [{"kind": "deep_json", "depth": 200_000, "match": r"/courses/\d*[0-2]$"}],
        "unread",
    ),
    "detail-redirects-to-listing": (
        "bukalapak",
        [{"kind": "redirect", "match": "detail"}],
        "unread",
    ),
    "ids-change-case-and-spaces": (
        "skillacademy",
        [{"kind": "id_case", "match": "any"}],
        "ids_changed_case",
    ),
    "ids-change-case-in-links": (
        "bukalapak",
        [{"kind": "id_case", "match": "any"}],
        "layout_mismatch",
    ),
}


def config(path):
    cfg = load_config(env={})
    cfg.data["database"] = str(path)
    return cfg


def crawl(path, replica, slug, now):
    runner = CrawlRunner(str(path), base_urls=replica.base_urls, now=now, parallel=1)
    (result,) = runner.run([slug])
    return result


def findings(db, slug) -> dict[str, tuple]:
    rows = db.query("SELECT * FROM findings WHERE platform = ?", [slug])
    return {r["listing_id"]: (r["status"], r["resolution"]) for r in rows}


def removed(db, slug) -> list[str]:
    rows = db.query(
        "SELECT listing_id FROM changes WHERE kind = 'removed' AND platform = ?", [slug]
    )
    return sorted(r["listing_id"] for r in rows)


@pytest.fixture(scope="module")
def baselines(replica_server, tmp_path_factory):
    """One checked, complete crawl of each platform used here, on DAY."""
    out = {}
    replica_server.reset()
    replica_server.set_clock(DAY)
    try:
        for slug in sorted({slug for slug, _, _ in HOSTILE.values()}):
            path = tmp_path_factory.mktemp(f"baseline-{slug}") / "p.db"
            result = crawl(path, replica_server, slug, BASELINE_AT)
            db = open_db(path)
            try:
                check_all(db, config(path), probe=lambda url: False)
                out[slug] = (path, result.status, findings(db, slug))
            finally:
                db.close()
    finally:
        replica_server.reset()
    return out


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_listing_resolves_and_removes_nothing(
    name, baselines, replica, tmp_path
):
    slug, faults, code = HOSTILE[name]
    source, status, before = baselines[slug]
    violations = {r["listing_id"] for r in replica.truth(DAY)[slug] if r["violation"]}
    assert status == "complete" and set(before) == violations
    assert {v[0] for v in before.values()} == {"open"}
    path = tmp_path / "p.db"
    with sqlite3.connect(source) as a, sqlite3.connect(path) as b:
        a.backup(b)
    replica.set_clock(DAY)
    replica.set_faults(slug, faults)
    for now in LATER:
        result = crawl(path, replica, slug, now)
        db = open_db(path)
        try:
            check_all(db, config(path))  # the real 404/410 probe, against the replica
            row = s.get_crawl(db, result.crawl_id)
            assert (now, row["status"]) != (now, "complete")
            assert code in [r["code"] for r in row["health"]], row["health"]
            assert (now, findings(db, slug)) == (now, before)
            assert (now, removed(db, slug)) == (now, [])
        finally:
            db.close()
    hits = [e for e in replica.log(slug) if e["fault"]]
    assert hits, "the fault never applied"
