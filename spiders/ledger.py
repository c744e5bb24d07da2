"""What a crawl saw: distinct listed ids, repeated pages, unconfirmed pages, causes."""

from __future__ import annotations

import contextlib
from collections import Counter

from spiders.normalize import valid_text


def listing_key(value: object, case_insensitive: bool = False) -> str:
    """A listing id normalized per contract: stripped; letter case folded only
    where the contract says ids are case-insensitive (no platform does today).
    What SQLite cannot keep (a NUL, a lone surrogate) is read as U+FFFD, as the
    stored item's id is: the ledger's ids and the stored ones must compare."""
    text = "" if value is None else valid_text(str(value).strip())
    return text.casefold() if case_insensitive else text


class Ledger:
    """The listing pages' ids and the detail outcomes of one crawl (no Scrapy)."""

    def __init__(self, case_insensitive: bool = False) -> None:
        self.case_insensitive = case_insensitive
        self.listed: dict[str, int] = {}  # listing id -> listing page it was on
        self.duplicate_ids = 0
        self.duplicate_pages: list[tuple[int, int]] = []  # (page, repeats page)
        self.unconfirmed: list[tuple[int, int | None]] = []  # (asked, shown)
        self.gone: set[str] = set()
        self.announced_items: int | None = None
        self.mismatches: Counter = Counter()  # (page type, what failed) -> pages

    def key(self, value: object) -> str:
        return listing_key(value, self.case_insensitive)

    def page_listed(self, page: int, ids: list) -> None:
        """Record the ids of one listing page; count ids another page listed, and a
        page whose every id another single page listed."""
        keys = [self.key(i) for i in ids if self.key(i)]
        earlier = Counter(self.listed[k] for k in keys if k in self.listed)
        self.duplicate_ids += sum(earlier.values())
        if keys and len(earlier) == 1 and sum(earlier.values()) == len(keys):
            self.duplicate_pages.append((page, next(iter(earlier))))
        for k in keys:
            self.listed.setdefault(k, page)

    def page_unconfirmed(self, asked: int, shown: int | None) -> None:
        self.unconfirmed.append((asked, shown))

    def announce_items(self, total: object) -> None:
        """The platform's own count of listings (page 1's total)."""
        with contextlib.suppress(TypeError, ValueError):
            self.announced_items = max(int(total), self.announced_items or 0)

    def mismatch(self, page_type: str, what: str) -> None:
        self.mismatches[(page_type, what)] += 1

    def unread(self, stored: set[str], explicit: set[str] = frozenset()) -> set[str]:
        """Listed ids that yielded no stored item, for any reason, and are not gone
        (404/410), plus ``explicit`` ones the spider gave up on."""
        keys = {self.key(i) for i in explicit}
        return (set(self.listed) - stored - self.gone) | (keys - stored)
