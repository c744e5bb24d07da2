"""Run crawls as subprocesses (one per platform), with progress and a result each."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from storage import snapshots
from storage.db import open_db


@dataclass
class CrawlResult:
    platform: str
    crawl_id: int | None = None
    status: str = "failed"
    items: int = 0
    pages: int = 0
    reasons: list[str] = field(default_factory=list)
    returncode: int | None = None


class Stopped(KeyboardInterrupt):
    """The command got SIGTERM (or SIGINT): stop the crawls, close their rows."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signal_name = signal.Signals(signum).name


def _raise_stopped(signum, frame):
    raise Stopped(signum)


def terminate_as_interrupt() -> None:
    """SIGTERM raises ``Stopped`` (a KeyboardInterrupt) in the main thread, so
    every command stops its children and closes their rows as on Ctrl-C."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_stopped)


class CrawlRunner:
    """Starts ``python -m spiders.run`` per platform; stops them on request.

    Each crawl runs in its own process group: a timeout, a stop or a signal to
    this process ends every process of the crawl, and its row is closed with the
    reason (``failed`` when killed)."""

    def __init__(
        self,
        db_path: str,
        base_urls: dict[str, str] | None = None,
        now: str | None = None,
        parallel: int = 4,
        timeout: float | None = None,
        settings: dict[str, str] | None = None,
        evidence_dir: str | None = None,
        on_progress: Callable[[dict], None] | None = None,
        preexec_fn: Callable[[], None] | None = None,
    ):
        self.db_path, self.base_urls, self.now = db_path, base_urls or {}, now
        self.parallel, self.timeout = parallel, timeout
        self.settings = settings or {}
        self.evidence_dir = evidence_dir
        self.on_progress = on_progress or (lambda event: None)
        self.preexec_fn = preexec_fn  # e.g. resource limits of the crawl process
        self.procs: dict[str, subprocess.Popen] = {}
        self.ended: dict[int, tuple[str, str]] = {}  # pid -> (code, why) we ended it
        self.lock = threading.Lock()
        self.stopping = False
        self.stop_reason = "stopped on request"

    def command(self, slug: str) -> list[str]:
        cmd = [sys.executable, "-m", "spiders.run", slug, "--db", self.db_path]
        if self.base_urls.get(slug):
            cmd += ["--base-url", self.base_urls[slug]]
        if self.now:
            cmd += ["--now", self.now]
        if self.evidence_dir:
            cmd += ["--evidence-dir", self.evidence_dir]
        for name, value in self.settings.items():
            cmd += ["-s", f"{name}={value}"]
        return cmd

    def run_one(self, slug: str) -> CrawlResult:
        result = CrawlResult(slug)
        if self.stopping:
            result.reasons = [f"not started: {self.stop_reason}"]
            return result
        stderr_tail: list[str] = []
        proc = subprocess.Popen(
            self.command(slug),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own group: we stop every process of it
            preexec_fn=self.preexec_fn,
        )
        with self.lock:
            self.procs[slug] = proc
        watchdog = None
        if self.timeout:
            watchdog = threading.Timer(float(self.timeout), self._expire, [proc])
            watchdog.daemon = True
            watchdog.start()
        reader = threading.Thread(target=self._drain, args=(proc, stderr_tail))
        reader.start()
        crawl_id = None
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            crawl_id = event.get("crawl_id") or crawl_id
            self.on_progress(event)
        result.returncode = proc.wait()
        if watchdog:
            watchdog.cancel()
        reader.join()
        with self.lock:
            self.procs.pop(slug, None)
        return self._result(result, crawl_id, stderr_tail, proc.pid)

    def _expire(self, proc) -> None:
        """The crawl ran out of time: kill its whole process group at once."""
        if proc.poll() is None:
            why = f"timed out after {self.timeout:g} s: the crawl's processes killed"
            self.ended.setdefault(proc.pid, ("timeout", why))
            _signal_group(proc, signal.SIGKILL)

    def _drain(self, proc, tail: list[str]) -> None:
        for line in proc.stderr:
            tail.append(line.rstrip())
            del tail[:-20]

    def _result(self, result: CrawlResult, crawl_id, stderr_tail, pid) -> CrawlResult:
        ended = self.ended.pop(pid, None)
        why = None
        if result.returncode != 0:
            why = f"crawl process exited with status {result.returncode}"
            if stderr_tail:
                why += ": " + stderr_tail[-1][:300]
        try:
            crawl = self._close_row(result.platform, crawl_id, pid, ended, why)
        except sqlite3.Error as exc:  # e.g. the disk is full for us too
            result.reasons = [f"{why or 'crawl ended'}; its row not closed: {exc}"]
            return result
        result.crawl_id = crawl["id"]
        result.status = crawl["status"]
        result.items, result.pages = crawl["items"], crawl["pages"]
        result.reasons = [r["message"] for r in crawl["health"]]
        return result

    def _close_row(self, platform, crawl_id, pid, ended, why) -> dict:
        """The crawl's row, closed with the real reason; a crawl that never opened
        its row gets a ``failed`` one saying why."""
        db = open_db(self.db_path)
        try:
            if crawl_id is None:  # killed before it said which: find it by pid
                crawl_id = snapshots.crawl_of_process(db, platform, pid)
            if crawl_id is None:
                crawl_id = snapshots.record_failed_crawl(
                    db,
                    platform,
                    "the crawl did not open its row: "
                    + (ended[1] if ended else why or "no reason given"),
                    observed_at=self.now,
                    base_url=self.base_urls.get(platform),
                )
            elif ended and ended[0] == "timeout":
                snapshots.fail_crawl(db, crawl_id, ended[1], "timeout", force=True)
            elif ended:  # stopped: closed by the spider, or failed when killed
                if snapshots.get_crawl(db, crawl_id)["status"] == snapshots.RUNNING:
                    snapshots.fail_crawl(db, crawl_id, ended[1], ended[0])
                else:
                    snapshots.add_crawl_reason(db, crawl_id, ended[0], ended[1])
            elif why:
                snapshots.fail_crawl(db, crawl_id, why)
            return snapshots.get_crawl(db, crawl_id)
        finally:
            db.close()

    def run(self, slugs: list[str]) -> list[CrawlResult]:
        """Crawl ``slugs``, at most ``parallel`` at a time; results in slug order.

        Ctrl-C or SIGTERM stops the running crawls cleanly (each closes its crawl
        row, with who stopped it) and raises KeyboardInterrupt (``Stopped``)."""
        open_db(self.db_path).close()  # migrate once, before the children start
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _raise_stopped) if main else None
        pool = ThreadPoolExecutor(max_workers=max(1, self.parallel))
        futures = [pool.submit(self.run_one, slug) for slug in slugs]
        try:
            return [future.result() for future in futures]
        except KeyboardInterrupt as exc:
            name = getattr(exc, "signal_name", "SIGINT")
            self.stop(reason=f"stopped: prakerja-monitor received {name}")
            raise
        finally:
            pool.shutdown(wait=True)
            if main:
                signal.signal(signal.SIGTERM, previous)

    def stop(self, grace: float = 20.0, reason: str | None = None) -> None:
        """Ask running crawls to finish (SIGINT: Scrapy closes cleanly), then kill
        their process groups; each row gets ``reason``."""
        self.stopping = True
        self.stop_reason = reason or self.stop_reason
        with self.lock:
            procs = list(self.procs.values())
        for proc in procs:
            if proc.poll() is None:
                self.ended.setdefault(proc.pid, ("stopped", self.stop_reason))
                _signal_group(proc, signal.SIGINT)
        for proc in procs:
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)


def _signal_group(proc, signum) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signum)


def runner_for(cfg, base_urls=None, now=None, parallel=None, on_progress=None):
    """A CrawlRunner with the configuration's database, URLs, limits and trust."""
    trust = cfg["trust"]
    return CrawlRunner(
        cfg.database,
        base_urls={**cfg.base_urls(), **(base_urls or {})},
        now=now,
        parallel=parallel or cfg["crawl"]["parallel"],
        timeout=cfg["crawl"]["timeout"],
        evidence_dir=cfg["evidence_dir"],
        settings={
            **{f"PRAKERJA_TRUST_{name.upper()}": trust[name] for name in trust},
            "PRAKERJA_OPERATOR": cfg["evidence"]["operator"],
            "PRAKERJA_CONTACT": cfg["evidence"]["contact"],
        },
        on_progress=on_progress,
    )
