"""Conditional GETs on the replica: an ETag per rendered body, a Last-Modified of
when that body was first served, 304 when the client's validator still matches
(If-None-Match wins over If-Modified-Since, RFC 9110 13.2.2), and the
``wrong_304`` fault: 304 whatever the validator, or without one."""

from __future__ import annotations

import hashlib
import threading
import time
from email.utils import formatdate, parsedate_to_datetime

from replica.model import Response


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


class Validators:
    """ETag and Last-Modified of each URL's current body (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[tuple, tuple[str, str]] = {}

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()

    def of(self, key: tuple, body: bytes) -> tuple[str, str]:
        tag = etag_of(body)
        with self._lock:
            known = self._seen.get(key)
            if known is None or known[0] != tag:
                known = self._seen[key] = (tag, formatdate(time.time(), usegmt=True))
            return known


def answer(
    validators: Validators, key: tuple, response: Response, headers: dict, wrong: bool
) -> Response:
    """``response`` with its validators, or a 304 for it (``headers``: the
    request's, lower-case names). Only 200s take part."""
    if response.status != 200:
        return response
    tag, modified = validators.of(key, response.body)
    own = (("ETag", tag), ("Last-Modified", modified), ("Cache-Control", "no-cache"))
    if wrong or _not_modified(headers, tag, modified):
        return Response(304, response.content_type, b"", own)
    return Response(
        response.status,
        response.content_type,
        response.body,
        tuple(response.headers) + own,
    )


def _not_modified(headers: dict, tag: str, modified: str) -> bool:
    match = headers.get("if-none-match")
    if match is not None:
        sent = [t.strip().removeprefix("W/") for t in match.split(",")]
        return "*" in sent or tag in sent
    since = headers.get("if-modified-since")
    if since is None:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
