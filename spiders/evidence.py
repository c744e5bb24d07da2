"""Archive every response a spider callback reads in the crawl's WARC 1.1 file.

The file starts with a ``warcinfo`` record (software and version, operator,
contact, robots policy, crawl id, platform); each response is preceded by its
``request`` record; a body identical to what the platform's previous crawl got at
the same URI is written as a ``revisit`` (identical-payload-digest profile)
pointing at the original. Items get ``evidence = {"offset": ..., "sha256": ...}``:
where their page's record starts in
``<evidence dir>/<database identity>/<platform>/crawl-<id>.warc.gz``. Record ids
are ``<urn:prakerja-monitor:crawl:<id>:<offset>>``; every record is indexed in
the database (``archive_records``).
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import weakref
import zlib
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from spiders.extensions import stop_for_storage
from spiders.stats import (
    CRAWL_ID,
    EVIDENCE_BYTES,
    EVIDENCE_RECORDS,
    EVIDENCE_REVISITS,
    WARC_PATH,
)
from storage import evidence as store

DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
# zlib's default level: warcio's 9 costs more CPU per record for ~0.1% fewer bytes.
GZIP_LEVEL = 6


def payload_digest(body: bytes) -> str:
    """The WARC payload digest warcio writes: ``sha1:`` and base32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()


def _headers(headers) -> list[tuple[str, str]]:
    return [
        (k.decode("latin-1"), v.decode("latin-1"))
        for k, values in headers.items()
        for v in values
    ]


class MemberWriter(WARCWriter):
    """warcio's WARC writer, each record one gzip member at ``GZIP_LEVEL``."""

    def __init__(self, out):
        super().__init__(out, gzip=False, warc_version="1.1")

    def write_record(self, record, params=None):
        plain = BytesIO()
        self._write_warc_record(plain, record)
        member = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out.write(member.compress(plain.getbuffer()) + member.flush())


class ArchiveMiddleware:
    """Spider middleware: archive each response once, tag the items it yields."""

    BATCH = 200

    def __init__(self, folder: str, db_path: str, info: dict, stats):
        self.folder, self.db_path, self.info, self.stats = folder, db_path, info, stats
        self.file = self.writer = self.path = self.db = None
        self.previous: dict[str, dict] = {}
        self.rows: list[dict] = []
        self.warcinfo_id = None
        self.evidence = weakref.WeakKeyDictionary()  # response -> evidence

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        folder, db_path = s.get("PRAKERJA_EVIDENCE_DIR"), s.get("PRAKERJA_DB_PATH")
        if not folder or not db_path:
            raise NotConfigured("evidence needs PRAKERJA_EVIDENCE_DIR and a database")
        info = {
            "software": store.software_version(),
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/"
            "specifications/warc-format/warc-1.1/",
            "operator": s.get("PRAKERJA_OPERATOR") or "",
            "contact": s.get("PRAKERJA_CONTACT") or "",
            "http-header-user-agent": s.get("USER_AGENT"),
            "robots": "obey" if s.getbool("ROBOTSTXT_OBEY") else "ignore",
            "observed-at": s.get("PRAKERJA_NOW") or "",
        }
        mw = cls(folder, db_path, info, crawler.stats)
        mw.crawler = crawler
        crawler.signals.connect(mw.close, signal=signals.spider_closed)
        return mw

    def open(self, spider) -> None:
        from storage.db import open_db

        self.crawl_id = self.stats.get_value(CRAWL_ID)
        self.db = open_db(self.db_path)
        identity = store.database_identity(self.db)
        folder = Path(self.folder).resolve()
        self.path = store.warc_path(folder, identity, spider.name, self.crawl_id)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.previous = {
            uri: row
            for uri, row in store.previous_payloads(
                self.db, spider.name, self.crawl_id
            ).items()
            if self._original_exists(folder, identity, spider.name, row["original"])
        }
        self.file = open(self.path, "ab")  # noqa: SIM115 - open for the whole crawl
        self.writer = MemberWriter(self.file)
        self.stats.set_value(WARC_PATH, str(self.path))
        self._write_warcinfo(spider)

    def _original_exists(self, folder, identity, platform, record_id) -> bool:
        crawl = int(record_id.strip("<>").split(":")[3])
        return store.warc_path(folder, identity, platform, crawl).is_file()

    def _write(self, record, **row) -> dict:
        offset = self.file.tell()
        rid = store.record_id(self.crawl_id, offset)
        record.rec_headers.replace_header("WARC-Record-ID", rid)
        if self.warcinfo_id and record.rec_type in ("request", "response"):
            record.rec_headers.add_header("WARC-Warcinfo-ID", self.warcinfo_id)
        self.writer.write_record(record)
        length = self.file.tell() - offset
        self.stats.inc_value(EVIDENCE_RECORDS)
        self.stats.inc_value(EVIDENCE_BYTES, length)
        h = record.rec_headers
        row.update(
            record_id=rid,
            crawl_id=self.crawl_id,
            offset=offset,
            length=length,
            type=record.rec_type,
            uri=h.get_header("WARC-Target-URI"),
            date=h.get_header("WARC-Date"),
            payload_digest=h.get_header("WARC-Payload-Digest") or row.get("digest"),
        )
        row.pop("digest", None)
        self.rows.append(row)
        return row

    def _write_warcinfo(self, spider) -> None:
        info = {**self.info, "platform": spider.name, "crawl-id": str(self.crawl_id)}
        info["isPartOf"] = f"{spider.name}-crawl-{self.crawl_id}"
        record = self.writer.create_warcinfo_record(self.path.name, info)
        self.warcinfo_id = self._write(record)["record_id"]

    def _write_request(self, request) -> dict:
        parts = urlsplit(request.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        headers = [("Host", parts.netloc), *_headers(request.headers)]
        http = StatusAndHeaders(
            f"{request.method} {target} HTTP/1.1",
            headers,
            protocol="HTTP/1.1",
            is_http_request=True,
        )
        record = self.writer.create_warc_record(
            request.url,
            "request",
            payload=BytesIO(request.body),
            length=len(request.body),  # known: warcio digests it once, unbuffered
            http_headers=http,
        )
        return self._write(record)

    def _revisit(self, response, status: str, digest: str, before: dict):
        """An unchanged body: one compact revisit record (identical-payload-digest
        profile) whose block is the status line alone (replay takes the headers
        and payload of the original, which also holds the request)."""
        self.stats.inc_value(EVIDENCE_REVISITS)
        record = self.writer.create_revisit_record(
            response.url,
            digest,
            before["original_uri"],
            before["original_date"],
            http_headers=StatusAndHeaders(status, [], protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Refers-To": before["original"]},
        )
        if before["original_uri"] == response.url:  # optional when it is the same
            record.rec_headers.remove_header("WARC-Refers-To-Target-URI")
        return record

    def archive(self, response, spider) -> dict:
        if response in self.evidence:
            return self.evidence[response]
        if self.writer is None:
            self.open(spider)
        request = response.request
        referrer = request.headers.get("Referer") if request is not None else None
        callback = getattr(request, "callback", None) if request is not None else None
        page = "listing" if getattr(callback, "__name__", "parse") == "parse" else ""
        status = f"{response.status} {'OK' if response.status == 200 else ''}".strip()
        digest = payload_digest(response.body)
        before = self.previous.get(response.url)
        if (
            before is not None
            and before["payload_digest"] == digest
            and before["status"] == response.status
        ):
            record, req = self._revisit(response, status, digest, before), None
            refers_to = before["original"]
        else:
            req = self._write_request(request) if request is not None else None
            headers = [
                (k, v)
                for k, v in _headers(response.headers)
                if k.lower() not in DROPPED_HEADERS
            ]
            headers.append(("Content-Length", str(len(response.body))))
            record = self.writer.create_warc_record(
                response.url,
                "response",
                payload=BytesIO(response.body),
                length=len(response.body),
                http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
                warc_headers_dict={  # the digest is ours: warcio need not redo it
                    **({"WARC-Concurrent-To": req["record_id"]} if req else {}),
                    "WARC-Payload-Digest": digest,
                },
            )
            refers_to = None
        sha256 = hashlib.sha256(response.body).hexdigest()
        row = self._write(
            record,
            status=response.status,
            mime=response.headers.get("Content-Type", b"").decode("latin-1")[:200],
            sha256=sha256,
            digest=digest,
            referrer=referrer.decode("latin-1") if referrer else None,
            refers_to=refers_to,
            page=page or "detail",
        )
        if req:
            req["concurrent_to"] = row["record_id"]
        self.file.flush()
        if len(self.rows) >= self.BATCH:
            self.flush()
        evidence = {"offset": row["offset"], "sha256": sha256}
        self.evidence[response] = evidence
        return evidence

    def process_spider_input(self, response, spider=None):
        spider = spider or self.crawler.spider
        try:
            self.archive(response, spider)
        except (OSError, sqlite3.Error) as exc:
            # an unarchived page is no evidence: the crawl fails with the cause
            # (raised here, the error would only reach the request's errback)
            stop_for_storage(self.crawler, spider, f"cannot write the archive: {exc}")
            raise IgnoreRequest(f"not archived: {exc}") from exc

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

    def flush(self) -> None:
        rows, self.rows = self.rows, []
        store.save_records(self.db, rows)

    def close(self, spider, reason):
        if self.file is not None:
            self.file.close()
            self.flush()
            self.db.close()
