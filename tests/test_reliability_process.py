"""Reliability of processes around the database: SIGKILL mid-transaction, readers
during a crawl, and an SMTP server that refuses DATA for a while."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from smtp_server import Sink, free_port
from test_findings import BUNDLE
from test_storage import item

from monitor.config import load_config
from monitor.digest.send import send_alerts
from monitor.judge.check import check_all
from monitor.run.crawl import CrawlRunner
from storage import alerts as store
from storage import snapshots as s
from storage.db import open_db
from storage.queries import SAVED, run_query, saved_params

BIG = 12_000  # listings per synthetic crawl: a check or a batch of a few seconds


def config():
    cfg = load_config(env={})
    cfg.data["removal"]["confirm_by_http"] = False  # no probe: nothing listens
    return cfg


def synthetic_crawl(db, day: int, items: list[dict]) -> int:
    cid = s.start_crawl(
        db, "tokopedia", observed_at=f"2020-07-{day:02d}T10:00:00+07:00"
    )
    s.save_listings(db, cid, items)
    s.finish_crawl(db, cid, "complete", "finished", len(items), 1, 0, [])
    return cid


def big_items(day: int) -> list[dict]:
    """Half bundles payable with Prakerja; on day 3 some drop Prakerja payment,
    some are unbundled and some prices change."""
    out = []
    for i in range(BIG):
        fields = dict(BUNDLE) if i % 2 else {}
        if day == 3 and i % 10 == 1:
            fields.update(prakerja_payment=False, payment_methods=["OVO"])
        if day == 3 and i % 10 == 3:
            fields = {}
        if day == 3 and i % 7 == 0:
            fields["price_idr"] = 90_000
        out.append(item(str(i), **fields))
    return out


def holds_write_lock(path) -> bool:
    """True while another connection holds the database's write lock."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    finally:
        conn.close()


def kill_while_writing(args: list[str], path, cwd, ready=lambda: True) -> None:
    """Start ``python args``; SIGKILL it as soon as it holds the write lock once
    ``ready()`` (the write to interrupt has begun: not an earlier short one)."""
    proc = subprocess.Popen([sys.executable, *args], cwd=cwd)
    try:
        deadline = time.monotonic() + 60
        while not (ready() and holds_write_lock(path)):
            assert proc.poll() is None, "finished before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        time.sleep(0.2)  # well inside the transaction ...
        assert holds_write_lock(path)  # ... and still in it
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


def integrity(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def outcome(db) -> tuple[list, list]:
    """Findings and changes without the wall-clock times."""
    found = db.execute(
        "SELECT id, listing_id, status, resolution, first_crawl_id, last_crawl_id"
        " FROM findings ORDER BY id"
    ).fetchall()
    changed = db.execute(
        "SELECT platform, listing_id, from_crawl_id, to_crawl_id, kind, field,"
        " old_value, new_value FROM changes ORDER BY platform, listing_id, kind, field"
    ).fetchall()
    return found, changed


def paused_before(statement: str) -> str:
    """Python source run first in a child process: each connection it opens
    sleeps a minute before its first ``statement`` once it has written something
    besides a crawl row, so the SIGKILL lands inside that write transaction
    whatever the machine's speed (a fast machine could otherwise commit within
    the 0.2 s the killer waits)."""
    return f"""
import sys, time
import storage.db
connect = storage.db.connect
def paused(*args, **kwargs):
    conn, wrote = connect(*args, **kwargs), []
    def trace(sql):
        if sql.startswith(("INSERT", "UPDATE", "DELETE")) and "crawls" not in sql:
            wrote.append(sql)
        if wrote and sql.startswith({statement!r}):
            time.sleep(60)
    conn.set_trace_callback(trace)
    return conn
storage.db.connect = paused
"""


# A check whose transaction, its writes done, waits before its COMMIT (on this
# VM the kill comes earlier, while the rule updates findings).
PAUSED_CHECK = paused_before("COMMIT") + (
    'from monitor.cli import main\nsys.exit(main(["check", "--db", sys.argv[1]]))\n'
)


@pytest.mark.timeout(120)
def test_sigkill_during_a_check_rolls_it_back_and_a_rerun_equals_a_clean_check(
    tmp_path,
):
    path, reference = tmp_path / "p.db", tmp_path / "reference.db"
    db = open_db(path)
    synthetic_crawl(db, 2, big_items(2))
    check_all(db, config())
    second = synthetic_crawl(db, 3, big_items(3))
    before = outcome(db)
    target = sqlite3.connect(reference)
    db.conn.backup(target)
    target.close()
    db.close()

    kill_while_writing(["-c", PAUSED_CHECK, str(path)], path, tmp_path)

    assert integrity(path) == "ok"
    db = open_db(path)
    try:
        assert s.get_crawl(db, second)["checked_at"] is None
        assert outcome(db) == before  # nothing of the killed check remains
        check_all(db, config())
        after = outcome(db)
    finally:
        db.close()
    clean = open_db(reference)
    try:
        check_all(clean, config())
        assert after == outcome(clean)
    finally:
        clean.close()
    resolved = [f for f in after[0] if f[2] == "resolved"]
    assert resolved and len(after[1]) > BIG // 10


@pytest.mark.timeout(120)
def test_sigkill_during_a_large_batch_write_leaves_a_failed_crawl(tmp_path):
    path = tmp_path / "p.db"
    db = open_db(path)
    first = synthetic_crawl(db, 2, big_items(2)[:100])
    db.close()
    # The batch waits once its listings and versions are written: a fast machine
    # saves 12,000 items in less than the 0.2 s the killer waits.
    code = paused_before("INSERT OR REPLACE INTO sightings") + (
        "sys.path.insert(0, sys.argv[2])\n"
        "from test_reliability_process import big_items, s, open_db\n"
        "db, items = open_db(sys.argv[1]), big_items(3)\n"
        "cid = s.start_crawl(db, 'tokopedia', observed_at='2020-07-03T10:00+07:00')\n"
        "s.save_listings(db, cid, items)\n"
    )
    here = os.path.dirname(os.path.abspath(__file__))

    def started() -> bool:  # the crawl row is committed: the lock is the batch's
        conn = sqlite3.connect(path, timeout=5)
        try:
            return conn.execute("SELECT max(id) FROM crawls").fetchone()[0] > first
        finally:
            conn.close()

    kill_while_writing(["-c", code, str(path), here], path, tmp_path, started)

    assert integrity(path) == "ok"
    db = open_db(path)
    try:
        killed = db.execute("SELECT max(id) FROM crawls").fetchone()[0]
        assert killed > first
        assert db.execute(
            "SELECT count(*) FROM sightings WHERE crawl_id = ?", [killed]
        ).fetchone() == (0,)
        rerun = synthetic_crawl(db, 4, big_items(3))
        assert s.get_crawl(db, killed)["status"] == "failed"
        assert "interrupted" in s.get_crawl(db, killed)["health"][0]["message"]
        assert len(s.snapshot_rows(db, rerun)) == BIG
        assert db["listings"].count == BIG
    finally:
        db.close()


# -- readers during a crawl -----------------------------------------------------

READS = [
    ("SELECT count(*) FROM sightings", {}),
    ("SELECT platform, status, items FROM crawls ORDER BY id", {}),
    ("SELECT count(*), sum(price_idr) FROM snapshots", {}),
    *((q.sql, saved_params(q, {})) for q in SAVED.values()),
]


@pytest.mark.timeout(120)
def test_readers_during_a_crawl_never_see_a_locked_database(tmp_path, replica):
    path = tmp_path / "p.db"
    open_db(path).close()
    errors, counts, done = [], [], threading.Event()

    def read():
        while not done.is_set():
            for sql, params in READS:
                try:
                    rows = run_query(path, sql, params).rows
                except Exception as exc:  # noqa: BLE001 - every failure counts
                    errors.append(repr(exc))
                    continue
                if sql == READS[0][0]:
                    counts.append(rows[0][0])

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        runner = CrawlRunner(
            str(path),
            base_urls=replica.base_urls,
            parallel=2,
            settings={"PRAKERJA_STORE_BATCH": 5},
        )
        results = runner.run(["tokopedia", "bukalapak"])
        db = open_db(path)
        try:
            check_all(db, config())
        finally:
            db.close()
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert errors == []
    assert [r.status for r in results] == ["complete", "complete"]
    assert len(set(counts)) > 10  # the readers saw the crawl's writes happen
    assert max(counts) == sum(r.items for r in results)


# -- SMTP refusing DATA -----------------------------------------------------------


class Flaky(Sink):
    """Answers DATA with 451 while ``failing``; counts every DATA it was given."""

    def __init__(self):
        super().__init__()
        self.failing, self.attempts = True, 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd
        self.attempts += 1
        if self.failing:
            return "451 4.3.0 Temporary local problem, try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def flaky_smtp():
    from aiosmtpd.controller import Controller

    sink = Flaky()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, sink
    finally:
        controller.stop()


def finding_crawl(db, cfg, day: int, ids: list[str]) -> None:
    synthetic_crawl(db, day, [item(i, **BUNDLE) for i in ids])
    check_all(db, cfg, probe=lambda url: False)


@pytest.mark.timeout(60)
def test_smtp_refusing_data_for_two_runs_delivers_every_digest_once(
    tmp_path, flaky_smtp
):
    port, sink = flaky_smtp
    cfg = config()
    cfg.data["smtp"].update(host="127.0.0.1", port=port, security="none")
    db = open_db(tmp_path / "p.db")
    try:
        finding_crawl(db, cfg, 2, ["9"])
        assert "NOT delivered" in send_alerts(db, cfg)[0]
        finding_crawl(db, cfg, 3, ["9", "8"])
        assert all("NOT delivered" in line for line in send_alerts(db, cfg))
        assert (sink.attempts, sink.messages) == (3, [])
        failed = store.list_alerts(db)
        assert [(a["status"], a["attempts"]) for a in failed] == [
            ("failed", 2),
            ("failed", 1),
        ]
        assert "451" in failed[0]["last_error"]

        sink.failing = False
        send_alerts(db, cfg)
        send_alerts(db, cfg)
        alerts = store.list_alerts(db)
    finally:
        db.close()
    ids = [
        email.message_from_bytes(m.content, policy=email.policy.default)["Message-ID"]
        for m in sink.messages
    ]
    assert ids == [a["message_id"] for a in failed]  # each once, in order
    assert [(a["status"], a["attempts"]) for a in alerts] == [("sent", 3), ("sent", 2)]
    assert sink.attempts == 5
