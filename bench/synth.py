"""Two synthetic complete crawls of one platform, written straight into the schema.

The bulk path: the schema comes from ``storage.db.open_db`` (the migrations), then
rows go into ``crawls``, ``listings``, ``listing_versions``, ``sightings``,
``judgments``, ``findings`` and ``finding_events`` with ``executemany``, exactly as
``save_listings`` and a finished ``check`` would leave them: fact columns
through ``storage.snapshots.fact_row``, one version per distinct
set of facts, one sighting per listing and crawl (no evidence: ``warc_offset`` and
``payload_id`` are NULL), judgments from ``storage.classifier.classify`` and findings
from ``monitor.judge.rules.evaluate``. The file is written with journal and sync off,
then switched to WAL as ``open_db`` leaves it.

Crawl 1 is the previous, already checked crawl of ``n`` listings; crawl 2 the new
one, unchecked: 10% of the listings changed (price; one in ten of those also
dropped Kartu Prakerja, one in ten turned unavailable), 1% removed, 1% added.
About 5% of the listings are bundles, a fifth of them payable with Kartu Prakerja.
"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

from monitor.judge import rules
from storage import fs
from storage.classifier import CLASSIFIER_VERSION, classify
from storage.db import open_db
from storage.migrations import FACT_COLUMNS
from storage.snapshots import _json, fact_row

PLATFORM = "tokopedia"
OLD, NEW = 1, 2
OBSERVED = {OLD: "2020-07-01T10:00:00+07:00", NEW: "2020-07-08T10:00:00+07:00"}
TEMPLATES = 2000
PAYABLE = ["Kartu Prakerja", "BCA Virtual Account", "Mandiri Virtual Account", "OVO"]
NOT_PAYABLE = ["BCA Virtual Account", "Mandiri Virtual Account", "OVO", "Kartu Kredit"]
CHANNELS = {True: ["bank_transfer", "kartu_prakerja", "ovo"]}
CHANNELS[False] = ["bank_transfer", "credit_card", "ovo"]
JSON_METHODS = {True: _json(PAYABLE), False: _json(NOT_PAYABLE)}
JSON_CHANNELS = {k: _json(v) for k, v in CHANNELS.items()}
JSON_EVIDENCE = {True: _json(["payment_method:Kartu Prakerja"]), False: "[]"}
TOPICS = (
    "Microsoft Excel",
    "Digital Marketing",
    "Desain Grafis",
    "Menjahit Pakaian",
    "Barista Kopi",
    "Bahasa Inggris",
    "Akuntansi Dasar",
    "Fotografi Produk",
    "Public Speaking",
    "Pemrograman Python",
    "Tata Rias Pengantin",
    "Budidaya Ikan Lele",
)
LEVELS = ("Dasar", "Menengah", "Mahir", "Praktis", "Lengkap", "untuk Pemula")
AUDIENCES = ("UMKM", "Karyawan", "Wirausaha", "Fresh Graduate", "Ibu Rumah Tangga")
PROVIDERS = tuple(f"LPK {a} {b}" for a in ("Prima", "Cerdas", "Maju") for b in "ABCD")
CATEGORIES = ("Perkantoran", "Pemasaran", "Kuliner", "Keterampilan", "Teknologi")


def templates(seed: int) -> list[dict]:
    """Distinct listing shapes: titles, components, payment, and their judgment."""
    rng = random.Random(f"{seed}/templates")
    out = []
    for k in range(TEMPLATES):
        topic, level = rng.choice(TOPICS), rng.choice(LEVELS)
        bundle = k % 20 == 0
        payable = k % 100 == 0 if bundle else rng.random() < 0.6
        t = {
            "title": f"{topic} {level} untuk {rng.choice(AUDIENCES)} {k}",
            "provider": rng.choice(PROVIDERS),
            "category": rng.choice(CATEGORIES),
            "bundle_label": None,
            "bundle_keywords": [],
            "components": [],
            "payable": payable,
        }
        if bundle:
            parts = rng.sample(TOPICS, 3)
            t["title"] = f"Paket Hemat {topic}: {', '.join(parts)} {k}"
            t["bundle_label"] = "Paket Bundling"
            t["bundle_keywords"] = ["Paket Hemat"]
            t["components"] = [f"{p} {rng.choice(LEVELS)}" for p in parts]
        t["json"] = {k: _json(t[k]) for k in ("bundle_keywords", "components")}
        judged = classify(t)
        t["is_bundle"], t["reasons"] = judged.is_bundle, judged.reasons
        t["reasons_json"] = json.dumps(judged.reasons, ensure_ascii=False)
        out.append(t)
    return out


def item(templates_: list[dict], i: int, crawl: int) -> dict:
    """The normalized item of listing ``i`` as crawl ``crawl`` saw it."""
    t = templates_[(i * 2654435761 >> 11) % TEMPLATES]  # unrelated to i % 100
    listing_id = str(1_100_000_000 + i)
    changed = crawl == NEW and i % 10 == 3
    payable = t["payable"] and not (changed and i % 100 == 13)
    price = 50_000 + (i * 37 % 200) * 5_000 + (25_000 if changed else 0)
    return {
        "listing_id": listing_id,
        "url": f"https://www.tokopedia.com/kartu-prakerja/pelatihan/{listing_id}",
        "title": t["title"],
        "provider": t["provider"],
        "price_idr": price,
        "list_price_idr": price * 2 if t["components"] else None,
        "bundle_label": t["bundle_label"],
        "bundle_keywords": t["bundle_keywords"],
        "components": t["components"],
        "payment_methods": PAYABLE if payable else NOT_PAYABLE,
        "payment_channels": CHANNELS[payable],
        "prakerja_payment": payable,
        "prakerja_evidence": ["payment_method:Kartu Prakerja"] if payable else [],
        "available": not (changed and i % 100 == 23),
        "category": t["category"],
        "rating": round(3.5 + (i % 15) / 10, 1),
        "rating_count": i % 500,
        "template": t,
    }


def facts_of(it: dict) -> tuple:
    """``fact_row(it)`` with the JSON columns encoded once per template (faster)."""
    t, payable = it["template"], it["prakerja_payment"]
    encoded = t["json"]
    return (
        it["url"],
        it["title"],
        it["provider"],
        it["price_idr"],
        it["list_price_idr"],
        it["bundle_label"],
        encoded["bundle_keywords"],
        encoded["components"],
        JSON_METHODS[payable],
        JSON_CHANNELS[payable],
        int(payable),
        JSON_EVIDENCE[payable],
        int(it["available"]),
        it["category"],
        it["rating"],
        it["rating_count"],
    )


def removed(i: int) -> bool:
    return i % 100 == 7


def build(path: str | Path, n: int, seed: int = 1) -> dict:
    """Write the two crawls into a new database at ``path``; returns the counts."""
    path = Path(path)
    conn = _bulk_connection(path)
    shapes = templates(seed)
    added = range(n, n + n // 100)
    old_ids = [i for i in range(n)]
    new_ids = [i for i in range(n) if not removed(i)] + list(added)
    _write_crawls(conn, old_ids, new_ids)
    conn.executemany(
        "INSERT INTO listings (id, platform, listing_id, url, first_seen_at,"
        " last_seen_at, first_crawl_id, last_crawl_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (_listing_row(i, n) for i in range(n + len(added))),
    )
    # Crawl 1's version of listing i is version i + 1; new versions follow.
    fresh = [i for i in range(n) if i % 10 == 3 and not removed(i)] + list(added)
    new_version = {i: n + 1 + k for k, i in enumerate(fresh)}
    judgments, findings = [], []
    columns = ", ".join(FACT_COLUMNS)
    marks = ", ".join("?" * (3 + len(FACT_COLUMNS)))
    conn.executemany(
        f"INSERT INTO listing_versions (id, listing_key, first_crawl_id,"
        f" {columns}) VALUES ({marks})",
        _versions(shapes, n, fresh, judgments, findings),
    )
    _write_sightings(conn, old_ids, new_ids, new_version)
    conn.executemany(
        "INSERT INTO judgments (version_id, classifier_version, is_bundle,"
        " bundle_reasons) VALUES (?, ?, ?, ?)",
        judgments,
    )
    _write_findings(conn, findings)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    return {
        "old_listings": len(old_ids),
        "new_listings": len(new_ids),
        "changed": len(fresh) - len(added),
        "removed": n - sum(1 for i in range(n) if not removed(i)),
        "added": len(added),
        "versions": n + len(fresh),
        "open_findings": len(findings),
        "bytes": path.stat().st_size,
    }


def _bulk_connection(path: Path) -> sqlite3.Connection:
    """A new migrated database at ``path``, open with journal and sync off, in BEGIN."""
    for suffix in ("", "-wal", "-shm"):
        fs.remove_file(f"{path}{suffix}", within=path.parent)
    open_db(path).close()
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    return conn


def _write_crawls(conn, old_ids: list[int], new_ids: list[int]) -> None:
    """The two complete crawls' rows; only crawl 1 is checked."""
    for crawl, ids in ((OLD, old_ids), (NEW, new_ids)):
        conn.execute(
            "INSERT INTO crawls (id, platform, started_at, finished_at, observed_at,"
            " status, finish_reason, items, pages, base_url, pid, checked_at)"
            " VALUES (?, ?, ?, ?, ?, 'complete', 'finished', ?, ?, ?, 1, ?)",
            [
                crawl,
                PLATFORM,
                OBSERVED[crawl],
                OBSERVED[crawl],
                OBSERVED[crawl],
                len(ids),
                len(ids),
                "https://www.tokopedia.com",
                OBSERVED[crawl] if crawl == OLD else None,
            ],
        )


def _write_sightings(conn, old_ids, new_ids, new_version: dict[int, int]) -> None:
    """One sighting per listing and crawl; crawl 2 sees a changed one's new version."""
    conn.executemany(
        "INSERT INTO sightings (crawl_id, listing_key, version_id) VALUES (?, ?, ?)",
        ((OLD, i + 1, i + 1) for i in old_ids),
    )
    conn.executemany(
        "INSERT INTO sightings (crawl_id, listing_key, version_id) VALUES (?, ?, ?)",
        ((NEW, i + 1, new_version.get(i, i + 1)) for i in new_ids),
    )


def _listing_row(i: int, n: int) -> tuple:
    first, last = (NEW, NEW) if i >= n else (OLD, OLD if removed(i) else NEW)
    listing_id = str(1_100_000_000 + i)
    url = f"https://www.tokopedia.com/kartu-prakerja/pelatihan/{listing_id}"
    return (
        i + 1,
        PLATFORM,
        listing_id,
        url,
        OBSERVED[first],
        OBSERVED[last],
        first,
        last,
    )


def _versions(shapes, n, fresh, judgments, findings):
    """Version rows: crawl 1's (judged, findings opened), then crawl 2's new ones."""
    settings, violation = rules.RuleSettings(), {}
    for i in range(n):
        old = item(shapes, i, OLD)
        yield _version_row(i + 1, i, OLD, old)
        t = old["template"]
        verdict = (CLASSIFIER_VERSION, int(t["is_bundle"]), t["reasons_json"])
        judgments.append((i + 1, *verdict))
        key = (t["is_bundle"], old["prakerja_payment"], old["available"])
        if key not in violation:  # the rule reads only these (and constants)
            row = {**old, "platform": PLATFORM, "observed_at": OBSERVED[OLD]}
            outcome = rules.evaluate(rules.BUNDLE_AFTER_HALT, row, key[0], settings)
            violation[key] = outcome.is_violation
        if violation[key]:
            findings.append((old["listing_id"], i + 1))
    for k, i in enumerate(fresh):
        yield _version_row(n + 1 + k, i, NEW, item(shapes, i, NEW))


def _version_row(vid: int, i: int, crawl: int, it: dict) -> tuple:
    facts = facts_of(it)
    if i < 1000:  # the fast path must store what storage would
        assert facts == fact_row(it), (facts, fact_row(it))
    return (vid, i + 1, crawl, *facts)


def _write_findings(conn, findings: list[tuple[str, int]]) -> None:
    rule, at = rules.BUNDLE_AFTER_HALT, OBSERVED[OLD]
    conn.executemany(
        "INSERT INTO findings (id, platform, listing_id, rule, rule_version, status,"
        " opened_at, last_seen_at, first_crawl_id, last_crawl_id, version_id)"
        " VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)",
        (
            (k, PLATFORM, lid, rule.id, rule.version, at, at, OLD, OLD, vid)
            for k, (lid, vid) in enumerate(findings, start=1)
        ),
    )
    conn.executemany(
        "INSERT INTO finding_events (finding_id, kind, at, crawl_id)"
        " VALUES (?, 'opened', ?, ?)",
        ((k, at, OLD) for k in range(1, len(findings) + 1)),
    )
