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
    ERROR_BODY,
    LISTING_EMPTY,
    PAGES_ANNOUNCED,
    PAGES_CAP,
    PAGES_REACHED,
    REMOVED,
    TRUNCATED,
    UNCONFIRMED,
    UNREAD,
    layout_mismatch,
)
from storage.facts import is_loopback
from storage.fold import fold


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
        """The decoded JSON body, or None when it is cut short or not JSON."""
        try:
            return json.loads(response.text)
        except (ValueError, RecursionError):  # RecursionError: nested too deep
            return None


# -- addition: paged listings, error envelopes, removed details ---------------
GONE_STATUSES = (404, 410)


class PagedSpider(PlatformSpider):
    """A platform spider that requests every listing page at once from page 1."""

    def schedule_pages(self, total_pages: int, request_for) -> Iterator:
        """Announce ``total_pages`` and request pages 2..N through ``request_for``;
        never more than one page past the crawl's page cap (PaginationGuard drops
        that one and says why), so a huge claim costs nothing to generate."""
        self.announce_pages(total_pages)
        last = int(total_pages)
        cap = self.crawler.stats.get_value(PAGES_CAP)
        if cap:
            last = min(last, int(cap) + 1)
        for page in range(2, last + 1):
            yield request_for(page)

    def retry_page(self, response: Response, why: str) -> Iterator:
        """Retry a page whose body reports an error (``status: false``, ...)."""
        yield from self.retry(response, why, ERROR_BODY, "error_body")

    def removed(self, response: Response) -> bool:
        """True, and counted as ``prakerja/removed/<status>``, for a gone detail.

        Detail requests must carry ``meta={"handle_httpstatus_list": GONE_STATUSES}``
        so that 404/410 reach the callback.
        """
        if response.status not in GONE_STATUSES:
            return False
        self.crawler.stats.inc_value(f"{REMOVED}/{response.status}")
        self.ledger.gone.add(self.ledger.key(response.meta.get("listing_id")))
        self.logger.info("removed (%s): %s", response.status, response.url)
        return True


# -- addition: HTML listing pages of cards, one HTML detail page per card -----
PRAKERJA_METHOD = "kartu prakerja"


def text_of(selection) -> str | None:
    """The string value of the first selected node; None when nothing matched."""
    return selection.xpath("string()").get() if selection else None


def texts_of(selection) -> list[str]:
    """The string value of every selected node, in page order."""
    return selection.xpath("string()").getall() if selection else []


def method_fields(methods: list[str] | None) -> dict:
    """payment_methods, prakerja_payment and prakerja_evidence from methods shown.

    ``None`` means the page has no payment block, so Prakerja payment is unknown.
    """
    hit = (
        None
        if methods is None
        else any(fold(m, casefold=True) == PRAKERJA_METHOD for m in methods)
    )
    return {
        "payment_methods": methods or [],
        "prakerja_payment": hit,
        "prakerja_evidence": ["payment_method:Kartu Prakerja"] if hit else [],
    }


class HtmlCatalogSpider(PagedSpider):
    """HTML listing pages of cards; each card leads to one HTML detail page.

    A platform sets its contract's paths and patterns and implements ``cards``
    and ``detail_fields``; both raise ``LayoutChanged`` when the page lacks what
    the contract promises, and the page then yields nothing.
    """

    listing_path = ""  # listing page 1 (no page parameter)
    page_path = ""  # listing page N >= 2, with ``{page}``
    detail_path = ""  # detail page, with the named groups of ``detail_re``
    detail_re = None  # compiled; on card hrefs and detail URLs; group ``id`` if any
    page_size = 1
    total_css = ""  # the element holding the total count ...
    total_re = None  # ... and the compiled pattern reading it (group 1)
    empty_css = ""  # the empty-state notice
    current_css = ""  # the pagination's current page number, when shown

    async def start(self):
        yield self.listing_request(1)

    def listing_request(self, page: int) -> scrapy.Request:
        path = self.listing_path if page == 1 else self.page_path.format(page=page)
        return scrapy.Request(self.url(path), self.parse, cb_kwargs={"page": page})

    def cards(self, response: Response) -> list[tuple[str | None, str | None]]:
        """(listing_id, detail href) of every card on a listing page, in order."""
        raise NotImplementedError

    def detail_fields(self, response: Response) -> dict:
        """The raw item fields of a detail page, ``listing_id`` included."""
        raise NotImplementedError

    def total(self, response: Response) -> int | None:
        match = self.total_re.search(fold(text_of(response.css(self.total_css))))
        return int(match.group(1)) if match else None

    def shown_page(self, response: Response) -> str | None:
        """The page number the pagination marks current (None: no pagination)."""
        shown = (
            fold(text_of(response.css(self.current_css))) if self.current_css else ""
        )
        return shown or None

    def parse(self, response: Response, page: int = 1):
        if not self.html_complete(response):
            yield from self.retry_truncated(response, "no </html>")
            return
        try:
            requests = [self.detail_request(*card) for card in self.cards(response)]
            total = self.total(response)
            state = self.listing_state(response, page, bool(requests), total)
        except LayoutChanged as exc:
            self.layout_mismatch(response, str(exc))
            return
        ids = [r.meta["listing_id"] for r in requests]
        if not self.listing_seen(response, page, self.shown_page(response), ids, total):
            return
        if page == 1:
            pages = -(-(total or 0) // self.page_size)
            yield from self.schedule_pages(pages, self.listing_request)
        if state == "empty":
            self.listing_empty(response)
        self.reached_page()
        yield from requests

    def listing_state(self, response, page: int, cards: bool, total: int | None):
        """What a listing page shows: cards, empty, or past_end (the total shrank
        below this page during the crawl); LayoutChanged for anything else."""
        if cards:
            if page == 1 and total is None:
                raise LayoutChanged("no total count")
            return "cards"
        if total == 0 or (total is None and response.css(self.empty_css)):
            return "empty"
        if page > 1 and total is not None and total <= (page - 1) * self.page_size:
            return "past_end"
        raise LayoutChanged(f"no cards (total {total})")

    def detail_request(self, listing_id: str | None, href: str | None):
        """The card's detail request, rebuilt from the base (never the href)."""
        listing_id = (listing_id or "").strip()
        match = self.detail_re.search(href or "")
        groups = match.groupdict() if match else {}
        if not listing_id or not match or groups.get("id", listing_id) != listing_id:
            raise LayoutChanged(f"card {listing_id!r} has no contract link: {href!r}")
        meta = {"listing_id": listing_id, "handle_httpstatus_list": list(GONE_STATUSES)}
        url = self.url(self.detail_path.format(**groups))
        return scrapy.Request(
            url, self.parse_detail, meta=meta, errback=self.detail_failed
        )

    def parse_detail(self, response: Response):
        if self.removed(response):
            return
        if not self.html_complete(response):
            yield from self.retry_truncated(response, "no </html>")
            return
        match = self.detail_re.search(response.url)
        try:
            if not match:
                raise LayoutChanged("detail URL off the contract")
            fields = self.detail_fields(response)
            found = (fields.get("listing_id") or "").strip()
            wanted = match.groupdict().get("id") or response.meta.get("listing_id")
            if not found or (wanted and found != wanted):
                raise LayoutChanged(f"listing_id {found!r} is not {wanted!r}")
        except LayoutChanged as exc:
            self.layout_mismatch(response, str(exc))
            return
        url = self.url(self.detail_path.format(**match.groupdict()))
        yield self.item(response, **{**fields, "listing_id": found, "url": url})
