"""Fault injection (platforms README section 5.1): parse, match, error bodies."""

from __future__ import annotations

import re
import threading

from replica import hostile

KINDS = (
    "status",
    "slow",
    "truncate",
    "layout",
    "empty",
    "gone",
    "wrong_304",
    *hostile.KINDS,
)
PAGE_KINDS = ("listing", "detail", "api", "robots", "any")
CLOUDFLARE = {"tokopedia", "bukalapak", "skillacademy"}
REASONS = {
    404: "Not Found",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


class FaultError(ValueError):
    """A fault list the control API refuses (HTTP 400)."""


def parse(faults: object) -> list[dict]:
    """Validated copies of the faults of a ``PUT /__replica/<slug>/faults`` body."""
    if not isinstance(faults, list):
        raise FaultError("the body must be a JSON list of faults")
    out = []
    for fault in faults:
        if not isinstance(fault, dict) or fault.get("kind") not in KINDS:
            raise FaultError(f"unknown fault {fault!r}; kinds: {', '.join(KINDS)}")
        fault = dict(fault)
        match = fault.setdefault("match", "any")
        if not isinstance(match, str):
            raise FaultError("match must be a string")
        if match not in PAGE_KINDS:
            try:
                re.compile(match)
            except re.error as exc:
                raise FaultError(f"bad match regex {match!r}: {exc}") from None
        count = fault.get("count")
        if count is not None and (not isinstance(count, int) or count < 0):
            raise FaultError("count must be a non-negative int")
        _check_params(fault)
        out.append(fault)
    return out


def _check_params(fault: dict) -> None:
    kind = fault["kind"]
    if kind == "status":
        fault.setdefault("status", 503)
        if not isinstance(fault["status"], int) or not 400 <= fault["status"] <= 599:
            raise FaultError("status must be an HTTP error status (429, 503, ...)")
    elif kind == "slow":
        if not isinstance(fault.get("delay_s", 0), int | float):
            raise FaultError("delay_s must be a number")
    elif kind == "truncate":
        keep = fault.setdefault("keep_fraction", 0.5)
        if not isinstance(keep, int | float) or not 0 <= keep <= 1:
            raise FaultError("keep_fraction must be between 0 and 1")
    elif kind == "layout":
        fault.setdefault("variant", "v2")
    elif kind == "gone":
        if not isinstance(fault.get("listing_id"), str):
            raise FaultError("gone needs a listing_id (string)")
        if fault.setdefault("status", 410) not in (404, 410):
            raise FaultError("gone status must be 404 or 410")
    elif kind in hostile.KINDS:
        hostile.check_params(fault, FaultError)


class FaultList:
    """One platform's faults; ``take`` consumes counts, safely across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[dict] = []

    def set(self, faults: list[dict]) -> None:
        with self._lock:
            self._faults = [dict(f) for f in faults]

    def clear(self) -> None:
        self.set([])

    def current(self) -> list[dict]:
        with self._lock:
            return [dict(f) for f in self._faults]

    def take(self, page_kind: str | None, path_qs: str) -> list[dict]:
        """The faults that apply to this request, each one's count used once."""
        applied = []
        with self._lock:
            if not self._faults:
                return applied
            for fault in self._faults:
                if fault.get("count") == 0 or not _matches(fault, page_kind, path_qs):
                    continue
                if fault.get("count") is not None:
                    fault["count"] -= 1
                applied.append(dict(fault))
        return applied


def _matches(fault: dict, page_kind: str | None, path_qs: str) -> bool:
    match = fault["match"]
    if match == "any":
        return True
    if match in PAGE_KINDS:
        return match == page_kind
    return re.search(match, path_qs) is not None


def error_body(slug: str, status: int) -> tuple[bytes, tuple[tuple[str, str], ...]]:
    """The error page a platform's edge sends (Cloudflare or plain nginx)."""
    reason = REASONS.get(status, "Error")
    if slug not in CLOUDFLARE or status < 429:
        body = (
            f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
            f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>"
            "\r\n</body>\r\n</html>\r\n"
        )
        return body.encode(), (("Server", "nginx"),)
    ray = f"5ab{status}c0ffee{len(slug):02d}-SIN"
    if status == 429:
        title = "Error 1015 | Access denied | used Cloudflare to restrict access"
        main = (
            '<h1><span class="cf-error-type">Error</span> <span class="cf-error-code">'
            "1015</span></h1><h2>You are being rate limited</h2><p>The owner of this "
            "website has banned you temporarily from accessing this website.</p>"
        )
    else:
        title = "Just a moment..."
        main = (
            "<h1>Checking your browser before accessing the website.</h1><p>This "
            "process is automatic. Your browser will redirect to your requested "
            "content "
            "shortly.</p>"
        )
    body = (
        '<!DOCTYPE html>\n<html lang="en-US"><head><meta charset="UTF-8">'
        f'<title>{title}</title></head><body><div id="cf-wrapper">{main}'
        f'<div class="cf-footer">Cloudflare Ray ID: <strong>{ray}</strong></div>'
        "</div></body></html>\n"
    )
    return body.encode(), (("Server", "cloudflare"), ("CF-RAY", ray))
