"""The ``surface`` fault: a page varied only in ways its contract allows.

HTML text nodes get whitespace runs, line breaks, NBSP (raw, ``&nbsp;``,
``&#160;``) and entities for accented letters; tags get their attributes in
reverse order; ``li`` and ``h1`` contents get an extra ``span`` wrapper (selectors
into them are descendant selectors). JSON strings, in JSON bodies and in scripts
(JSON-LD, Nuxt state, Apollo cache), get ``\\u`` escapes. Every variation decodes
to the same text after the contracts' normalization.
"""

from __future__ import annotations

import re
from html.entities import codepoint2name
from itertools import count

_SCRIPT = re.compile(
    r"(<script\b[^>]*>.*?</script>|<style\b[^>]*>.*?</style>)", re.S | re.I
)
_TAG = re.compile(r'<([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:="[^"]*")?)+)\s*(/?)>')
_ATTR = re.compile(r'\s+([\w:-]+(?:="[^"]*")?)')
_TEXT = re.compile(r">([^<]+)<")
_GAP = re.compile(r"(?<=\S) (?=\S)")
_WRAP = re.compile(r"<(li|h1)\b([^>]*)>((?:(?!<li\b|<h1\b).)*?)</\1>", re.S)
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_CHAR = re.compile(r"\\u[0-9a-fA-F]{4}|\\.|[ ea]|[^\x00-\x7f]")
SPACES = ("  ", "\n", "&nbsp;", "&#160;", "\u00a0", " \n\t ")


def surface(body: bytes, content_type: str) -> bytes:
    """``body`` varied within its contract (HTML or JSON; others unchanged)."""
    text = body.decode("utf-8")
    if "json" in content_type:
        return json_strings(text).encode("utf-8")
    if "html" not in content_type:
        return body
    parts = _SCRIPT.split(text)
    out = [script_part(p) if i % 2 else html_part(p) for i, p in enumerate(parts)]
    return "".join(out).encode("utf-8")


def script_part(block: str) -> str:
    """A script element with its content's JSON strings escaped (tags kept)."""
    opening = block.index(">") + 1
    closing = block.rindex("</")
    return block[:opening] + json_strings(block[opening:closing]) + block[closing:]


def html_part(text: str) -> str:
    text = _WRAP.sub(lambda m: f"<{m[1]}{m[2]}><span>{m[3]}</span></{m[1]}>", text)
    text = _TAG.sub(_reverse_attributes, text)
    turn = count()
    return _TEXT.sub(lambda m: ">" + _vary_text(m[1], turn) + "<", text)


def _reverse_attributes(match: re.Match) -> str:
    attributes = _ATTR.findall(match[2])
    return f"<{match[1]} {' '.join(reversed(attributes))}{match[3]}>"


def _vary_text(text: str, turn) -> str:
    if not text.strip():
        return text
    text = _GAP.sub(lambda m: SPACES[next(turn) % len(SPACES)], text)
    return "".join(
        _entity(c, turn) if ord(c) > 127 and c.isalpha() else c for c in text
    )


def _entity(char: str, turn) -> str:
    name = codepoint2name.get(ord(char))
    if name and next(turn) % 2:
        return f"&{name};"
    return f"&#{ord(char)};"


def json_strings(text: str) -> str:
    """Every JSON string literal with some characters as ``\\u`` escapes."""
    return _STRING.sub(lambda m: '"' + _CHAR.sub(_escape, m[1]) + '"', text)


def _escape(match: re.Match) -> str:
    token = match[0]
    if token.startswith("\\"):
        return token
    code = ord(token)
    if code > 0xFFFF:
        return token
    return f"\\u{code:04x}"
