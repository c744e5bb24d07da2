"""PlatformSpider: base URLs, URL building, contract signals shared by every spider."""

from __future__ import annotations

import json
from collections.abc import Iterator
from ipaddress import ip_address
from urllib.parse import urlsplit

import scrapy
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response

# Stats keys the trust verdict reads (see spiders/trust.py).
PAGES_ANNOUNCED = "prakerja/pages/announced"
PAGES_REACHED = "prakerja/pages/reached"
LISTING_EMPTY = "prakerja/listing_empty"
TRUNCATED = "prakerja/response/truncated"


def is_loopback(url: str) -> bool:
    """True for a base URL on 127.0.0.0/8, ::1 or localhost (the replica)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def base_urls_setting(value: object) -> dict[str, str]:
    """PRAKERJA_BASE_URLS as a dict, from a dict or a JSON object string."""
    if not value:
        return {}
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise ValueError(f"PRAKERJA_BASE_URLS must be a JSON object, got {value!r}")
    return {str(k): str(v).rstrip("/") for k, v in value.items()}


class LayoutChanged(Exception):
    """A page lacks the selectors or paths its contract promises."""


class PlatformSpider(scrapy.Spider):
    """A spider for one platform: ``name`` is the slug, ``real_base`` its real host."""

    real_base: str = ""
    crawl_delay: float = 0  # robots.txt Crawl-delay of the real host, if any

    def __init__(self, *args, base_url: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = (base_url or self.real_base).rstrip("/")
        host = urlsplit(self.base_url).hostname
        self.allowed_domains = [host] if host else []

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
        if base and is_loopback(base):
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

    def listing_empty(self, response: Response) -> None:
        self.crawler.stats.inc_value(LISTING_EMPTY)
        self.logger.warning("listing empty: %s", response.url)

    def layout_mismatch(self, response: Response, what: str) -> None:
        """Count a layout mismatch loudly; the caller yields nothing from the page."""
        self.crawler.stats.inc_value(f"contract/{self.name}/layout_mismatch")
        self.logger.error("layout mismatch on %s: %s", response.url, what)

    def retry_truncated(self, response: Response, why: str) -> Iterator:
        """Retry a page whose body is cut short; never parse what arrived."""
        self.crawler.stats.inc_value(TRUNCATED)
        self.logger.warning("truncated response %s: %s", response.url, why)
        retry = get_retry_request(
            response.request, spider=self, reason="truncated", max_retry_times=4
        )
        if retry is not None:
            yield retry

    def html_complete(self, response: Response) -> bool:
        """An HTML page is complete only when it ends with ``</html>``."""
        return response.body.rstrip().lower().endswith(b"</html>")

    def json_body(self, response: Response) -> object | None:
        """The decoded JSON body, or None when it is cut short or not JSON."""
        try:
            return json.loads(response.text)
        except ValueError:
            return None
