"""The scheduler and crawl processes: rounds, no overlap, clean stops, SIGKILL."""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

from smtp_server import free_port

from monitor.config import SLUGS
from monitor.run.crawl import CrawlRunner
from storage.db import open_db


def write_config(tmp_path, replica, platforms, interval=2, bases=None):
    bases = {**replica.base_urls, **(bases or {})}
    lines = [
        f'database = "{tmp_path / "p.db"}"',
        f'outbox = "{tmp_path / "outbox"}"',
        f'evidence_dir = "{tmp_path / "evidence"}"',
        "[schedule]",
        f"interval_seconds = {interval}",
        "misfire_grace_time = 5",
    ]
    for slug in SLUGS:
        lines += [
            f"[platforms.{slug}]",
            f"enabled = {'true' if slug in platforms else 'false'}",
            f'base_url = "{bases[slug]}"',
        ]
    path = tmp_path / "test.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def crawls(db_path):
    db = open_db(db_path)
    try:
        return list(db.query("SELECT * FROM crawls ORDER BY id"))
    finally:
        db.close()


def overlapping(rows):
    """Pairs of crawls of one platform whose run times overlap."""
    pairs = []
    for a in rows:
        for b in rows:
            same = a["platform"] == b["platform"] and a["id"] < b["id"]
            if same and b["started_at"] < (a["finished_at"] or "9999"):
                pairs.append((a["id"], b["id"]))
    return pairs


class Scheduler:
    """``prakerja-monitor schedule`` in its own process, its log read line by line."""

    def __init__(self, config):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "monitor.cli", "schedule", "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue = queue.Queue()
        self.log: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.log.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, text: str, timeout: float = 150) -> str:
        """The next log line holding ``text`` (fails after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                break
            if text in line:
                return line
        raise AssertionError(f"no {text!r} in the log:\n{''.join(self.log)}")

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=90)
        self.reader.join(timeout=30)  # every line up to the end of the output
        assert self.proc.returncode == 0, "".join(self.log)
        return "".join(self.log)


def running_crawls(db_path) -> list[dict]:
    if not db_path.exists():
        return []
    return [r for r in crawls(db_path) if r["status"] == "running"]


def wait_until(condition, timeout: float = 150, what: str = "") -> None:
    """Poll ``condition`` every 0.2 s; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_schedule_runs_rounds_without_overlap_and_stops_on_sigterm(tmp_path, replica):
    dead = {"tokopedia": f"http://127.0.0.1:{free_port()}/tokopedia"}  # nobody there
    config = write_config(
        tmp_path, replica, ["sisnaker", "skillacademy", "tokopedia"], bases=dead
    )
    db_path = tmp_path / "p.db"

    def two_rounds_seen():
        if not db_path.exists():
            return False
        rows = crawls(db_path)
        return (
            all(
                sum(r["platform"] == slug and r["status"] == "complete" for r in rows)
                >= 2
                for slug in ("sisnaker", "skillacademy")
            )
            and sum(r["platform"] == "tokopedia" for r in rows) >= 2
        )

    scheduler = Scheduler(config)
    try:  # until two rounds have crawled everything, then SIGTERM
        wait_until(two_rounds_seen, what="two complete rounds")
    finally:
        log = scheduler.stop()  # exit status 0
    rows = crawls(db_path)
    for slug in ("sisnaker", "skillacademy"):
        done = [r for r in rows if r["platform"] == slug and r["status"] == "complete"]
        assert len(done) >= 2, log
    assert overlapping(rows) == []
    assert "running" not in {r["status"] for r in rows}, (rows, log)
    assert "crawl sisnaker" in log and "scheduler stopped" in log
    unreachable = [r for r in rows if r["platform"] == "tokopedia"]
    assert len(unreachable) >= 2  # the schedule went on after its failures
    assert {r["status"] for r in unreachable} <= {"failed", "incomplete"}


def test_slow_platform_and_short_interval_never_overlap(tmp_path, replica):
    replica.set_faults("sekolahmu", [{"kind": "slow", "delay_s": 2, "match": "any"}])
    config = write_config(tmp_path, replica, ["sekolahmu"], interval=1)
    scheduler = Scheduler(config)
    try:  # the 1 s interval fires 5 times while the first crawl still runs
        for _ in range(5):
            scheduler.wait_for("maximum number of running instances reached")
    finally:
        log = scheduler.stop()  # exit status 0
    rows = crawls(tmp_path / "p.db")
    assert len(rows) >= 1
    assert overlapping(rows) == []
    assert "running" not in {r["status"] for r in rows}, (rows, log)


def test_sigkill_mid_crawl_leaves_a_failed_crawl_and_a_sound_database(
    tmp_path, replica
):
    db_path = str(tmp_path / "p.db")
    open_db(db_path).close()
    replica.set_faults(
        "tokopedia", [{"kind": "slow", "delay_s": 0.3, "match": "detail"}]
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spiders.run",
            "tokopedia",
            "--db",
            db_path,
            "--base-url",
            replica.base_urls["tokopedia"],
            "-s",
            "PRAKERJA_STORE_BATCH=5",
            "-s",
            "PRAKERJA_PROGRESS_S=0.2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    for line in proc.stdout:  # wait until rows are being written
        if json.loads(line).get("items", 0) >= 20:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    replica.clear_faults("tokopedia")

    runner = CrawlRunner(db_path, base_urls=replica.base_urls, parallel=1)
    (result,) = runner.run(["tokopedia"])
    assert result.status == "complete"
    db = open_db(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        first, second = list(db.query("SELECT * FROM crawls ORDER BY id"))
    finally:
        db.close()
    assert first["status"] == "failed" and "interrupted" in first["health"]
    assert second["items"] == len(replica.truth()["tokopedia"])


def test_crawl_command_stops_children_on_ctrl_c(tmp_path, replica):
    replica.set_faults("bukalapak", [{"kind": "slow", "delay_s": 0.5, "match": "any"}])
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "monitor.cli",
            "crawl",
            "bukalapak",
            "--db",
            str(tmp_path / "p.db"),
            "--base-url",
            f"bukalapak={replica.base_urls['bukalapak']}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    db_path = tmp_path / "p.db"
    wait_until(  # Ctrl-C while the crawl is under way
        lambda: running_crawls(db_path), what="a running crawl"
    )
    os.kill(proc.pid, signal.SIGINT)
    proc.communicate(timeout=60)
    rows = crawls(tmp_path / "p.db")
    assert rows and rows[-1]["status"] in ("incomplete", "failed")


def test_run_once_crawls_checks_alerts_and_reports_each_platform(tmp_path, replica):
    config = write_config(tmp_path, replica, ["sisnaker", "pintaria"])
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "monitor.cli",
            "run",
            "--config",
            str(config),
            "--now",
            "2020-07-08T10:00:00+07:00",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("Sisnaker") and "complete" in line for line in lines)
    assert any(line.startswith("Pintaria") and "complete" in line for line in lines)
    assert any(line.startswith("alert: ") and line.endswith(".eml") for line in lines)

    replica.set_faults(
        "pintaria", [{"kind": "layout", "variant": "v2", "match": "any"}]
    )
    again = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "run", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert again.returncode == 1  # a platform could not be verified
    assert "layout changed" in again.stdout
