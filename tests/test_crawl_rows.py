"""The crawl row's lifecycle: pid and host recorded, stale rows of dead processes
of this host closed, rows of other hosts left alone, failures add their reason."""

from __future__ import annotations

import socket
import subprocess
import sys

from storage import snapshots as s


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_start_records_pid_and_host(db):
    row = s.get_crawl(db, s.start_crawl(db, "tokopedia"))
    assert (row["host"], row["status"]) == (socket.gethostname(), "running")
    assert row["pid"]


def test_stale_rows_of_this_host_close_and_other_hosts_stay(db):
    mine = s.start_crawl(db, "tokopedia", pid=dead_pid())
    theirs = s.start_crawl(db, "bukalapak", pid=dead_pid())
    db.execute("UPDATE crawls SET host = 'elsewhere' WHERE id = ?", [theirs])
    assert s.mark_stale_crawls_failed(db) == [mine]
    assert s.get_crawl(db, mine)["status"] == "failed"
    assert s.get_crawl(db, theirs)["status"] == "running"


def test_forced_failure_keeps_the_earlier_reasons(db):
    cid = s.start_crawl(db, "tokopedia")
    health = [{"code": "finish_reason", "message": "crawl ended with 'shutdown'"}]
    s.finish_crawl(db, cid, "incomplete", "shutdown", 3, 1, 0, health)
    s.fail_crawl(db, cid, "timed out after 20 s", "timeout")  # not running: kept
    assert s.get_crawl(db, cid)["status"] == "incomplete"
    s.fail_crawl(db, cid, "timed out after 20 s", "timeout", force=True)
    row = s.get_crawl(db, cid)
    assert (row["status"], row["finish_reason"]) == ("failed", "shutdown")
    assert [r["code"] for r in row["health"]] == ["finish_reason", "timeout"]


def test_a_crawl_that_never_opened_its_row_is_recorded(db):
    cid = s.record_failed_crawl(db, "sisnaker", "database is locked", "2020-07-02")
    row = s.get_crawl(db, cid)
    assert (row["status"], row["observed_at"]) == ("failed", "2020-07-02")
    assert row["health"] == [{"code": "not_started", "message": "database is locked"}]
