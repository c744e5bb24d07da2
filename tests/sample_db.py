"""A small database made through storage and check: two platforms, trusted and
untrusted crawls, open findings with evidence, and hostile scraped text."""

from __future__ import annotations

from pathlib import Path

from helpers import stored_item

from monitor.config import load_config
from monitor.judge.check import check_all
from storage import snapshots as s
from storage.db import open_db

HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_PROVIDER = '"><img src=x onerror=alert(2)>'
HOSTILE_URL = "javascript:alert(3)"
HOSTILE_CLASS = "</td><b>bold</b>"
SHA = "ab" * 32
BUNDLE = {"components": ["Kelas A", "Kelas B", "Kelas C"], "bundle_label": "Paket"}
# open findings per platform, and the titles of the open tokopedia findings
OPEN = {"tokopedia": 2, "bukalapak": 1}
TOKOPEDIA_TITLES = ("Paket Barista Lengkap (3 Kelas)", HOSTILE_TITLE)
REASON = "only 40% of the items had a price"


def item(platform: str, listing_id: str, **fields) -> dict:
    return stored_item(
        listing_id,
        platform,
        **{
            "url": f"http://127.0.0.1:8400/{platform}/kelas/{listing_id}",
            "price_idr": 150000,
            "evidence": {"offset": 1000 + int(listing_id), "sha256": SHA},
            **fields,
        },
    )


def tokopedia_items() -> list[dict]:
    return [
        item(
            "tokopedia",
            "1",
            title=TOKOPEDIA_TITLES[0],
            price_idr=900000,
            list_price_idr=1500000,
            **BUNDLE,
        ),
        item(
            "tokopedia",
            "2",
            title=HOSTILE_TITLE,
            provider=HOSTILE_PROVIDER,
            url=HOSTILE_URL,
            components=["Kelas A", HOSTILE_CLASS, "Kelas C"],
            bundle_label="Paket",
        ),
        item("tokopedia", "3"),
        item("tokopedia", "4", prakerja_payment=False, **BUNDLE),
    ]


def crawl(db, cfg, platform, day, items, status="complete", health=()):
    now = f"2020-{day}T10:00:00+07:00"
    cid = s.start_crawl(db, platform, observed_at=now)
    s.save_listings(db, cid, items)
    warc = f"/evidence/{platform}/crawl-{cid}.warc.gz"
    reason = "finished" if status != "failed" else "crashed"
    s.finish_crawl(
        db, cid, status, reason, len(items), 3, 0, list(health), warc_path=warc
    )
    check_all(db, cfg, probe=lambda url: False)
    return cid


def build_sample_db(path: str | Path) -> Path:
    """Tokopedia: complete crawls on 06-29, 07-02 and 07-08, an incomplete one on
    07-05; Bukalapak: complete on 07-02, failed on 07-05."""
    cfg = load_config(env={})
    db = open_db(path)
    try:
        toko = tokopedia_items()
        crawl(db, cfg, "tokopedia", "06-29", toko)
        crawl(db, cfg, "tokopedia", "07-02", toko)
        health = [{"code": "coverage", "message": REASON}]
        crawl(db, cfg, "tokopedia", "07-05", toko[:1], "incomplete", health)
        crawl(db, cfg, "tokopedia", "07-08", toko)
        bl = [item("bukalapak", "7", **BUNDLE), item("bukalapak", "8")]
        crawl(db, cfg, "bukalapak", "07-02", bl)
        crashed = [{"code": "crashed", "message": "the spider raised KeyError"}]
        crawl(db, cfg, "bukalapak", "07-05", [], "failed", crashed)
    finally:
        db.close()
    return Path(path)
