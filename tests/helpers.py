"""Test helpers: saved pages as Scrapy responses, expected items, normalized output."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from spiders.items import EXTRA_FIELDS
from spiders.pipelines import NormalizePipeline

FIXTURES = Path(__file__).parent / "fixtures"
PREFIX_BASE = "http://127.0.0.1:8400"


def base_url(slug: str) -> str:
    """The prefix-mode replica base the samples and expected.json assume."""
    return f"{PREFIX_BASE}/{slug}"


def fixture_response(slug: str, name: str, url: str, meta: dict | None = None):
    """A saved sample page as the response to ``url`` (HTML or JSON by suffix)."""
    body = (FIXTURES / slug / name).read_bytes()
    request = Request(url, meta=meta or {})
    cls = HtmlResponse if name.endswith(".html") else TextResponse
    headers = {"Content-Type": "application/json"} if name.endswith(".json") else {}
    return cls(url, body=body, encoding="utf-8", request=request, headers=headers)


def expected(slug: str) -> dict:
    """The platform's expected.json."""
    return json.loads((FIXTURES / slug / "expected.json").read_text("utf-8"))


def expected_item(slug: str, listing_id: str) -> dict:
    return next(i for i in expected(slug)["items"] if i["listing_id"] == listing_id)


def make_spider(cls, slug: str):
    """A spider bound to a throwaway crawler (stats available), on the prefix base."""
    crawler = get_crawler(cls)
    spider = cls.from_crawler(crawler, base_url=base_url(slug))
    crawler.spider = spider
    return spider


def normalized(raw_items) -> list[dict]:
    """Run raw spider items through the normalize pipeline; drop the extra keys."""
    pipe = NormalizePipeline()
    out = []
    for raw in raw_items:
        item = pipe.process_item(raw)
        out.append({k: v for k, v in item.items() if k not in EXTRA_FIELDS})
    return out
