"""Fold text a page can vary without meaning anything, before any decision on it."""

from __future__ import annotations

import html
import re
import unicodedata

# Zero-width and invisible formatting characters (and the soft hyphen).
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")
# Every Unicode space, line break and control character.
_SPACES = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def fold(value: object, casefold: bool = False) -> str:
    """Entity and character references decoded, NFKC, zero-width characters
    dropped, every run of Unicode spaces and line breaks as one space, stripped;
    letter case folded when ``casefold`` (where a contract compares so)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()
    return text.casefold() if casefold else text


def same(a: object, b: object, casefold: bool = False) -> bool:
    """Two texts equal once folded (letter case too when ``casefold``)."""
    return fold(a, casefold) == fold(b, casefold)
