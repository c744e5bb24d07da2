"""Test helpers: saved pages as Scrapy responses, expected items, normalized output."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from monitor import i18n
from monitor.config import Config, load_config
from monitor.digest.render import one_line
from monitor.digest.shapes import parse_time
from spiders.items import EXTRA_FIELDS
from spiders.pipelines import NormalizePipeline

FIXTURES = Path(__file__).parent / "fixtures"  # expected.json: what the samples hold
SAMPLES = Path(__file__).parent.parent / "replica" / "data"  # what the replica serves
PREFIX_BASE = "http://127.0.0.1:8400"


def base_url(slug: str) -> str:
    """The prefix-mode replica base the samples and expected.json assume."""
    return f"{PREFIX_BASE}/{slug}"


def fixture_response(slug: str, name: str, url: str, meta: dict | None = None):
    """A saved sample page as the response to ``url`` (HTML or JSON by suffix)."""
    body = (SAMPLES / slug / name).read_bytes()
    request = Request(url, meta=meta or {})
    cls = HtmlResponse if name.endswith(".html") else TextResponse
    headers = {"Content-Type": "application/json"} if name.endswith(".json") else {}
    return cls(url, body=body, encoding="utf-8", request=request, headers=headers)


def expected(slug: str) -> dict:
    """The platform's expected.json."""
    return json.loads((FIXTURES / slug / "expected.json").read_text("utf-8"))


def expected_item(slug: str, listing_id: str) -> dict:
    return next(i for i in expected(slug)["items"] if i["listing_id"] == listing_id)


def make_spider(cls, slug: str, base: str | None = None):
    """A spider bound to a throwaway crawler (stats available), on the prefix base
    unless ``base`` is given."""
    crawler = get_crawler(cls)
    spider = cls.from_crawler(crawler, base_url=base or base_url(slug))
    crawler.spider = spider
    return spider


def stat(spider, key: str):
    """A stats value of the spider's crawler, 0 when never set."""
    return spider.crawler.stats.get_value(key, 0)


def start_requests(spider) -> list:
    """Everything the spider's ``async start()`` yields."""

    async def collect():
        return [request async for request in spider.start()]

    return asyncio.run(collect())


# An edit of a sample's text: ``(old, new)`` with ``old`` a literal or a compiled
# pattern (``new`` then as in ``re.sub``), or a function of the whole text.
Edit = tuple[str | re.Pattern, str | Callable] | Callable[[str], str]


def rewrite(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with the edits applied in order; each must change it, so that a
    sample that drifted from what the edit expects fails loudly."""
    for edit in edits:
        if callable(edit):
            edited = edit(text)
        elif isinstance(edit[0], re.Pattern):
            edited = edit[0].sub(edit[1], text)
        else:
            edited = text.replace(*edit)
        assert edited != text, f"{edit!r} does not apply"
        text = edited
    return text


def variant(response, edits: Iterable[Edit]):
    """The response with its body rewritten by ``edits``."""
    return response.replace(body=rewrite(response.text, edits))


def truncated(response, fraction: float):
    """The response cut to the first ``fraction`` of its body's bytes."""
    return response.replace(body=response.body[: int(len(response.body) * fraction)])


def move_column(text: str, source: int, target: int) -> str:
    """Move HTML table column ``source`` to index ``target``, head and rows."""

    def move(match):
        cells = re.findall(r"<t[hd][^>]*>.*?</t[hd]>", match.group(0))
        cells.insert(target, cells.pop(source))
        return "<tr>" + "".join(cells) + "</tr>"

    return re.sub(r"<tr><t[hd].*?</tr>", move, text)


def normalized(raw_items) -> list[dict]:
    """Run raw spider items through the normalize pipeline; drop the extra keys."""
    pipe = NormalizePipeline()
    out = []
    for raw in raw_items:
        item = pipe.process_item(raw)
        out.append({k: v for k, v in item.items() if k not in EXTRA_FIELDS})
    return out


def stored_item(listing_id: str, platform: str = "tokopedia", **fields) -> dict:
    """A normalized item as the store pipeline receives it (a single training
    payable with Kartu Prakerja unless ``fields`` say otherwise)."""
    base = {
        "platform": platform,
        "listing_id": listing_id,
        "url": f"{PREFIX_BASE}/{platform}/kartu-prakerja/pelatihan/{listing_id}",
        "title": f"Kelas {listing_id}",
        "provider": "LPK Maju",
        "price_idr": 100000,
        "list_price_idr": None,
        "bundle_label": None,
        "bundle_keywords": [],
        "components": [],
        "payment_methods": ["Kartu Prakerja", "OVO"],
        "payment_channels": ["kartu_prakerja", "ovo"],
        "prakerja_payment": True,
        "prakerja_evidence": ["payment_method:Kartu Prakerja"],
        "available": True,
        "category": "Bisnis",
        "rating": 4.5,
        "rating_count": 10,
    }
    return {**base, **fields}


# Formatting helpers only the tests use (the digest formats through i18n).
def format_idr(value) -> str:
    """Rupiah as shown in Indonesia: 1500000 -> "Rp1.500.000"; None -> "-"."""
    return i18n.format_idr(value, "id")


def format_time(value) -> str:
    """ "2020-07-15T10:00:00+07:00" -> "2020-07-15 10:00 +07:00" (offset kept)."""
    if value is None:
        return "-"
    try:
        moment = value if isinstance(value, datetime) else parse_time(value)
    except (TypeError, ValueError):
        return one_line(value)
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    offset = moment.strftime("%z")
    return moment.strftime("%Y-%m-%d %H:%M ") + f"{offset[:3]}:{offset[3:5]}"


def config_in(folder: Path) -> Config:
    """The default configuration (no environment) with its database, outbox and
    evidence folder under ``folder``."""
    config = load_config(env={})
    config.data.update(
        database=str(folder / "p.db"),
        outbox=str(folder / "outbox"),
        evidence_dir=str(folder / "evidence"),
    )
    return config
