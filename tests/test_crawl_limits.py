"""Limits of a crawl that are real: a timeout kills the crawl's processes, endless
pagination is capped, SIGTERM to ``crawl`` leaves no spider and no running row, a
full disk fails the crawl with its reason and the next crawl works."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time

import pytest

from monitor.run.crawl import CrawlRunner
from replica.endless import EndlessPagination
from storage.db import open_db

SLUG = "skillacademy"


def rows(path) -> list[dict]:
    db = open_db(path)
    try:
        out = list(db.query("SELECT * FROM crawls ORDER BY id"))
    finally:
        db.close()
    for row in out:
        row["health"] = json.loads(row["health"])
        row["stats"] = json.loads(row["stats"] or "{}")
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.timeout(120)
def test_timeout_kills_an_endless_crawl_and_fails_it_with_the_reason(tmp_path, replica):
    path = tmp_path / "p.db"
    with EndlessPagination(replica.root, delay_s=0.1) as endless:
        runner = CrawlRunner(
            str(path), base_urls={SLUG: endless.base()}, parallel=1, timeout=10
        )
        (result,) = runner.run([SLUG])
    (row,) = rows(path)
    assert (result.status, row["status"]) == ("failed", "failed")
    assert result.returncode == -signal.SIGKILL
    assert row["finish_reason"] == "timeout"
    assert [r["code"] for r in row["health"]] == ["timeout"]
    assert "timed out after 10 s" in result.reasons[0]
    assert not alive(row["pid"])


@pytest.mark.timeout(120)
def test_endless_pagination_after_normal_crawls_stops_at_the_cap(tmp_path, replica):
    path = tmp_path / "p.db"
    with EndlessPagination(replica.root) as endless:
        runner = CrawlRunner(str(path), base_urls={SLUG: endless.base()}, parallel=1)
        endless.endless = False
        (normal,) = runner.run([SLUG])
        endless.endless = True
        (capped,) = runner.run([SLUG])
    first, second = rows(path)
    assert normal.status == "complete"
    announced = first["stats"]["prakerja/pages/announced"]
    cap = max(50, 3 * announced)
    assert second["status"] == "incomplete"
    assert second["finish_reason"] == "pagination_cap"
    assert second["stats"]["prakerja/pages/reached"] == cap
    assert second["stats"]["prakerja/pages/dropped"] == 1
    size = 20  # the spider's page size: every page but the last is full
    per_page = [size] * (announced - 1) + [first["items"] - size * (announced - 1)]
    assert second["items"] == sum(per_page[n % announced] for n in range(cap))
    assert second["stats"]["prakerja/pages/capped"].startswith(
        f"1000000 listing pages, over the cap of {cap}"
    )
    assert "crawl ended with 'pagination_cap'" in capped.reasons


@pytest.mark.timeout(120)
def test_sigterm_to_crawl_leaves_no_spider_and_no_running_row(tmp_path, replica):
    replica.set_faults("bukalapak", [{"kind": "slow", "delay_s": 0.5, "match": "any"}])
    path = tmp_path / "p.db"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "monitor.cli",
            "crawl",
            "bukalapak",
            "--db",
            str(path),
            "--base-url",
            f"bukalapak={replica.base_urls['bukalapak']}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (path.exists() and [r for r in rows(path) if r["status"] == "running"]):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.2)
    spiders = [r["pid"] for r in rows(path)]
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "Traceback" not in err
    assert [pid for pid in spiders if alive(pid)] == []
    crawled = rows(path)
    assert "running" not in {r["status"] for r in crawled}
    stopped = [r for r in crawled if r["platform"] == "bukalapak"]
    assert stopped and stopped[-1]["status"] in ("incomplete", "failed")
    assert "received SIGTERM" in json.dumps(stopped[-1]["health"])


def file_size_limit(limit: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


FULL = {  # what fills first: the database (small batches) or the WARC archive
    "database": (5, "cannot store items"),
    "archive": (500, "cannot write the archive"),
}


@pytest.mark.timeout(180)
@pytest.mark.parametrize("first_full", list(FULL))
def test_full_disk_fails_the_crawl_with_its_reason_and_the_next_crawl_works(
    tmp_path, replica, first_full
):
    batch, reason = FULL[first_full]
    slug, path = "sisnaker", tmp_path / "p.db"
    evidence = str(tmp_path / "evidence")
    bases = {slug: replica.base_urls[slug]}
    (first,) = CrawlRunner(str(path), bases, evidence_dir=evidence).run([slug])
    assert first.status == "complete"
    # pages varied within their contract: an unchanged recrawl would be 304s and
    # revisit records, too small to fill the archive (issues 16 and 17)
    if first_full == "archive":
        replica.set_faults(slug, [{"kind": "surface"}])
    full = CrawlRunner(
        str(path),
        bases,
        evidence_dir=evidence,
        # the page cache (conditional recrawls) would be a third file to fill
        settings={"PRAKERJA_STORE_BATCH": batch, "PRAKERJA_CONDITIONAL": False},
        preexec_fn=file_size_limit(64 * 1024),  # the disk fills at 64 KiB a file
    )
    (failed,) = full.run([slug])
    assert failed.returncode == 1
    assert failed.status == "failed", failed
    why = " ".join(failed.reasons)
    assert reason in why, why
    assert any(e in why for e in ("File too large", "disk I/O error", "full")), why
    (after,) = CrawlRunner(str(path), bases, evidence_dir=evidence).run([slug])
    assert after.status == "complete"
    assert after.items == first.items
    assert [r["status"] for r in rows(path)] == ["complete", "failed", "complete"]


@pytest.mark.timeout(120)
def test_alert_on_a_full_disk_prints_why_and_the_digest_stays_pending(tmp_path):
    from test_alert_claims import new_findings

    from monitor.config import load_config

    path = tmp_path / "p.db"
    cfg = load_config(env={})
    cfg.data["database"] = str(path)
    db = open_db(path)
    try:
        new_findings(db, cfg, 4)
    finally:
        db.close()
    env = {**os.environ, "PRAKERJA_MONITOR_OUTBOX": str(tmp_path / "outbox")}
    command = [sys.executable, "-m", "monitor.cli", "alert", "--db", str(path)]
    full = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=file_size_limit(40 * 1024),
        timeout=60,
    )
    assert full.returncode == 1, (full.stdout, full.stderr)
    assert "Traceback" not in full.stderr
    assert "NOT delivered" in full.stdout
    assert "disk I/O error" in full.stdout or "full" in full.stdout
    again = subprocess.run(command, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().endswith(".eml")
    db = open_db(path)
    try:
        assert [a["status"] for a in db.query("SELECT status FROM alerts")] == ["sent"]
    finally:
        db.close()


@pytest.mark.timeout(120)
def test_crawl_that_cannot_open_its_row_says_so_and_is_recorded(tmp_path, replica):
    path = tmp_path / "p.db"
    db = open_db(path)
    db.execute(
        "CREATE TRIGGER no_row BEFORE INSERT ON crawls WHEN NEW.status = 'running'"
        " BEGIN SELECT RAISE(ABORT, 'no room for a crawl row'); END"
    )
    db.close()
    runner = CrawlRunner(str(path), base_urls=replica.base_urls)
    (result,) = runner.run(["sisnaker"])
    assert result.status == "failed" and result.returncode != 0
    (row,) = rows(path)
    assert (row["id"], row["status"]) == (result.crawl_id, "failed")
    assert row["health"][0]["code"] == "not_started"
    assert "did not open its row" in row["health"][0]["message"]
    assert "no room for a crawl row" in row["health"][0]["message"]
