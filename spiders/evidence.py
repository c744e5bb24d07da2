"""Archive every response that yields an item in the crawl's WARC file (evidence).

Each item gets ``evidence = {"offset": ..., "sha256": ...}``: where its response's
record starts in ``<evidence dir>/<platform>/crawl-<id>.warc.gz`` and the SHA-256 of
the payload. The record id is ``<urn:prakerja-monitor:crawl:<id>:<offset>>``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from spiders.stats import CRAWL_ID, EVIDENCE_RECORDS, WARC_PATH
from storage.evidence import record_id, warc_path


class ArchiveMiddleware:
    """Spider middleware: archive a response once, tag the items it yields."""

    def __init__(self, folder: str, stats):
        self.folder, self.stats = folder, stats
        self.file = self.writer = self.path = None
        # The response last archived and its evidence: items of one response come
        # together. Holding the response (not its id()) keeps the identity valid.
        self.last: tuple[object, dict] | None = None

    @classmethod
    def from_crawler(cls, crawler):
        folder = crawler.settings.get("PRAKERJA_EVIDENCE_DIR")
        if not folder or not crawler.settings.get("PRAKERJA_DB_PATH"):
            raise NotConfigured("evidence needs PRAKERJA_EVIDENCE_DIR and a database")
        mw = cls(folder, crawler.stats)
        mw.crawler = crawler
        crawler.signals.connect(mw.close, signal=signals.spider_closed)
        return mw

    def open(self, spider) -> None:
        crawl_id = self.stats.get_value(CRAWL_ID)
        self.path = warc_path(Path(self.folder).resolve(), spider.name, crawl_id)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.file = open(self.path, "ab")  # noqa: SIM115 - open for the whole crawl
        self.writer = WARCWriter(self.file, gzip=True)
        self.crawl_id = crawl_id
        self.stats.set_value(WARC_PATH, str(self.path))

    def archive(self, response, spider) -> dict:
        if self.last is not None and self.last[0] is response:
            return self.last[1]
        if self.writer is None:
            self.open(spider)
        offset = self.file.tell()
        status = f"{response.status} {'OK' if response.status == 200 else ''}".strip()
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, values in response.headers.items()
            for v in values
        ]
        record = self.writer.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(response.body),
            http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
            warc_headers_dict={
                "WARC-Record-ID": record_id(self.crawl_id, offset),
                "WARC-Date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )
        self.writer.write_record(record)
        self.file.flush()
        evidence = {
            "offset": offset,
            "sha256": hashlib.sha256(response.body).hexdigest(),
        }
        self.last = (response, evidence)
        self.stats.inc_value(EVIDENCE_RECORDS)
        return evidence

    def process_spider_output(self, response, result, spider=None):
        for out in result:
            if isinstance(out, dict):
                out["evidence"] = self.archive(response, spider or self.crawler.spider)
            yield out

    async def process_spider_output_async(self, response, result, spider=None):
        async for out in result:
            if isinstance(out, dict):
                out["evidence"] = self.archive(response, spider or self.crawler.spider)
            yield out

    def close(self, spider, reason):
        if self.file is not None:
            self.file.close()
