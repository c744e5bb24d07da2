"""HtmlCatalogSpider: HTML listing pages of cards, one HTML detail page per card;
the text helpers the HTML spiders share."""

from __future__ import annotations

import scrapy
from lxml import etree
from scrapy.http import Response

from spiders.base import LayoutChanged
from spiders.paged import GONE_STATUSES, PagedSpider
from storage.fold import fold

PRAKERJA_METHOD = "kartu prakerja"


_STRING = etree.XPath("string()")  # compiled once (parsel compiles per call)


def _string(selector) -> str:
    root = selector.root
    return root if isinstance(root, str) else str(_STRING(root))


def text_of(selection) -> str | None:
    """The string value of the first selected node; None when nothing matched."""
    return _string(selection[0]) if selection else None


def texts_of(selection) -> list[str]:
    """The string value of every selected node, in page order."""
    return [_string(s) for s in selection] if selection else []


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
