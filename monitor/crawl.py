"""Run crawls as subprocesses (one per platform), with progress and a result each."""

from __future__ import annotations

import json
import os
import signal
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


class CrawlRunner:
    """Starts ``python -m spiders.run`` per platform; stops them on request."""

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
    ):
        self.db_path, self.base_urls, self.now = db_path, base_urls or {}, now
        self.parallel, self.timeout = parallel, timeout
        self.settings = settings or {}
        self.evidence_dir = evidence_dir
        self.on_progress = on_progress or (lambda event: None)
        self.procs: dict[str, subprocess.Popen] = {}
        self.lock = threading.Lock()
        self.stopping = False

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
            result.reasons = ["not started: stopping"]
            return result
        stderr_tail: list[str] = []
        proc = subprocess.Popen(
            self.command(slug),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # Ctrl-C reaches us; we stop children ourselves
        )
        with self.lock:
            self.procs[slug] = proc
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
        try:
            result.returncode = proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            result.returncode = proc.wait()
        reader.join()
        with self.lock:
            self.procs.pop(slug, None)
        return self._result(result, crawl_id, stderr_tail, proc.pid)

    def _drain(self, proc, tail: list[str]) -> None:
        for line in proc.stderr:
            tail.append(line.rstrip())
            del tail[:-20]

    def _result(self, result: CrawlResult, crawl_id, stderr_tail, pid) -> CrawlResult:
        db = open_db(self.db_path)
        try:
            if crawl_id is None:  # killed before it said which: find it by pid
                crawl_id = snapshots.crawl_of_process(db, result.platform, pid)
            if crawl_id is not None and result.returncode != 0:
                why = f"crawl process exited with status {result.returncode}"
                if stderr_tail:
                    why += ": " + stderr_tail[-1][:300]
                snapshots.fail_crawl(db, crawl_id, why)
            crawl = snapshots.get_crawl(db, crawl_id) if crawl_id else None
        finally:
            db.close()
        result.crawl_id = crawl_id
        if crawl is None:
            result.reasons = [stderr_tail[-1] if stderr_tail else "crawl did not start"]
            return result
        result.status = crawl["status"]
        result.items, result.pages = crawl["items"], crawl["pages"]
        result.reasons = [r["message"] for r in crawl["health"]]
        return result

    def run(self, slugs: list[str]) -> list[CrawlResult]:
        """Crawl ``slugs``, at most ``parallel`` at a time; results in slug order.

        Ctrl-C stops the running crawls cleanly (each closes its crawl row)."""
        open_db(self.db_path).close()  # migrate once, before the children start
        pool = ThreadPoolExecutor(max_workers=max(1, self.parallel))
        futures = [pool.submit(self.run_one, slug) for slug in slugs]
        try:
            return [future.result() for future in futures]
        except KeyboardInterrupt:
            self.stop()
            raise
        finally:
            pool.shutdown(wait=True)

    def stop(self, grace: float = 20.0) -> None:
        """Ask running crawls to finish (SIGINT: Scrapy closes cleanly), then kill."""
        self.stopping = True
        with self.lock:
            procs = list(self.procs.values())
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
        for proc in procs:
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


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
            "PRAKERJA_TRUST_MIN_SHARE": trust["min_share"],
            "PRAKERJA_TRUST_MIN_COVERAGE": trust["min_coverage"],
            "PRAKERJA_TRUST_MAX_ERROR_RATE": trust["max_error_rate"],
            "PRAKERJA_OPERATOR": cfg["evidence"]["operator"],
            "PRAKERJA_CONTACT": cfg["evidence"]["contact"],
        },
        on_progress=on_progress,
    )
