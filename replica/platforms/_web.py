"""Helpers of the bukalapak, maubelajarapa, pijarmahir and pintaria renderers."""

from __future__ import annotations

import html
import json
import zlib
from urllib.parse import parse_qsl, urlsplit

from replica.model import Response

HTML = "text/html; charset=utf-8"
JSON = "application/json"
BAD = -1  # a malformed page number


def split(path_qs: str) -> tuple[str, dict[str, str]]:
    """The path and the query parameters (first value wins)."""
    parts = urlsplit(path_qs)
    params: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        params.setdefault(key, value)
    return parts.path or "/", params


def number(value: str | None, default: int = 1) -> int:
    """A positive int parameter; ``default`` when absent; ``BAD`` when malformed."""
    if value is None:
        return default
    return int(value) if value.isdigit() and int(value) >= 1 else BAD


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def dotted(amount: int) -> str:
    """1650000 -> "1.650.000"."""
    return f"{amount:,}".replace(",", ".")


def stable(text: str, modulo: int) -> int:
    """A deterministic small number from ``text`` (``hash()`` is salted)."""
    return zlib.crc32(text.encode()) % modulo


def discount(price: int, original: int | None) -> int:
    return round(100 * (1 - price / original)) if original else 0


def page_numbers(current: int, last: int, mid: int = 2) -> list[int | None]:
    """Page links to show, WordPress style: first, last, neighbours; None = dots."""
    shown: list[int | None] = []
    for n in range(1, last + 1):
        if n in (1, last) or abs(n - current) <= mid:
            shown.append(n)
        elif shown and shown[-1] is not None:
            shown.append(None)
    return shown


def html_page(body: str, status: int = 200, headers=()) -> Response:
    return Response(status, HTML, body.encode("utf-8"), tuple(headers))


def json_page(value: object, status: int = 200) -> Response:
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return Response(status, JSON, text.encode("utf-8"))


def script_json(value: object) -> str:
    """JSON for a ``<script>`` element: no ``</`` and no raw line separators."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028")


def redirect(location: str) -> Response:
    body = f'<a href="{esc(location)}">Moved Permanently</a>.\n'
    return html_page(body, 301, (("Location", location),))


def error_page(status: int) -> Response:
    reason = {404: "Not Found", 406: "Not Acceptable", 410: "Gone"}.get(status, "Error")
    return html_page(
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>"
        "\r\n</body>\r\n</html>\r\n",
        status,
    )
