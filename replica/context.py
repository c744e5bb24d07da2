"""The per-request view of the catalog that renderers get (``model.Context``)."""

from __future__ import annotations

from array import array

from replica import hostile
from replica import scenario as sc
from replica.catalog import Catalog
from replica.model import Listing, Page


class RequestContext:
    """One request's ``base``, clock, layout variant, faults and catalog lookups."""

    def __init__(
        self,
        catalog: Catalog,
        slug: str,
        base: str,
        as_of: str,
        variant: str = "v1",
        empty: bool = False,
        gone: dict[str, int] | None = None,
        headers: dict[str, str] | None = None,
        hostile: dict[str, dict] | None = None,
    ):
        self.catalog = catalog
        self.slug = slug
        self.base = base
        self.as_of = as_of
        self.variant = variant
        self.empty = empty
        self.gone = gone or {}
        self.headers = headers or {}  # lower-case names
        self.hostile = hostile or {}  # listing-level hostile faults, by kind

    def _visible(self) -> array:
        shown = self.catalog.visible(self.slug, self.as_of)
        if not self.gone:
            return shown
        hidden = {self.catalog.index_of(self.slug, lid) for lid in self.gone}
        return array("l", (i for i in shown if i not in hidden))

    def page(self, number: int, size: int) -> Page:
        if self.empty:
            return Page(number=number, size=size, total=0, listings=())
        shown = self._visible()
        number, source = hostile.shown_page(number, self.hostile)
        start = (source - 1) * size
        listings = tuple(self._on_date(i) for i in shown[max(start, 0) : start + size])
        return Page(number=number, size=size, total=len(shown), listings=listings)

    def _on_date(self, i: int) -> Listing:
        found = sc.on_date(self.catalog.entry(self.slug, i), self.as_of)
        return hostile.vary(found, self.hostile) if self.hostile else found

    def lookup(self, listing_id: str) -> Listing | int | None:
        if listing_id in self.gone:
            return self.gone[listing_id]
        i = self.catalog.index_of(self.slug, listing_id)
        if i is None and "id_case" in self.hostile:
            i = self.catalog.index_of(self.slug, listing_id.strip().swapcase())
        return None if i is None else self._on_date(i)

    def lookup_slug(self, slug: str) -> Listing | int | None:
        i = self.catalog.index_of_slug(self.slug, slug)
        if i is None:
            return None
        found = self._on_date(i)
        if isinstance(found, Listing) and found.listing_id in self.gone:
            return self.gone[found.listing_id]
        return found
