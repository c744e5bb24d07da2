"""Reliability under replica faults: a crawl under a fault never resolves a finding
or removes a listing it should not, transient faults end complete and equal to the
truth, and no item ever comes from an error or truncated body; robots.txt is obeyed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from monitor.config import load_config
from monitor.judge.check import check_all
from monitor.run.crawl import CrawlRunner
from storage import snapshots as s
from storage.db import open_db

SLUG = "sisnaker"  # HTML listing plus one detail page per item, 22 violations
DAY = "2020-07-02"
BASELINE_AT = f"{DAY}T10:00:00+07:00"
LATER_AT = "2020-07-03T10:00:00+07:00"  # the replica clock stays on DAY
FACTS = (
    "title",
    "provider",
    "url",
    "price_idr",
    "list_price_idr",
    "bundle_label",
    "components",
    "payment_methods",
    "prakerja_payment",
    "available",
    "category",
    "rating",
    "rating_count",
)


def config(db_path):
    cfg = load_config(env={})
    cfg.data["database"] = str(db_path)
    return cfg


def crawl(db_path, replica, now, settings=None):
    runner = CrawlRunner(
        str(db_path),
        base_urls=replica.base_urls,
        now=now,
        parallel=1,
        settings=settings,
    )
    (result,) = runner.run([SLUG])
    return result


def facts(db, crawl_id) -> dict[str, tuple]:
    return {
        r["listing_id"]: tuple(r[f] for f in FACTS)
        for r in s.snapshot_rows(db, crawl_id)
    }


def findings(db) -> dict[str, tuple]:
    return {
        r["listing_id"]: (r["status"], r["resolution"])
        for r in db.query("SELECT * FROM findings WHERE platform = ?", [SLUG])
    }


def removed(db) -> list[str]:
    rows = db.query("SELECT listing_id FROM changes WHERE kind = 'removed'")
    return sorted(r["listing_id"] for r in rows)


@pytest.fixture(scope="module")
def baseline(replica_server, tmp_path_factory):
    """A checked, complete crawl of the platform on DAY, with its open findings."""
    replica_server.reset()
    replica_server.set_clock(DAY)
    path = tmp_path_factory.mktemp("baseline") / "p.db"
    try:
        result = crawl(path, replica_server, BASELINE_AT)
        truth = replica_server.truth()[SLUG]
    finally:
        replica_server.reset()
    db = open_db(path)
    try:
        check_all(db, config(path), probe=lambda url: False)
        out = {
            "path": path,
            "crawl_id": result.crawl_id,
            "status": result.status,
            "facts": facts(db, result.crawl_id),
            "findings": findings(db),
            "truth": truth,
        }
    finally:
        db.close()
    return out


@pytest.fixture
def world(baseline, replica, tmp_path):
    """A copy of the baseline database, and the replica on the baseline's day."""
    assert baseline["status"] == "complete"
    assert sorted(baseline["facts"]) == sorted(
        r["listing_id"] for r in baseline["truth"]
    )
    violations = {r["listing_id"] for r in baseline["truth"] if r["violation"]}
    assert set(baseline["findings"]) == violations
    assert {v[0] for v in baseline["findings"].values()} == {"open"}
    path = tmp_path / "p.db"
    source, target = sqlite3.connect(baseline["path"]), sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    replica.set_clock(DAY)
    return path


def crawl_under(world, replica, faults, settings=None, now=LATER_AT):
    """Crawl under ``faults``, check with the real HTTP probe; the crawl row,
    its stored facts, the findings and the removals."""
    replica.set_faults(SLUG, faults)
    result = crawl(world, replica, now, settings)
    db = open_db(world)
    try:
        check_all(db, config(world))  # http_gone: asks the replica itself
        return (
            s.get_crawl(db, result.crawl_id),
            facts(db, result.crawl_id),
            findings(db),
            removed(db),
        )
    finally:
        db.close()


def fault_hits(replica, kind: str, wait_for: int = 0) -> int:
    """Requests the fault answered; a slow answer is logged only when its delay is
    over, which may be after the crawl moved on (waits up to 10 s for ``wait_for``).
    """
    deadline = time.monotonic() + 10
    while True:
        log = replica.log(SLUG)
        hits = sum((e["fault"] or "").split("+").count(kind) for e in log)
        if hits >= wait_for or time.monotonic() > deadline:
            return hits
        time.sleep(0.1)


def assert_items_are_true(got: dict, baseline: dict) -> None:
    """Every stored item equals the baseline item: none from an error body."""
    assert set(got) <= set(baseline)
    wrong = {lid: got[lid] for lid in got if got[lid] != baseline[lid]}
    assert wrong == {}


TRANSIENT = {
    "429-burst": ([{"kind": "status", "status": 429, "retry_after": 1}], "detail", 3),
    "503-burst": ([{"kind": "status", "status": 503}], "listing", 3),
    "slow-detail": ([{"kind": "slow", "delay_s": 3}], "detail", 2),
    "truncated-listing": ([{"kind": "truncate", "keep_fraction": 0.5}], "listing", 2),
    "truncated-detail": ([{"kind": "truncate", "keep_fraction": 0.7}], "detail", 3),
}


@pytest.mark.timeout(90)
@pytest.mark.parametrize("name", list(TRANSIENT))
def test_transient_fault_ends_complete_and_equal_to_the_truth(
    name, baseline, world, replica
):
    (fault,), match, count = TRANSIENT[name]
    fault = {**fault, "match": match, "count": count}
    settings = {"DOWNLOAD_TIMEOUT": 2}
    row, got, found, gone = crawl_under(world, replica, [fault], settings)
    assert fault_hits(replica, fault["kind"], count) == count
    assert (row["status"], row["health"]) == ("complete", [])
    assert sorted(got) == sorted(r["listing_id"] for r in baseline["truth"])
    assert got == baseline["facts"]
    assert found == baseline["findings"]
    assert gone == []


PERSISTENT = {
    "empty-listing": ({"kind": "empty", "match": "listing"}, "listing_empty"),
    "layout-v2": (
        {"kind": "layout", "variant": "v2", "match": "any"},
        "layout_mismatch",
    ),
    "503-listing": (
        {"kind": "status", "status": 503, "match": "listing"},
        "no_listing",
    ),
    "truncated-page-2": (
        {"kind": "truncate", "keep_fraction": 0.5, "match": r"page=2$"},
        "pages_missing",
    ),
}


@pytest.mark.timeout(90)
@pytest.mark.parametrize("name", list(PERSISTENT))
def test_persistent_fault_ends_incomplete_and_changes_nothing(
    name, baseline, world, replica
):
    fault, code = PERSISTENT[name]
    row, got, found, gone = crawl_under(world, replica, [fault])
    assert fault_hits(replica, fault["kind"]) >= 1
    assert row["status"] in ("incomplete", "failed")
    assert code in [reason["code"] for reason in row["health"]]
    assert_items_are_true(got, baseline["facts"])
    assert found == baseline["findings"]
    assert gone == []


@pytest.mark.timeout(90)
def test_truncated_detail_after_every_retry_makes_the_crawl_incomplete(
    baseline, world, replica
):
    (listing_id, *_) = sorted(baseline["findings"])
    fault = {"kind": "truncate", "keep_fraction": 0.5, "match": f"/{listing_id}$"}
    row, got, found, gone = crawl_under(world, replica, [fault])
    assert listing_id not in got
    assert_items_are_true(got, baseline["facts"])
    assert found == baseline["findings"]
    assert gone == []
    assert row["status"] == "incomplete", row["health"]
    assert "truncated" in [reason["code"] for reason in row["health"]]


STUCK_DETAIL = {
    "truncated": {"kind": "truncate", "keep_fraction": 0.5},
    "503": {"kind": "status", "status": 503, "retry_after": 0},
}


@pytest.mark.timeout(90)
@pytest.mark.parametrize("name", list(STUCK_DETAIL))
def test_detail_page_that_keeps_failing_never_resolves_its_finding(
    name, baseline, world, replica
):
    """The listing is still on the listing pages; only its detail page fails, crawl
    after crawl: that is no evidence of a removal."""
    (listing_id, *_) = sorted(baseline["findings"])
    fault = {**STUCK_DETAIL[name], "match": f"/{listing_id}$"}
    for day in ("03", "04"):
        row, got, found, gone = crawl_under(
            world, replica, [fault], now=f"2020-07-{day}T10:00:00+07:00"
        )
        assert listing_id not in got
        assert_items_are_true(got, baseline["facts"])
        assert (day, found) == (day, baseline["findings"])
        assert (day, gone) == (day, [])


@pytest.mark.timeout(90)
@pytest.mark.parametrize("status", [404, 410])
def test_gone_listing_is_the_only_one_removed(status, baseline, world, replica):
    (listing_id, *_) = sorted(baseline["findings"])
    fault = {"kind": "gone", "listing_id": listing_id, "status": status}
    row, got, found, gone = crawl_under(world, replica, [fault])
    assert row["status"] == "complete"
    assert sorted(got) == sorted(set(baseline["facts"]) - {listing_id})
    assert_items_are_true(got, baseline["facts"])
    assert gone == [listing_id]
    assert found == {**baseline["findings"], listing_id: ("resolved", "removed")}


# -- a proxy in front of the replica: its own robots.txt, edited bodies ----------


class Proxy(ThreadingHTTPServer):
    """Relays GETs to the replica, logging their paths; answers /robots.txt with
    its own rules when given some, and edits bodies with ``edit(path, body)``."""

    daemon_threads = True

    def __init__(self, upstream: str, robots: str | None = None, edit=None):
        self.upstream, self.robots, self.paths = upstream, robots, []
        self.edit = edit or (lambda path, body: body)
        super().__init__(("127.0.0.1", 0), ProxyHandler)

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()

    def base(self, slug: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{slug}"


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Proxy

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def do_GET(self):  # noqa: N802 - http.server
        self.server.paths.append(self.path)
        if self.path == "/robots.txt" and self.server.robots is not None:
            status, kind, body = 200, "text/plain", self.server.robots.encode()
        else:
            try:
                with urllib.request.urlopen(self.server.upstream + self.path) as up:
                    status, kind, body = (
                        up.status,
                        up.headers["Content-Type"],
                        up.read(),
                    )
            except urllib.error.HTTPError as exc:
                status, kind, body = exc.code, exc.headers["Content-Type"], exc.read()
            body = self.server.edit(self.path, body)
        self.send_response(status)
        self.send_header("Content-Type", kind or "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.mark.timeout(60)
def test_path_disallowed_by_robots_is_never_fetched(replica, baseline, tmp_path):
    bundle = sorted(baseline["findings"])[0]
    single = sorted(set(baseline["facts"]) - set(baseline["findings"]))[0]
    hidden = {bundle, single}
    paths = [f"/{SLUG}/pelatihan/detail/{lid}" for lid in sorted(hidden)]
    robots = "User-agent: *\n" + "".join(f"Disallow: {p}\n" for p in paths)
    replica.set_clock(DAY)
    with Proxy(replica.root, robots=robots) as proxy:
        runner = CrawlRunner(
            str(tmp_path / "p.db"), base_urls={SLUG: proxy.base(SLUG)}, parallel=1
        )
        (result,) = runner.run([SLUG])
    assert proxy.paths[0] == "/robots.txt"
    assert [p for p in proxy.paths if p in paths] == []
    assert [e for e in replica.log(SLUG) if e["path_qs"].endswith(tuple(hidden))] == []
    db = open_db(tmp_path / "p.db")
    try:
        stats = json.loads(s.get_crawl(db, result.crawl_id)["stats"])
        stored = {r["listing_id"] for r in s.snapshot_rows(db, result.crawl_id)}
    finally:
        db.close()
    assert stats["robotstxt/forbidden"] == 2
    assert stored == set(baseline["facts"]) - hidden


# -- a hostile value from a JSON API -------------------------------------------------


def lone_surrogate(path: str, body: bytes) -> bytes:
    """Put a JSON escape of a lone surrogate in the first title of page 1."""
    if "page=1&" not in path:
        return body
    return body.replace(b'"courseName":"', b'"courseName":"\\ud800 ', 1)


@pytest.mark.timeout(60)
def test_lone_surrogate_in_a_json_title_costs_no_item(replica, tmp_path):
    """json.loads turns "\\ud800" into a str SQLite cannot encode: that item is
    stored with U+FFFD, and no other item of its batch or crawl is lost."""
    slug = "skillacademy"
    replica.set_clock(DAY)
    with Proxy(replica.root, edit=lone_surrogate) as proxy:
        runner = CrawlRunner(
            str(tmp_path / "p.db"), base_urls={slug: proxy.base(slug)}, parallel=1
        )
        (result,) = runner.run([slug])
    db = open_db(tmp_path / "p.db")
    try:
        titles = [r["title"] for r in s.snapshot_rows(db, result.crawl_id)]
    finally:
        db.close()
    assert len(titles) == len(replica.truth()[slug]) == result.items
    assert len([t for t in titles if t.startswith("\ufffd ")]) == 1
    assert result.status == "complete"
