"""history: versioned listings in SQLite, ours against git-history, same snapshots.

Ten snapshots of 10,000 listings (1% of them changed between snapshots) are
written as JSON files (one item per line) and committed, one commit each, to a
git repository. The same snapshots are loaded

* by ``git-history file DB repo/listings.json --id listing_id`` (the tool people
  use to keep versioned rows in SQLite: one row per changed item per commit, the
  changed columns only, no record of which item was in which commit), and
* by our storage: ``save_listings`` per snapshot in batches of 500, a crawl row
  each, membership kept (a sighting per listing per snapshot, so removals can be
  answered),

each in its own process (``bench.history_phase``: seconds, peak RSS, database
bytes after a WAL checkpoint). Then both databases are asked the same question,
the versions of a listing (every field of each distinct version, oldest first),
for the listings that changed most and a sample of the others; the answers must
be identical. ratio = git-history seconds / ours (goal >= 30, with fewer bytes
and a peak bounded by the batch).
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from bench.common import load_average, rate, run_json, say, write_result
from storage import fs
from storage.migrations import FACT_COLUMNS

DEFAULT_SIZE, SNAPSHOTS, CHANGED = 10_000, 10, 0.01
GOAL_RATIO = 30.0
JSON_FIELDS = {"bundle_keywords", "components", "payment_methods", "payment_channels"}
JSON_FIELDS |= {"prakerja_evidence"}
TOPICS = ("Excel", "Barista", "Desain Grafis", "Menjahit", "Bahasa Inggris", "Python")


def listing(i: int, rng: random.Random) -> dict:
    bundle = i % 20 == 0
    payable = rng.random() < 0.7
    price = 50_000 + rng.randrange(200) * 5_000
    return {
        "platform": "tokopedia",
        "listing_id": str(1_200_000_000 + i),
        "url": f"https://www.tokopedia.com/kartu-prakerja/pelatihan/{i}",
        "title": ("Paket Hemat " if bundle else "Kelas ") + f"{rng.choice(TOPICS)} {i}",
        "provider": f"LPK {rng.choice('ABCDEFG')}",
        "price_idr": price,
        "list_price_idr": price * 2 if bundle else None,
        "bundle_label": "Paket Bundling" if bundle else None,
        "bundle_keywords": ["Paket Hemat"] if bundle else [],
        "components": [f"{t} Dasar" for t in rng.sample(TOPICS, 3)] if bundle else [],
        "payment_methods": ["Kartu Prakerja", "OVO"] if payable else ["OVO"],
        "payment_channels": ["kartu_prakerja", "ovo"] if payable else ["ovo"],
        "prakerja_payment": payable,
        "prakerja_evidence": ["payment_method:Kartu Prakerja"] if payable else [],
        "available": True,
        "category": rng.choice(("Bisnis", "Teknologi", "Kuliner")),
        "rating": round(3.5 + rng.randrange(15) / 10, 1),
        "rating_count": rng.randrange(500),
    }


def change(item: dict, rng: random.Random) -> None:
    """One plausible edit: a new price, a payment dropped, out of stock, a title."""
    what = rng.randrange(4)
    if what == 0:
        item["price_idr"] += 25_000
    elif what == 1 and item["prakerja_payment"]:
        item.update(payment_methods=["OVO"], payment_channels=["ovo"])
        item.update(prakerja_payment=False, prakerja_evidence=[])
    elif what == 2:
        item["available"] = not item["available"]
    else:
        item["title"] += " (Baru)"
    item["rating_count"] += 1


def write_snapshots(folder: Path, size: int, seed: int = 1) -> dict:
    """The snapshot files and their git repository; returns counts."""
    rng = random.Random(seed)
    items = [listing(i, rng) for i in range(size)]
    repo, snaps = folder / "repo", folder / "snapshots"
    repo.mkdir()
    snaps.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=b@x"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    changes = 0
    for n in range(SNAPSHOTS):
        if n:
            for item in rng.sample(items, int(size * CHANGED)):
                change(item, rng)
                changes += 1
        text = "[\n" + ",\n".join(json.dumps(i, ensure_ascii=False) for i in items)
        text += "\n]\n"
        (snaps / f"{n:02d}.json").write_text(text, encoding="utf-8")
        (repo / "listings.json").write_text(text, encoding="utf-8")
        subprocess.run([*git, "add", "listings.json"], check=True)
        date = f"2020-07-{n + 1:02d}T10:00:00+07:00"
        subprocess.run(
            [*git, "commit", "-q", "-m", f"snapshot {n}", "--date", date],
            check=True,
            env={"GIT_COMMITTER_DATE": date, "PATH": "/usr/bin:/bin"},
        )
    return {"listings": size, "snapshots": SNAPSHOTS, "changes": changes}


def _value(column: str, value):
    if column in JSON_FIELDS and isinstance(value, str):
        return json.loads(value)
    return value


def ours_versions(path: Path, listing_id: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        f"SELECT {', '.join('v.' + c for c in FACT_COLUMNS)} FROM listing_versions v"
        " JOIN listings l ON l.id = v.listing_key WHERE l.listing_id = ?"
        " ORDER BY v.first_crawl_id, v.id",
        [listing_id],
    ).fetchall()
    conn.close()
    return [
        tuple(_value(c, v) for c, v in zip(FACT_COLUMNS, r, strict=True)) for r in rows
    ]


def git_history_versions(path: Path, listing_id: str) -> list[tuple]:
    """Full versions rebuilt from git-history's changed-columns-only rows."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    rows = conn.execute(
        "SELECT d.* FROM item_version_detail d JOIN item i ON i._id = d._item"
        " WHERE i.listing_id = ? ORDER BY d._version",
        [listing_id],
    ).fetchall()
    conn.close()
    state, out = {}, []
    for row in rows:
        for column in json.loads(row["_changed_columns"]):
            state[column] = row[column]
        out.append(tuple(_value(c, state.get(c)) for c in FACT_COLUMNS))
    return out


def same_history(folder: Path, ours_db: Path, gh_db: Path, size: int) -> dict:
    conn = sqlite3.connect(ours_db)
    most = [
        r[0]
        for r in conn.execute(
            "SELECT l.listing_id FROM listing_versions v JOIN listings l"
            " ON l.id = v.listing_key GROUP BY v.listing_key"
            " ORDER BY count(*) DESC, l.listing_id LIMIT 20"
        )
    ]
    conn.close()
    sample = [str(1_200_000_000 + i) for i in range(0, size, max(1, size // 30))]
    checked, differ, versions = 0, [], 0
    for lid in dict.fromkeys(most + sample):
        a, b = ours_versions(ours_db, lid), git_history_versions(gh_db, lid)
        checked += 1
        versions += len(a)
        if a != b:
            differ.append(lid)
    return {
        "listings_checked": checked,
        "versions_compared": versions,
        "differ": differ,
        "identical": not differ and versions > checked,
    }


def run(size: int | None = None, repeat: int | None = None) -> dict:
    size, load_at_start = size or DEFAULT_SIZE, load_average()
    repeat = repeat or 3
    say(f"history: {SNAPSHOTS} snapshots of {size} listings, {CHANGED:.0%} changed")
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        folder = Path(tmp)
        data = write_snapshots(folder, size)
        rows = size * SNAPSHOTS
        runs = []
        for _ in range(repeat):
            for name in ("ours.db", "ours.db-wal", "ours.db-shm"):
                fs.remove_file(folder / name, within=folder)
            runs.append(run_json(["bench.history_phase", "ours", tmp]))
            say(f"  ours        {runs[-1]['seconds']:>8.2f} s  {runs[-1]}")
        ours = dict(min(runs, key=lambda r: r["seconds"]))
        ours["all_seconds"] = [r["seconds"] for r in runs]
        ours["peak_delta_mb"] = max(r["peak_delta_mb"] for r in runs)
        gh = run_json(["bench.history_phase", "git-history", tmp], timeout=3600)
        say(f"  git-history {gh['seconds']:>8.2f} s  {gh}")
        answer = same_history(folder, Path(ours["db"]), Path(gh["db"]), size)
    for side in (ours, gh):
        side["rows_per_s"] = rate(rows, side["seconds"])
        side.pop("db")
    ratio = gh["seconds"] / ours["seconds"]
    result = {
        "size": size,
        "data": data,
        "ours": ours,
        "git_history": gh,
        "same_versions": answer,
        "ratio": round(ratio, 2),
        "ratio_means": "git-history seconds / ours, higher is better",
        "bytes_ratio": round(gh["db_bytes"] / ours["db_bytes"], 2),
        "goal": f">= {GOAL_RATIO:g}x faster, fewer bytes, same versions",
        "goal_met": ratio >= GOAL_RATIO
        and ours["db_bytes"] < gh["db_bytes"]
        and answer["identical"],
        "load_average_at_start": load_at_start,
    }
    say(
        f"ours {ours['seconds']:.2f} s ({ours['rows_per_s']} rows/s, peak"
        f" +{ours['peak_delta_mb']} MB, {ours['db_bytes'] / 1e6:.1f} MB) vs git-history"
        f" {gh['seconds']:.1f} s ({gh['rows_per_s']} rows/s, peak"
        f" +{gh['peak_delta_mb']} MB, {gh['db_bytes'] / 1e6:.1f} MB): ratio"
        f" {result['ratio']}, same versions: {answer['identical']}:"
        f" {'met' if result['goal_met'] else 'MISSED'}"
    )
    write_result("history", result)
    return result
