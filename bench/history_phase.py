"""One side of the history benchmark in a fresh process, for a clean peak RSS.

``python -m bench.history_phase git-history|ours FOLDER`` loads the snapshots in
FOLDER (``repo/listings.json`` committed once per snapshot; the same files kept
as ``snapshots/NN.json``) and prints one JSON line: seconds, peak RSS before and
after, database bytes.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.common import file_bytes, peak_rss_mb, reset_peak_rss, rss_mb

PLATFORM = "tokopedia"
BATCH = 500  # spiders.settings.PRAKERJA_STORE_BATCH


def load_git_history(folder: Path) -> Path:
    from git_history.cli import cli

    db = folder / "git-history.db"
    args = ["file", str(db), str(folder / "repo" / "listings.json")]
    args += ["--repo", str(folder / "repo"), "--id", "listing_id", "--silent"]
    cli.main(args, standalone_mode=False)
    return db


def batches(path: Path, size: int = BATCH):
    """Items of a snapshot file written one per line (``bench.history`` does),
    ``size`` at a time: each batch's lines are decoded as one JSON array (one
    ``json.loads`` per batch, not per line), so memory stays bounded by the batch."""
    with path.open(encoding="utf-8") as lines:
        chunk = []
        for line in lines:
            line = line.strip().rstrip(",")
            if line.startswith("{"):
                chunk.append(line)
                if len(chunk) >= size:
                    yield json.loads("[" + ",".join(chunk) + "]")
                    chunk = []
        if chunk:
            yield json.loads("[" + ",".join(chunk) + "]")


def load_ours(folder: Path) -> Path:
    from storage import snapshots
    from storage.db import open_db

    db_path = folder / "ours.db"
    db = open_db(db_path)
    for n, path in enumerate(sorted((folder / "snapshots").glob("*.json"))):
        crawl = snapshots.start_crawl(db, PLATFORM, observed_at=_at(n))
        count = sum(snapshots.save_listings(db, crawl, b) for b in batches(path))
        snapshots.finish_crawl(db, crawl, "complete", "finished", count, 1, 0, [])
    db.close()
    return db_path


def _at(n: int) -> str:
    return f"2020-07-{n + 1:02d}T10:00:00+07:00"


def main(argv: list[str] | None = None) -> int:
    side, folder = (argv or sys.argv[1:])[:2]
    folder = Path(folder)
    load = {"git-history": load_git_history, "ours": load_ours}[side]
    if side == "git-history":
        import git_history.cli  # noqa: F401
    else:
        import storage.snapshots  # noqa: F401
    reset_peak_rss()
    before = rss_mb()
    started = time.perf_counter()
    db = load(folder)
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    out = {
        "side": side,
        "seconds": round(seconds, 3),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak, 1),
        "peak_delta_mb": round(peak - before, 1),
        "db_bytes": file_bytes(db),
        "db": str(db),
    }
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
