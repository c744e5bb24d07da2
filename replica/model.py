"""The records the catalog hands to the page renderers, and the renderer interface."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

SLUGS = (
    "bukalapak",
    "maubelajarapa",
    "pijarmahir",
    "pintaria",
    "sekolahmu",
    "sisnaker",
    "skillacademy",
    "tokopedia",
)


@dataclass(frozen=True)
class Listing:
    """One training as a platform shows it on one date (after the timeline applied).

    Values are the *truth* a correct spider must read back: a renderer formats them
    in the platform's shape (Rupiah strings, JSON ints, ...).
    """

    platform: str
    listing_id: str
    slug: str  # URL slug where the platform's paths need one
    title: str
    provider: str | None
    price_idr: int
    list_price_idr: int | None  # struck-through / original price, None when none
    is_bundle: bool  # ground truth (not the title-keyword rule)
    bundle_label: str | None  # the platform's explicit bundle marker text, if shown
    components: tuple[str, ...]  # component class titles, page order
    # Payment methods shown, in page order, as (group, name) pairs; the group is
    # "" where the platform has no groups.  "Kartu Prakerja" appears iff payable.
    payment_methods: tuple[tuple[str, str], ...]
    prakerja_payment: bool | None
    available: bool
    category: str | None
    rating: float | None
    rating_count: int | None
    description: str = ""
    created_at: str = "2020-04-01"  # ISO date
    updated_at: str = "2020-04-01"  # ISO date; moves to the date of a timeline change
    # Platform-specific raw values a renderer may need to reproduce a sample
    # exactly (e.g. a numeric product id, a thumbnail path, a note shown).
    # Keys set by the catalog (replica/catalog.py): "sample" (file name under
    # replica/data/<slug>/ of a sample listing), "component_prices" (bundles),
    # "dropped_prakerja" (Kartu Prakerja removed at the halt), "relisted_from".
    extra: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Page:
    """A slice of the platform's visible listings, in listing order."""

    number: int  # 1-based
    size: int
    total: int  # visible listings on the platform on this date
    listings: tuple[Listing, ...]

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.last

    @property
    def span(self) -> tuple[int, int]:
        """1-based positions of the first and last listing shown; (0, 0) for none."""
        if not self.listings:
            return 0, 0
        first = (self.number - 1) * self.size + 1
        return first, first + len(self.listings) - 1


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


class Context(Protocol):
    """What a renderer may ask of the server for one request."""

    base: str  # e.g. "http://127.0.0.1:8400/tokopedia" (no trailing slash)
    as_of: str  # ISO date of the replica clock
    variant: str  # "v1", or "v2" under the layout fault / the Layout v2 timeline
    empty: bool  # the `empty` fault: the listing shows zero entries, total 0
    headers: dict[str, str]  # request headers, lower-case names (e.g. "accept")

    def page(self, number: int, size: int) -> Page:
        """The visible listings of this platform on page ``number``."""

    def lookup(self, listing_id: str) -> Listing | int | None:
        """A visible listing; an int HTTP status (404/410) for a withdrawn or gone
        one; None when the id never existed."""

    def lookup_slug(self, slug: str) -> Listing | int | None:
        """Like lookup, by URL slug (for platforms whose detail path has no id)."""


class Renderer(Protocol):
    """Each ``replica/platforms/<slug>.py`` module provides these names."""

    SLUG: str
    PAGE_SIZE: int  # listing page size

    def render(self, path_qs: str, ctx: Context) -> Response | None:
        """Render ``path_qs`` (path relative to the base, with the query string,
        e.g. "/discovery/kartu-prakerja/?page=2"); None for an unknown path (404).
        robots.txt is served by the server, not by renderers."""

    def page_kind(self, path_qs: str) -> str | None:
        """ "listing", "detail" or "api" for fault matching; None when unknown."""
