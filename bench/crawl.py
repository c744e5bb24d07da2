"""crawl: the real spiders, pipelines and storage vs a no-op spider, same URLs.

Both sides crawl the replica (prefix mode, one clock) as subprocesses, eight
platforms, ``parallel`` at a time, in the same order. The real side is
``CrawlRunner.run_one`` (``python -m spiders.run``) with evidence archived, as
``prakerja-monitor crawl`` runs it; the URLs it fetched are read from the
replica's request log; the baseline (``bench.noop``) then fetches exactly those
URLs with the same Scrapy settings and does nothing with them. After each crawl
the replica's page and listing caches are cleared so that every crawl starts cold.
``--repeat N`` runs each side N times (real, no-op, no-op, real, ...) and keeps the
fastest of each: the machine may be shared.
Pages per second count every response, robots.txt included, over the wall time
of the whole run (process start-up included); the per-platform rates use each
process's own wall time.
"""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import (
    Timer,
    children_cpu_s,
    load_average,
    rate,
    run_json,
    say,
    write_result,
)
from monitor.run.crawl import CrawlRunner
from replica.server import start_replica
from storage.db import open_db

DEFAULT_SIZE = 20_000
AS_OF = "2020-07-08"
NOW = f"{AS_OF}T10:00:00+07:00"
PARALLEL = 2
# Platforms whose listings come from an API or embedded JSON page (no detail page).
ONE_REQUEST_PLATFORMS = ("sekolahmu", "skillacademy")
GOAL_RATIO, GOAL_REQUESTS_PER_LISTING = 0.6, 1.05
GOAL_CPU_RATIO = 0.8  # issue 17: CPU ratio, less sensitive to other load
NOOP_HEADERS = {"pijarmahir": ["Accept=application/json"]}  # as the spider sends


def timed_pool(slugs: list[str], work) -> tuple[dict, float]:
    """Run ``work(slug)`` for every slug, PARALLEL at a time: results and seconds."""

    def one(slug):
        started = time.perf_counter()
        out = work(slug)
        return slug, out, time.perf_counter() - started

    with Timer() as t, ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        done = list(pool.map(one, slugs))
    return {slug: (out, secs) for slug, out, secs in done}, t.seconds


def real_crawl(replica, folder: Path, slugs: list[str], k: int) -> dict:
    db = folder / f"crawl-{k}.db"
    runner = CrawlRunner(
        str(db),
        replica.base_urls,
        now=NOW,
        parallel=PARALLEL,
        evidence_dir=str(folder / f"evidence-{k}"),
    )
    open_db(db).close()  # as CrawlRunner.run does: migrate once, before the children
    return measured(replica, slugs, runner.run_one)


def noop_crawl(replica, folder: Path, urls: dict) -> dict:
    def work(slug):
        path = folder / f"urls-{slug}.txt"
        path.write_text("\n".join(urls[slug]) + "\n")
        headers = [a for h in NOOP_HEADERS.get(slug, []) for a in ("--header", h)]
        return run_json(["bench.noop", str(path), *headers])

    return measured(replica, list(urls), work)


def measured(replica, slugs: list[str], work) -> dict:
    """One crawl of every platform: results, seconds, CPU, then a cold replica."""
    cpu = children_cpu_s()
    with Timer() as bench_cpu:
        per, seconds = timed_pool(slugs, work)
    run = {
        "per": per,
        "seconds": seconds,
        "cpu": children_cpu_s() - cpu,
        "bench_cpu": bench_cpu.cpu_seconds,
        "logs": {slug: replica.log(slug) for slug in slugs},
    }
    cold(replica)
    return run


def cold(replica) -> None:
    """Forget the replica's rendered pages, generated listings and request logs."""
    replica.reset()
    replica.state.catalog.entry.cache_clear()


def run(size: int | None = None, repeat: int | None = None) -> dict:
    size, load_at_start = size or DEFAULT_SIZE, load_average()
    repeat = repeat or 1
    say(
        f"crawl: replica of {size} listings, as of {AS_OF}, parallel {PARALLEL},"
        f" {repeat} run(s) of each side (best taken)"
    )
    reals, noops, slugs = both_sides(size, repeat)
    result = summary(size, repeat, reals, noops, slugs)
    result["load_average_at_start"] = load_at_start
    report(result)
    write_result("crawl", result)
    return result


def both_sides(size: int, repeat: int) -> tuple[list, list, list[str]]:
    """Crawl one replica ``repeat`` times per side: real runs, no-op runs, slugs."""
    reals, noops = [], []
    with (
        tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp,
        start_replica(seed=1, size=size, as_of=AS_OF) as replica,
    ):
        folder, slugs, urls = Path(tmp), list(replica.base_urls), None
        for k in range(repeat):
            # real, no-op, no-op, real, ...: a drift in the machine's load evens out
            for side in ("real", "noop") if k % 2 == 0 else ("noop", "real"):
                if side == "real":
                    reals.append(real_crawl(replica, folder, slugs, k))
                    if urls is None:
                        urls = fetched_urls(replica, reals[0])
                else:
                    noops.append(noop_crawl(replica, folder, urls))
                last = (reals if side == "real" else noops)[-1]
                say(f"  {side:<5} crawl {k + 1}: {last['seconds']:.1f} s")
    return reals, noops, slugs


def fetched_urls(replica, real: dict) -> dict:
    """The URLs a real crawl fetched, per platform, from the replica's request logs."""
    return {
        slug: [replica.base_urls[slug] + e["path_qs"] for e in log]
        for slug, log in real["logs"].items()
    }


def platform_figures(slug: str, real: dict, noop: dict) -> dict:
    """One platform's figures: the real crawl's beside the no-op's."""
    result, secs = real["per"][slug]
    base, base_secs = noop["per"][slug]
    log = real["logs"][slug]
    requests = len(log)
    return {
        "status": result.status,
        "reasons": result.reasons,
        "listings": result.items,
        "pages": result.pages,
        "replica_requests": requests,
        "statuses": _count(e["status"] for e in log),
        "requests_per_listing": round(requests / max(result.items, 1), 3),
        "seconds": round(secs, 2),
        "pages_per_s": rate(result.pages, secs),
        "listings_per_s": rate(result.items, secs),
        "noop_pages": base["pages"],
        "noop_replica_requests": len(noop["logs"][slug]),
        "noop_seconds": round(base_secs, 2),
        "noop_pages_per_s": rate(base["pages"], base_secs),
    }


def summary(size: int, repeat: int, reals: list, noops: list, slugs: list) -> dict:
    """The result: each side's fastest run, in all and per platform, and the goal."""
    real = min(reals, key=lambda r: r["seconds"])
    noop = min(noops, key=lambda r: r["seconds"])
    real_s, noop_s = real["seconds"], noop["seconds"]
    real_cpu, noop_cpu = min(r["cpu"] for r in reals), min(r["cpu"] for r in noops)
    platforms = {slug: platform_figures(slug, real, noop) for slug in slugs}
    pages = sum(p["pages"] for p in platforms.values())
    noop_pages = sum(p["noop_pages"] for p in platforms.values())
    items = sum(p["listings"] for p in platforms.values())
    ratio = (pages / real_s) / (noop_pages / noop_s)
    worst = {s: platforms[s]["requests_per_listing"] for s in ONE_REQUEST_PLATFORMS}
    return {
        "size": size,
        "as_of": AS_OF,
        "parallel": PARALLEL,
        "repeat": repeat,
        "listings": items,
        "pages": pages,
        "seconds": round(real_s, 2),
        "all_seconds": [round(r["seconds"], 2) for r in reals],
        "pages_per_s": rate(pages, real_s),
        "listings_per_s": rate(items, real_s),
        "crawler_cpu_s": round(real_cpu, 2),
        "bench_process_cpu_s": round(real["bench_cpu"], 2),
        "noop_pages": noop_pages,
        "noop_seconds": round(noop_s, 2),
        "noop_all_seconds": [round(r["seconds"], 2) for r in noops],
        "noop_pages_per_s": rate(noop_pages, noop_s),
        "noop_crawler_cpu_s": round(noop_cpu, 2),
        "noop_bench_process_cpu_s": round(noop["bench_cpu"], 2),
        "ratio": round(ratio, 3),
        "ratio_means": "real pages/s / no-op pages/s (same URLs), higher is better",
        "cpu_ratio": round(noop_cpu / real_cpu, 3) if real_cpu else None,
        "cpu_ratio_means": "no-op crawler CPU s / real crawler CPU s (same pages):"
        " the ratio with other load on the machine mostly factored out",
        "goal": f">= {GOAL_RATIO}, CPU ratio >= {GOAL_CPU_RATIO}; requests per"
        f" listing <= {GOAL_REQUESTS_PER_LISTING} on"
        f" {', '.join(ONE_REQUEST_PLATFORMS)}",
        "goal_met": ratio >= GOAL_RATIO
        and real_cpu > 0
        and noop_cpu / real_cpu >= GOAL_CPU_RATIO
        and all(v <= GOAL_REQUESTS_PER_LISTING for v in worst.values()),
        "platforms": platforms,
    }


def _count(values) -> dict:
    out: dict = {}
    for v in values:
        out[str(v)] = out.get(str(v), 0) + 1
    return out


def report(r: dict) -> None:
    say(
        f"{'platform':<14}{'status':>10}{'listings':>9}{'pages':>7}{'req/list':>9}"
        f"{'s':>7}{'pages/s':>9}{'list/s':>8}{'noop s':>8}{'noop p/s':>9}"
    )
    for slug, p in r["platforms"].items():
        say(
            f"{slug:<14}{p['status']:>10}{p['listings']:>9}{p['pages']:>7}"
            f"{p['requests_per_listing']:>9.3f}{p['seconds']:>7.1f}"
            f"{p['pages_per_s']:>9.1f}{p['listings_per_s']:>8.1f}"
            f"{p['noop_seconds']:>8.1f}{p['noop_pages_per_s']:>9.1f}"
        )
    say(
        f"all: {r['listings']} listings, {r['pages']} pages in {r['seconds']} s"
        f" = {r['pages_per_s']} pages/s, {r['listings_per_s']} listings/s"
        f" (crawler CPU {r['crawler_cpu_s']} s, replica and runner CPU"
        f" {r['bench_process_cpu_s']} s)"
    )
    say(
        f"no-op: {r['noop_pages']} pages in {r['noop_seconds']} s"
        f" = {r['noop_pages_per_s']} pages/s (crawler CPU {r['noop_crawler_cpu_s']}"
        f" s, replica and runner CPU {r['noop_bench_process_cpu_s']} s)"
    )
    say(
        f"crawl ratio {r['ratio']} (CPU ratio {r['cpu_ratio']}; goal {r['goal']}):"
        f" {_met(r['goal_met'])}"
    )


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"
