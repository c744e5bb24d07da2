"""PagedSpider: the paging loop of listing pages once, with hooks per platform
(decode, entries, follow), page scheduling under the cap, error envelopes, removals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import scrapy
from scrapy.http import Response

from spiders.base import TOO_DEEP, LayoutChanged, PlatformSpider
from spiders.stats import ERROR_BODY, PAGES_CAP, REMOVED

GONE_STATUSES = (404, 410)


class Unreadable(Exception):
    """A page that cannot be read as it arrived: it is retried, never parsed."""


class Truncated(Unreadable):
    """The body is cut short (no ``</html>``, JSON that does not decode)."""


class ErrorBody(Unreadable):
    """The body reports an error (``status: false``, ...)."""


class Counted(Exception):
    """A page already counted as a layout mismatch (JSON nested too deep): it
    yields nothing and is not retried."""


@dataclass
class ListingPage:
    """What a listing page holds, as the platform's ``entries`` hook reads it."""

    entries: list  # what ``follow`` turns into items or detail requests
    ids: list[str]  # the listing ids, in page order
    shown: object = None  # the page number the page itself reports
    total: int | None = None  # the platform's own count of listings
    pages: int = 0  # the number of listing pages the page announces
    request_for: Callable[[int], scrapy.Request] | None = field(default=None)


class PagedSpider(PlatformSpider):
    """A platform spider that requests every listing page at once from page 1.

    The paging loop (``parse``) is the same for every platform; a platform sets
    ``listing_request`` and the hooks ``decode`` (body -> document, raising
    ``Unreadable``), ``entries`` (document -> ``ListingPage``, raising
    ``LayoutChanged``) and ``follow`` (entry -> item or detail request).
    """

    async def start(self):
        yield self.listing_request(1)

    def listing_request(self, page: int) -> scrapy.Request:
        raise NotImplementedError

    def decode(self, response: Response) -> object:
        """The page's document: by default its JSON object."""
        body = self.json_body(response)
        if body is TOO_DEEP:
            raise Counted("JSON nested too deep to decode")
        if not isinstance(body, dict):
            raise Truncated("JSON does not decode")
        return body

    def entries(self, response: Response, document) -> ListingPage:
        raise NotImplementedError

    def follow(self, response: Response, entry):
        raise NotImplementedError

    def parse(self, response: Response, page: int = 1):
        """One listing page: read it, record its ids, request the other pages from
        page 1, and follow its entries; a page that fails its contract yields
        nothing but the count of why."""
        try:
            listing = self.entries(response, self.decode(response))
        except Unreadable as exc:
            yield from self.retry_unreadable(response, exc)
            return
        except Counted:
            return
        except LayoutChanged as exc:
            self.layout_mismatch(response, str(exc))
            return
        if not self.listing_seen(
            response, page, listing.shown, listing.ids, listing.total
        ):
            return
        if listing.shown == 1:
            request_for = listing.request_for or self.listing_request
            yield from self.schedule_pages(listing.pages, request_for)
        if not listing.entries and not listing.total:
            self.listing_empty(response)
        self.reached_page()
        for entry in listing.entries:
            yield self.follow(response, entry)

    def retry_unreadable(self, response: Response, exc: Unreadable) -> Iterator:
        if isinstance(exc, ErrorBody):
            yield from self.retry_page(response, str(exc))
        else:
            yield from self.retry_truncated(response, str(exc))

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
