"""Progress of a crawl as JSON lines on stdout, read by ``prakerja-monitor crawl``."""

from __future__ import annotations

import json
import sys

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class ProgressReporter:
    """Every ``interval`` seconds: items, listing pages and responses so far."""

    def __init__(self, stats, interval: float = 1.0):
        self.stats, self.interval, self.loop = stats, interval, None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("PRAKERJA_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler.stats, crawler.settings.getfloat("PRAKERJA_PROGRESS_S", 1.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        self.spider = spider
        self.loop = task.LoopingCall(self.report, "progress")
        self.loop.start(self.interval, now=True)

    def report(self, event: str) -> None:
        stats = self.stats
        line = {
            "event": event,
            "platform": self.spider.name,
            "crawl_id": stats.get_value("prakerja/crawl_id"),
            "items": stats.get_value("item_scraped_count", 0),
            "pages": stats.get_value("response_received_count", 0),
            "listing_pages": stats.get_value("prakerja/pages/reached", 0),
            "listing_pages_announced": stats.get_value("prakerja/pages/announced", 0),
        }
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()

    def spider_closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
