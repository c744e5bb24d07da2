"""Listing ids and URL slugs of generated listings (and their inverses)."""

from __future__ import annotations

import re

_JUNK = re.compile(r"[^a-z0-9]+")
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _multiplier(width: int) -> int:
    """A large odd non-multiple of 3: multiplying by it permutes 0..36**width-1."""
    number = int(36**width * 0.6180339887) | 1
    while number % 3 == 0:
        number += 2
    return number


def slugify(text: str, amp: str = "dan") -> str:
    text = text.lower().replace("&", f" {amp} ")
    return _JUNK.sub("-", text).strip("-")


def _b36(number: int, width: int) -> str:
    out = []
    for _ in range(width):
        number, digit = divmod(number, 36)
        out.append(_B36[digit])
    return "".join(reversed(out))


def _offset(width: int) -> int:
    return int(36**width * 0.2719)


def _scramble(g: int, width: int) -> int:
    return (g * _multiplier(width) + _offset(width)) % 36**width


def _unscramble(code: str, width: int) -> int | None:
    if len(code) != width or any(c not in _B36 for c in code):
        return None
    modulo = 36**width
    return (
        (int(code, 36) - _offset(width)) * pow(_multiplier(width), -1, modulo) % modulo
    )


_NUMERIC = {  # slug -> (first id, step) of generated numeric ids
    "maubelajarapa": (4300, 7),
    "pijarmahir": (5200, 3),
    "pintaria": (2400, 4),
    "sekolahmu": (1100, 3),
    "sisnaker": (200, 3),
    "tokopedia": (1191000000, 7919),
}


def generated_id(slug: str, g: int) -> str:
    """The listing id of generated listing number ``g`` (0-based) of a platform."""
    if slug == "bukalapak":
        return "5" + _b36(_scramble(g, 6), 6)
    if slug == "skillacademy":
        return "PROG-" + _b36(_scramble(g, 8), 8).upper()
    first, step = _NUMERIC[slug]
    number = first + step * g
    return f"PK-2020-{number:05d}" if slug == "sisnaker" else str(number)


def generated_number(slug: str, listing_id: str) -> int | None:
    """The inverse of ``generated_id``; None for an id it never makes."""
    if slug == "bukalapak":
        ok = listing_id.startswith("5")
        return _unscramble(listing_id[1:], 6) if ok else None
    if slug == "skillacademy":
        ok = listing_id.startswith("PROG-") and listing_id == listing_id.upper()
        return _unscramble(listing_id[5:].lower(), 8) if ok else None
    text = listing_id.removeprefix("PK-2020-") if slug == "sisnaker" else listing_id
    if not text.isdigit() or (slug == "sisnaker" and text == listing_id):
        return None
    first, step = _NUMERIC[slug]
    g, rest = divmod(int(text) - first, step)
    if rest or g < 0 or generated_id(slug, g) != listing_id:
        return None
    return g
