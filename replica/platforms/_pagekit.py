"""Helpers shared by the page renderers: requests, responses, paging and values."""

from __future__ import annotations

import html
import json
import re
import zlib
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from replica.model import Listing, Page, Response
from replica.scenario import CHANGE  # noqa: F401 - the renderers read it here

HTML = "text/html; charset=utf-8"
JSON = "application/json"
REASONS = {404: "Not Found", 406: "Not Acceptable", 410: "Gone"}

DATA = Path(__file__).resolve().parent.parent / "data"

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=32)
def sample_text(slug: str, name: str) -> str:
    """A contract sample shipped in ``replica/data/<slug>/`` (read once)."""
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not a sample file name: {name!r}")
    return (DATA / slug / name).read_text(encoding="utf-8")


# -- requests --------------------------------------------------------------------


def split(path_qs: str) -> tuple[str, dict[str, str]]:
    """The path and the query parameters (first value wins) of ``path_qs``."""
    parts = urlsplit(path_qs)
    params: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        params.setdefault(key, value)
    return parts.path or "/", params


def positive_int(value: str | None, default: int) -> int | None:
    """A positive int query value; ``default`` when absent; None when malformed."""
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        return None
    return int(value)


def listing_page(ctx, number: int, size: int) -> Page:
    """``ctx.page`` with the ``empty`` fault applied (zero entries, total 0)."""
    if ctx.empty:
        return Page(number=number, size=size, total=0, listings=())
    return ctx.page(number, size)


# -- responses -------------------------------------------------------------------


def html_response(body: str, status: int = 200, headers=()) -> Response:
    return Response(status, HTML, body.encode("utf-8"), tuple(headers))


def json_response(value: object, status: int = 200) -> Response:
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return Response(status, JSON, text.encode("utf-8"))


def listing_response(
    ctx, params: dict[str, str], size: int, render: Callable[..., str]
) -> Response | None:
    """``render(ctx, page)`` of listing page ``?page=N`` (1 when absent); None (the
    server's 404) when N is malformed."""
    number = positive_int(params.get("page"), 1)
    if number is None:
        return None
    return html_response(render(ctx, listing_page(ctx, number, size)))


def slugged_detail(
    ctx, found: re.Match, url: Callable[..., str], render: Callable[..., str]
) -> Response | None:
    """``render(ctx, listing)`` of an ``<id>-<slug>`` detail path (``found``: its id
    and slug groups); for a stale slug, a redirect to ``url(ctx.base, listing)``."""
    listing = ctx.lookup(found.group(1))
    if not isinstance(listing, Listing):
        return lookup_error(listing)
    if listing.slug != found.group(2):
        return redirect(url(ctx.base, listing))
    return html_response(render(ctx, listing))


def lookup_error(found: int | None, signature: str | None = "nginx") -> Response | None:
    """What a detail path answers when ``ctx.lookup`` gives no listing: None (the
    server's 404) for an unknown id, the error page of a withdrawn (404) or gone
    (410) one."""
    return None if found is None else error_page(found, signature)


def error_page(status: int, signature: str | None = "nginx") -> Response:
    """The web server's plain error page; ``signature`` None: without the footer."""
    reason = REASONS.get(status, "Error")
    footer = f"<hr><center>{signature}</center>\r\n" if signature else ""
    body = (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n{footer}</body>\r\n"
        "</html>\r\n"
    )
    return html_response(body, status)


def redirect(location: str) -> Response:
    body = f'<a href="{esc(location)}">Moved Permanently</a>.\n'
    return html_response(body, 301, (("Location", location),))


# -- paging ----------------------------------------------------------------------


def page_url(url: str, number: int) -> str:
    """``url`` for page 1, else ``url?page=N``."""
    return url if number <= 1 else f"{url}?page={number}"


def page_numbers(current: int, last: int, mid: int = 2) -> list[int | None]:
    """Page links to show, WordPress style: first, last, neighbours; None = dots."""
    shown: list[int | None] = []
    for n in range(1, last + 1):
        if n in (1, last) or abs(n - current) <= mid:
            shown.append(n)
        elif shown and shown[-1] is not None:
            shown.append(None)
    return shown


def pagination(
    page: Page,
    url: Callable[[int], str],
    numbers: Iterable[int | None],
    *,
    back: str,
    link: str,
    current: str,
    forward: str,
    gap: str = "",
    no_back: str = "",
    no_forward: str = "",
) -> list[str]:
    """The pagination items of ``page``, each from a platform's markup template:
    ``back`` (a previous page exists, else ``no_back``), one per page of ``numbers``
    (``current`` for this page, ``link`` for others, ``gap`` for None), ``forward``
    (a next page exists, else ``no_forward``). Templates take ``{url}`` (escaped)
    and ``{n}``; an empty template adds no item."""
    items = []
    if page.number > 1:
        items.append(back.format(url=esc(url(page.number - 1))))
    else:
        items.append(no_back)
    for n in numbers:
        if n is None:
            items.append(gap)
        elif n == page.number:
            items.append(current.format(n=n))
        else:
            items.append(link.format(url=esc(url(n)), n=n))
    if page.has_next:
        items.append(forward.format(url=esc(url(page.number + 1))))
    else:
        items.append(no_forward)
    return [item for item in items if item]


# -- values ----------------------------------------------------------------------


def dotted(amount: int) -> str:
    """Thousands with dots, the Indonesian way: 1650000 -> "1.650.000"."""
    return f"{amount:,}".replace(",", ".")


def slashed(listing: Listing) -> int:
    """The struck-through price, 0 when none is shown."""
    original = listing.list_price_idr
    return original if original and original != listing.price_idr else 0


def esc(text: object) -> str:
    """Escape text for an HTML element or a double-quoted attribute."""
    return html.escape(str(text), quote=True)


def script_json(value: object) -> str:
    """JSON that is safe inside ``<script>``: no ``</script>`` or line separators."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def stable_int(text: str, modulo: int) -> int:
    """A deterministic number derived from ``text`` (Python's hash() is salted)."""
    return zlib.crc32(text.encode("utf-8")) % modulo


def slugify(text: str) -> str:
    return _SLUG_JUNK.sub("-", text.lower()).strip("-")
