"""archive: WARC bytes per listing of a first crawl and of an unchanged recrawl.

``python -m bench archive [--size 1900]`` (or ``python -m bench.archive``): the
replica (one clock) is crawled twice through the real chain (``CrawlRunner``,
eight platforms, evidence on); each crawl's archive file is measured per platform.
An unchanged recrawl writes a compact ``revisit`` record per page instead of
request + response.
ratio = recrawl bytes / first crawl bytes (goal <= 0.25).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.common import load_average, say, write_result
from monitor.config import SLUGS
from monitor.run.crawl import CrawlRunner
from replica.server import start_replica
from storage.db import open_db

AS_OF = "2020-07-08"
DEFAULT_SIZE = 1900
GOAL = 0.25


def archive_bytes(db_path: Path) -> dict[int, dict]:
    """Per crawl: platform, items, archive file bytes and records by type."""
    db = open_db(db_path)
    try:
        out = {}
        for crawl in db.query("SELECT id, platform, items, warc_path FROM crawls"):
            types = dict(
                db.execute(
                    "SELECT type, count(*) FROM archive_records WHERE crawl_id = ?"
                    " GROUP BY type",
                    [crawl["id"]],
                ).fetchall()
            )
            size = Path(crawl["warc_path"]).stat().st_size if crawl["warc_path"] else 0
            out[crawl["id"]] = {**crawl, "bytes": size, "records": types}
        return out
    finally:
        db.close()


def measure(size: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp, start_replica(size=size) as replica:
        folder = Path(tmp)
        replica.set_clock(AS_OF)
        db = folder / "archive.db"
        runner = CrawlRunner(
            str(db),
            base_urls=replica.base_urls,
            now=f"{AS_OF}T10:00:00+07:00",
            parallel=2,
            evidence_dir=str(folder / "evidence"),
        )
        first = runner.run(list(SLUGS))
        second = runner.run(list(SLUGS))
        crawls = archive_bytes(db)
    per_platform = {}
    for a, b in zip(first, second, strict=True):
        one, two = crawls[a.crawl_id], crawls[b.crawl_id]
        per_platform[a.platform] = {
            "items": one["items"],
            "first_bytes": one["bytes"],
            "recrawl_bytes": two["bytes"],
            "first_per_listing": round(one["bytes"] / max(1, one["items"]), 1),
            "recrawl_per_listing": round(two["bytes"] / max(1, two["items"]), 1),
            "first_records": one["records"],
            "recrawl_records": two["records"],
            "ratio": round(two["bytes"] / max(1, one["bytes"]), 3),
        }
    total_first = sum(p["first_bytes"] for p in per_platform.values())
    total_second = sum(p["recrawl_bytes"] for p in per_platform.values())
    items = sum(p["items"] for p in per_platform.values())
    return {
        "size": size,
        "listings": items,
        "first_bytes": total_first,
        "recrawl_bytes": total_second,
        "first_per_listing": round(total_first / max(1, items), 1),
        "recrawl_per_listing": round(total_second / max(1, items), 1),
        "ratio": round(total_second / max(1, total_first), 3),
        "ratio_means": "WARC bytes of an unchanged recrawl / of the first crawl,"
        " lower is better",
        "goal": f"<= {GOAL}",
        "goal_met": total_second / max(1, total_first) <= GOAL,
        "platforms": per_platform,
    }


def run(size: int | None = None, repeat: int | None = None) -> dict:
    """The benchmark as ``python -m bench archive`` runs it (``repeat`` unused:
    byte counts do not vary between runs)."""
    size, load_at_start = size or DEFAULT_SIZE, load_average()
    say(f"archive: replica of {size} listings crawled twice, WARC bytes of each")
    result = measure(size)
    result["load_average_at_start"] = load_at_start
    for slug, p in result["platforms"].items():
        say(
            f"{slug:<14} {p['items']:>6} listings  first {p['first_per_listing']:>7}"
            f" B/listing  recrawl {p['recrawl_per_listing']:>6} B/listing"
            f"  ratio {p['ratio']}"
        )
    say(
        f"all: first {result['first_bytes']} B ({result['first_per_listing']}"
        f" B/listing), unchanged recrawl {result['recrawl_bytes']} B"
        f" ({result['recrawl_per_listing']} B/listing): ratio {result['ratio']}"
        f" (goal <= {GOAL})"
    )
    write_result("archive", result)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.archive")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE)
    return 0 if run(parser.parse_args(argv).size)["goal_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
