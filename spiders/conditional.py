"""Conditional recrawls: revalidate every cached page with If-None-Match /
If-Modified-Since; a 304 serves the cached body, so its items are observed again.

Scrapy's ``HttpCacheMiddleware`` does the revalidation; this module gives it a
policy that never trusts a page without asking (no freshness heuristics, no stale
page on errors), a SQLite storage per platform next to the database, and a check
of each 304: it must carry the validator that was sent. A 304 for a request that
sent none, or with another ETag, is the platform claiming an unchanged page that
changed: it is counted (``prakerja/conditional/wrong_304``), the page counts as
failed, and the trust verdict marks the crawl incomplete.
"""

from __future__ import annotations

import json

from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.utils.response import response_from_dict

from storage.httpcache import ResponseCache, cache_dir

NOT_MODIFIED = "prakerja/conditional/not_modified"
NOT_MODIFIED_BYTES = "prakerja/conditional/not_modified_body_bytes"
WRONG_304 = "prakerja/conditional/wrong_304"
REVALIDATED = "revalidated"  # response flag: the kept page, confirmed by a 304
# Headers of a 304 that describe no body: never copied onto the cached response.
ENTITY = {b"content-length", b"content-type", b"content-encoding", b"transfer-encoding"}


class RevalidatePolicy(RFC2616Policy):
    """Cache 200s that carry a validator; always revalidate; only 304 keeps them."""

    def should_cache_request(self, request) -> bool:
        return request.method == "GET" and super().should_cache_request(request)

    def should_cache_response(self, response, request) -> bool:
        cc = self._parse_cachecontrol(response)
        return (
            response.status == 200
            and b"no-store" not in cc
            and (b"ETag" in response.headers or b"Last-Modified" in response.headers)
        )

    def is_cached_response_fresh(self, cachedresponse, request) -> bool:
        self._set_conditional_validators(request, cachedresponse)
        return False  # an observation is only made by asking the platform

    def is_cached_response_valid(self, cachedresponse, response, request) -> bool:
        return response.status == 304


class SqliteCacheStorage:
    """Scrapy cache storage: ``<db>.httpcache/<spider>.sqlite`` (storage.httpcache)."""

    def __init__(self, settings):
        self.folder = settings.get("HTTPCACHE_DIR")
        self.cache: ResponseCache | None = None

    def open_spider(self, spider) -> None:
        self.fingerprint = spider.crawler.request_fingerprinter.fingerprint
        self.cache = ResponseCache(f"{self.folder}/{spider.name}.sqlite")

    def close_spider(self, spider) -> None:
        if self.cache is not None:
            self.cache.close()

    def retrieve_response(self, spider, request):
        found = self.cache.get(self.fingerprint(request))
        if found is None:
            return None
        request.meta["cache_timestamp"] = found["stored_at"]
        headers = {k: v for k, v in json.loads(found["headers"])}
        return response_from_dict(
            {
                "url": found["url"],
                "status": found["status"],
                "headers": headers,
                "body": found["body"],
            }
        )

    def store_response(self, spider, request, response) -> None:
        headers = [
            [k.decode("latin-1"), [v.decode("latin-1") for v in values]]
            for k, values in response.headers.items()
        ]
        self.cache.put(
            self.fingerprint(request),
            response.url,
            response.status,
            json.dumps(headers),
            response.body,
            _header(response, b"ETag"),
            _header(response, b"Last-Modified"),
        )


class ConditionalMiddleware(HttpCacheMiddleware):
    """Scrapy's cache middleware with the checks above; on when the crawl has a
    database and ``PRAKERJA_CONDITIONAL`` is true."""

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        db = settings.get("PRAKERJA_DB_PATH")
        if not db or not settings.getbool("PRAKERJA_CONDITIONAL", True):
            raise NotConfigured("conditional requests need a database")
        own = settings.copy()
        own.frozen = False  # a private copy for the cache middleware
        own.set("HTTPCACHE_ENABLED", True)
        own.set("HTTPCACHE_DIR", str(cache_dir(db)))
        own.set("HTTPCACHE_POLICY", "spiders.conditional.RevalidatePolicy")
        own.set("HTTPCACHE_STORAGE", "spiders.conditional.SqliteCacheStorage")
        own.set("HTTPCACHE_EXPIRATION_SECS", 0)
        own.set("HTTPCACHE_IGNORE_MISSING", False)
        mw = cls(own, crawler.stats)
        from scrapy import signals

        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        mw.crawler = crawler
        return mw

    def process_response(self, request, response, spider=None):
        if response.status == 304 and not self._valid_304(request, response):
            self.stats.inc_value(WRONG_304)
            request.meta.pop("cached_response", None)
            request.meta["_dont_cache"] = True
            return response  # not a page: HttpErrorMiddleware counts it as failed
        out = super().process_response(request, response)
        if response.status == 304 and out is not response:
            out.flags.append(REVALIDATED)  # evidence: a revisit of the kept page
            self.stats.inc_value(NOT_MODIFIED)
            self.stats.inc_value(NOT_MODIFIED_BYTES, len(out.body))
        return out

    def process_exception(self, request, exception, spider=None):
        request.meta.pop("cached_response", None)
        return None  # a platform that fails is not answered from the cache

    def _valid_304(self, request, response) -> bool:
        """A 304 must answer our validator: the ETag we sent, or (without an
        ETag) a Last-Modified not after the one we sent."""
        if "cached_response" not in request.meta:
            return False  # nothing was asked: a 304 means nothing
        sent_etag = request.headers.get(b"If-None-Match")
        if sent_etag:
            return response.headers.get(b"ETag") == sent_etag
        sent_date = request.headers.get(b"If-Modified-Since")
        got_date = response.headers.get(b"Last-Modified")
        return bool(sent_date) and (got_date is None or got_date == sent_date)

    def _freshen_cached_response(self, cachedresponse, response) -> None:
        for name in list(response.headers):
            if name.lower() in ENTITY:
                del response.headers[name]
        super()._freshen_cached_response(cachedresponse, response)


def _header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def add_wrong_304(verdict, stats: dict) -> None:
    """Trust reason: the platform answered 304 Not Modified without our validator
    (or with another one): those pages changed or cannot be vouched for."""
    wrong = stats.get(WRONG_304, 0)
    if wrong:
        verdict.add(
            "wrong_304",
            f"{wrong} page(s) answered 304 Not Modified without the validator sent"
            " (changed content or no cached copy): not observed",
        )
