"""``python -m bench.endless``: a 20 s crawl timeout against endless pagination.

Crawls Skill Academy through ``replica.endless.EndlessPagination`` (every page
claims a million pages, 0.1 s per answer) with ``crawl.timeout`` 20 s, and reports
how long the crawl took to end, its row, and the crawl process's peak RSS
(``VmHWM``, sampled until it ends). ``--no-cap`` lifts the pagination cap (and
announces 100,000 pages) to show what the cap saves.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path

from monitor.run.crawl import CrawlRunner
from replica import start_replica
from replica.endless import EndlessPagination

SLUG = "skillacademy"


def peak_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def measure(no_cap: bool, timeout: float) -> dict:
    settings = {"PRAKERJA_PAGE_CAP_FIRST": 10**9} if no_cap else {}
    with (
        start_replica() as replica,
        EndlessPagination(
            replica.root, total_pages=100_000 if no_cap else 1_000_000, delay_s=0.1
        ) as endless,
        tempfile.TemporaryDirectory() as folder,
    ):
        runner = CrawlRunner(
            str(Path(folder) / "p.db"),
            base_urls={SLUG: endless.base()},
            parallel=1,
            timeout=timeout,
            settings=settings,
        )
        out: dict = {}
        started = time.monotonic()
        worker = threading.Thread(target=lambda: out.update(r=runner.run([SLUG])))
        worker.start()
        peak = 0
        while worker.is_alive():
            for proc in list(runner.procs.values()):
                peak = max(peak, peak_kib(proc.pid) or 0)
            time.sleep(0.2)
        worker.join()
        (result,) = out["r"]
        return {
            "no_cap": no_cap,
            "timeout_s": timeout,
            "ended_after_s": round(time.monotonic() - started, 1),
            "status": result.status,
            "reasons": result.reasons,
            "requests_served": endless.requests,
            "peak_rss_mib": round(peak / 1024, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.endless")
    parser.add_argument("--no-cap", action="store_true")
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()
    print(json.dumps(measure(args.no_cap, args.timeout), indent=2))


if __name__ == "__main__":
    main()
