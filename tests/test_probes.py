"""Removal probes obey the crawl's rules: robots.txt, the project's user agent, no
redirect followed (an off-host 404 proves nothing), only the platform's own host,
and never inside a write transaction: a crawl runs while a probe waits."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from test_findings import BUNDLE
from test_reliability_process import holds_write_lock
from test_storage import item

from monitor.judge.check import check_all
from monitor.judge.probe import USER_AGENT, RemovalProbe
from monitor.run.crawl import CrawlRunner
from spiders.settings import USER_AGENT as SPIDERS_USER_AGENT
from storage import snapshots as s
from storage.db import open_db

LISTING = "9"
PATH = f"/tokopedia/kartu-prakerja/pelatihan/{LISTING}"


class Host(ThreadingHTTPServer):
    """A loopback host answering ``routes[path] -> (status, headers)``; logs each
    request's path and user agent. ``hold`` makes the listing URL wait."""

    daemon_threads = True

    def __init__(self, routes: dict, robots: str = "User-agent: *\nAllow: /\n"):
        self.routes, self.robots, self.seen = routes, robots, []
        self.hold: threading.Event | None = None
        self.asked = threading.Event()
        super().__init__(("127.0.0.1", 0), _Handler)

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        if self.hold:
            self.hold.set()
        self.shutdown()
        self.server_close()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Host

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def do_GET(self):  # noqa: N802 - http.server
        self.server.seen.append((self.path, self.headers["User-Agent"]))
        if self.path == "/robots.txt":
            body = self.server.robots.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path == PATH and self.server.hold:
            self.server.asked.set()
            self.server.hold.wait(150)
        status, headers = self.server.routes.get(self.path, (200, {}))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()


def finding_then_missing(db, base: str) -> int:
    """A finding on LISTING (its URL on ``base``), then a complete crawl without
    it: missing once, so only a probe could confirm the removal."""
    for day, items in (
        (2, [item(LISTING, **BUNDLE, url=base + PATH), item("1")]),
        (3, [item("1")]),
    ):
        cid = s.start_crawl(
            db,
            "tokopedia",
            observed_at=f"2020-07-0{day}T10:00:00+07:00",
            base_url=base + "/tokopedia",
        )
        s.save_listings(db, cid, items)
        s.finish_crawl(db, cid, "complete", "finished", len(items), 1, 0, [])
    return cid


def finding(db) -> tuple:
    return db.execute("SELECT status, resolution FROM findings").fetchone()


def removed(db) -> list:
    return db.execute(
        "SELECT listing_id FROM changes WHERE kind = 'removed'"
    ).fetchall()


def test_probe_user_agent_is_the_spiders():
    assert USER_AGENT == SPIDERS_USER_AGENT


@pytest.mark.parametrize("status", [404, 410])
def test_probe_confirms_a_404_or_410_from_the_listing_url_itself(db, cfg, status):
    with Host({PATH: (status, {})}) as host:
        finding_then_missing(db, host.root)
        check_all(db, cfg, probe=RemovalProbe())
    assert finding(db) == ("resolved", "removed")
    assert removed(db) == [(LISTING,)]
    assert host.seen == [("/robots.txt", USER_AGENT), (PATH, USER_AGENT)]


def test_redirect_to_another_hosts_404_confirms_nothing(db, cfg):
    with Host({"/gone": (404, {})}) as elsewhere:
        redirect = {PATH: (302, {"Location": elsewhere.root + "/gone"})}
        with Host(redirect) as host:
            finding_then_missing(db, host.root)
            check_all(db, cfg)  # the default probe
    assert finding(db) == ("open", None)
    assert removed(db) == []
    assert (PATH, USER_AGENT) in host.seen
    assert elsewhere.seen == []


def test_same_host_redirect_to_a_404_confirms_nothing(db, cfg):
    with Host({PATH: (301, {"Location": "/gone"}), "/gone": (404, {})}) as host:
        finding_then_missing(db, host.root)
        check_all(db, cfg, probe=RemovalProbe())
    assert finding(db) == ("open", None)
    assert "/gone" not in [path for path, _ in host.seen]


def test_path_disallowed_by_robots_is_not_probed(db, cfg):
    robots = f"User-agent: *\nDisallow: {PATH}\n"
    with Host({PATH: (404, {})}, robots=robots) as host:
        finding_then_missing(db, host.root)
        check_all(db, cfg, probe=RemovalProbe())
    assert finding(db) == ("open", None)
    assert [path for path, _ in host.seen] == ["/robots.txt"]


def test_listing_url_on_another_host_than_the_platform_is_not_probed(db, cfg):
    with Host({PATH: (404, {})}) as other, Host({}) as platform:
        finding_then_missing(db, other.root)
        db.execute("UPDATE crawls SET base_url = ?", [platform.root + "/tokopedia"])
        check_all(db, cfg, probe=RemovalProbe())
    assert finding(db) == ("open", None)
    assert other.seen == [] and platform.seen == []


@pytest.mark.timeout(180)
def test_a_crawl_runs_while_a_slow_probe_waits(tmp_path, cfg, small_replica):
    # The probe waits as long as the crawl takes (its timeout far above any
    # crawl's time, the host holds the answer until the crawl is done): a
    # loaded machine slows the crawl, not the outcome.
    cfg.data["removal"]["timeout"] = 150
    path = tmp_path / "p.db"
    db = open_db(path)
    checked = []

    def check():
        own = open_db(path)
        try:
            checked.extend(check_all(own, cfg))
        finally:
            own.close()

    with Host({PATH: (404, {})}) as host:
        host.hold = threading.Event()
        finding_then_missing(db, host.root)
        worker = threading.Thread(target=check)
        worker.start()
        try:
            assert host.asked.wait(60)  # the probe waits on the slow host ...
            assert not holds_write_lock(path)  # ... holding no write lock
            runner = CrawlRunner(
                str(path), base_urls=small_replica.base_urls, parallel=1
            )
            (crawled,) = runner.run(["sisnaker"])
        finally:
            host.hold.set()
            worker.join()
    try:
        assert crawled.status == "complete", crawled.reasons
        assert s.get_crawl(db, crawled.crawl_id)["items"] == crawled.items > 0
        assert finding(db) == ("resolved", "removed")
        assert [r.platform for r in checked] == ["tokopedia", "tokopedia"]
    finally:
        db.close()
