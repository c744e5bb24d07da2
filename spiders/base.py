"""PlatformSpider: base URLs, URL building, contract signals shared by every spider."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import scrapy
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response

from spiders.ledger import Ledger
from spiders.stats import (
    LISTING_EMPTY,
    PAGES_ANNOUNCED,
    PAGES_REACHED,
    TRUNCATED,
    UNCONFIRMED,
    UNREAD,
    layout_mismatch,
)
from storage.facts import is_loopback


def base_urls_setting(value: object) -> dict[str, str]:
    """PRAKERJA_BASE_URLS as a dict, from a dict or a JSON object string."""
    if not value:
        return {}
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise ValueError(f"PRAKERJA_BASE_URLS must be a JSON object, got {value!r}")
    return {str(k): str(v).rstrip("/") for k, v in value.items()}


TOO_DEEP = object()  # json_body's answer for JSON nested too deep (not retried)


class LayoutChanged(Exception):
    """A page lacks the selectors or paths its contract promises."""


class PlatformSpider(scrapy.Spider):
    """A spider for one platform: ``name`` is the slug, ``real_base`` its real host."""

    real_base: str = ""
    crawl_delay: float = 0  # robots.txt Crawl-delay of the real host, if any
    ids_case_insensitive = False  # no contract says so today

    def __init__(self, *args, base_url: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = (base_url or self.real_base).rstrip("/")
        host = urlsplit(self.base_url).hostname
        self.allowed_domains = [host] if host else []
        self.unread_ids: set[str] = set()
        self.ledger = Ledger(self.ids_case_insensitive)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        if not kwargs.get("base_url"):
            urls = base_urls_setting(crawler.settings.get("PRAKERJA_BASE_URLS"))
            kwargs["base_url"] = urls.get(cls.name)
        return super().from_crawler(crawler, *args, **kwargs)

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        base = base_urls_setting(settings.get("PRAKERJA_BASE_URLS")).get(cls.name)
        if base and is_loopback(urlsplit(base).hostname or ""):
            # The replica: robots.txt still obeyed, but no delays or throttling.
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
            settings.set("DOWNLOAD_DELAY", 0, priority="spider")
            settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16, priority="spider")
            settings.set("PRAKERJA_BACKOFF_CAP", 2, priority="spider")
        elif cls.crawl_delay:
            delay = max(cls.crawl_delay, settings.getfloat("DOWNLOAD_DELAY"))
            settings.set("DOWNLOAD_DELAY", delay, priority="spider")
            settings.set("AUTOTHROTTLE_START_DELAY", delay, priority="spider")

    def url(self, path: str) -> str:
        """Build a request URL from the base URL (never from a page's href)."""
        return self.base_url + path

    def item(self, response: Response, **fields) -> dict:
        """A raw item of this platform; the pipelines normalize it."""
        fields.setdefault("source_urls", [response.url])
        return {"platform": self.name, **fields}

    # -- contract signals ------------------------------------------------------
    def announce_pages(self, total_pages: int) -> None:
        stats = self.crawler.stats
        stats.max_value(PAGES_ANNOUNCED, max(int(total_pages), 1))

    def reached_page(self) -> None:
        self.crawler.stats.inc_value(PAGES_REACHED)

    def listing_seen(self, response, page: int, shown, ids: list, total) -> bool:
        """Record a listing page's ids; False (and counted) when a page with cards
        shows another page number than the one asked for: it then yields nothing."""
        if ids and shown is not None and str(shown) != str(page):
            self.ledger.page_unconfirmed(page, shown)
            self.crawler.stats.inc_value(UNCONFIRMED)
            self.logger.warning(
                "page %s answered as page %s: %s", page, shown, response.url
            )
            return False
        self.ledger.page_listed(page, ids)
        if page == 1:
            self.ledger.announce_items(total)
        return True

    def listing_empty(self, response: Response) -> None:
        self.crawler.stats.inc_value(LISTING_EMPTY)
        self.logger.warning("listing empty: %s", response.url)

    def layout_mismatch(self, response: Response, what: str) -> None:
        """Count a layout mismatch loudly; the caller yields nothing from the page."""
        self.crawler.stats.inc_value(layout_mismatch(self.name))
        page_type = "detail" if response.meta.get("listing_id") else "listing"
        self.ledger.mismatch(page_type, what)
        self.logger.error("layout mismatch on %s: %s", response.url, what)

    def retry_truncated(self, response: Response, why: str) -> Iterator:
        """Retry a page whose body is cut short; never parse what arrived."""
        yield from self.retry(response, why, TRUNCATED, "truncated")

    def retry(self, response: Response, why: str, stat: str, reason: str) -> Iterator:
        """Count, log and retry a page that cannot be parsed; after the last try a
        detail page's listing counts as unread."""
        self.crawler.stats.inc_value(stat)
        self.logger.warning("%s %s: %s", reason, response.url, why)
        retry = get_retry_request(
            response.request, spider=self, reason=reason, max_retry_times=4
        )
        if retry is not None:
            yield retry
        else:
            self.unread(response.request)

    def unread(self, request) -> None:
        """A listed training whose detail could not be read after every retry: the
        crawl must not count it as gone (see storage.snapshots.save_unread)."""
        listing_id = request.meta.get("listing_id")
        if listing_id:
            self.unread_ids.add(self.ledger.key(listing_id))
            self.crawler.stats.inc_value(UNREAD)

    def detail_failed(self, failure) -> None:
        """Errback of detail requests (HTTP errors and failures after retries)."""
        self.unread(failure.request)

    def html_complete(self, response: Response) -> bool:
        """An HTML page is complete only when it ends with ``</html>``."""
        return response.body.rstrip().lower().endswith(b"</html>")

    def json_body(self, response: Response) -> object | None:
        """The decoded JSON body, or None when it is cut short or not JSON;
        TOO_DEEP (counted as a layout mismatch, not retried) when it nests deeper
        than Python can decode."""
        try:
            return json.loads(response.text)
        except ValueError:
            return None
        except RecursionError:
            self.layout_mismatch(response, "JSON nested too deep to decode")
            return TOO_DEEP
