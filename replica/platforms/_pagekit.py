"""Small helpers shared by the page renderers: query strings, prices, escaping."""

from __future__ import annotations

import html
import json
import re
import zlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from replica.model import Page, Response

HTML = "text/html; charset=utf-8"
HALT = "2020-07-01"  # first day after the S-148 halt of bundle sales

DATA = Path(__file__).resolve().parent.parent / "data"

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=32)
def sample_text(slug: str, name: str) -> str:
    """A contract sample shipped in ``replica/data/<slug>/`` (read once)."""
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not a sample file name: {name!r}")
    return (DATA / slug / name).read_text(encoding="utf-8")


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


def dotted(amount: int) -> str:
    """Thousands with dots, the Indonesian way: 1650000 -> "1.650.000"."""
    return f"{amount:,}".replace(",", ".")


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


def html_response(body: str, status: int = 200) -> Response:
    return Response(status=status, content_type=HTML, body=body.encode("utf-8"))


def gone_page(status: int) -> Response:
    """The plain error page of a withdrawn (404) or gone (410) item."""
    reason = {404: "Not Found", 410: "Gone"}.get(status, "Error")
    body = (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
    )
    return html_response(body, status)
