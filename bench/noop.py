"""Baseline crawler: download a URL list with the crawl's settings and keep nothing.

``python -m bench.noop URLS_FILE [--header NAME=VALUE ...]`` reads one URL per line
and fetches each once, in order, with the project's Scrapy settings (same
concurrency, reactor, downloader middlewares, robots.txt) relaxed for a loopback
host exactly as ``PlatformSpider.update_settings`` relaxes them, but with no
parsing, items, pipelines, evidence or progress. Prints one JSON line of stats.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings


class NoopSpider(scrapy.Spider):
    name = "noop"

    def __init__(self, urls: list[str], headers: dict[str, str], **kwargs):
        super().__init__(**kwargs)
        self.urls, self.headers = urls, headers

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(
                url,
                self.parse,
                headers=self.headers,
                dont_filter=True,
                meta={"handle_httpstatus_all": True},
            )

    def parse(self, response):
        return None


def settings_for_loopback():
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "spiders.settings")
    settings = get_project_settings()
    # What PlatformSpider.update_settings sets for a loopback base (the replica).
    settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16, priority="cmdline")
    settings.set("PRAKERJA_BACKOFF_CAP", 2, priority="cmdline")
    # Nothing is parsed or kept.
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    settings.set("SPIDER_MIDDLEWARES", {}, priority="cmdline")
    settings.set("EXTENSIONS", {}, priority="cmdline")
    settings.set("PRAKERJA_DB_PATH", None, priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.noop")
    parser.add_argument("urls_file")
    parser.add_argument("--header", action="append", default=[], metavar="NAME=VAL")
    args = parser.parse_args(argv)
    with open(args.urls_file, encoding="utf-8") as f:
        urls = [line.strip() for line in f if line.strip()]
    headers = dict(h.split("=", 1) for h in args.header)
    started = time.perf_counter()
    process = CrawlerProcess(settings_for_loopback())
    crawler = process.create_crawler(NoopSpider)
    process.crawl(crawler, urls=urls, headers=headers)
    process.start()
    stats = crawler.stats.get_stats()
    out = {
        "urls": len(urls),
        "pages": stats.get("response_received_count", 0),
        "requests": stats.get("downloader/request_count", 0),
        "finish_reason": stats.get("finish_reason"),
        "seconds_in_process": round(time.perf_counter() - started, 3),
    }
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
