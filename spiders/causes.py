"""Name the causes behind a crawl's failures from its Scrapy stats, for maintainers."""

from __future__ import annotations

from spiders.stats import EXCEPTIONS, ITEMS_DROPPED, STATUSES

# Words in an exception's dotted name -> the cause a maintainer can act on.
KNOWN = (
    ("DNSLookupError", "DNS lookup failed"),
    ("ConnectionRefused", "connection refused"),
    ("SSL", "TLS error"),
    ("TLS", "TLS error"),
    ("TimeoutError", "timed out"),
    ("TimedOut", "timed out"),
    ("ConnectionLost", "connection lost"),
    ("ResponseNeverReceived", "no response received"),
    ("ConnectionDone", "connection closed"),
)


def exception_cause(name: str) -> str:
    """The cause an exception's dotted name stands for."""
    for word, cause in KNOWN:
        if word in name:
            return cause
    return name.rsplit(".", 1)[-1]


def failure_causes(stats: dict) -> str:
    """ "DNS lookup failed (3); HTTP 503 x12; 2 requests disallowed by robots.txt" """
    found: dict[str, int] = {}
    for key, count in stats.items():
        if key.startswith(EXCEPTIONS):
            cause = exception_cause(key[len(EXCEPTIONS) :])
            found[cause] = found.get(cause, 0) + int(count)
    parts = [f"{cause} ({count})" for cause, count in sorted(found.items())]
    statuses = sorted(
        (int(key[len(STATUSES) :]), int(count))
        for key, count in stats.items()
        if key.startswith(STATUSES) and key[len(STATUSES) :].isdigit()
    )
    parts += [f"HTTP {code} x{count}" for code, count in statuses if code >= 400]
    forbidden = stats.get("robotstxt/forbidden", 0)
    if forbidden:
        parts.append(f"{forbidden} requests disallowed by robots.txt")
    return "; ".join(parts)


def unread_causes(stats: dict) -> str:
    """What kept listed trainings from yielding items, as a parenthesised list."""
    parts = []
    dropped = stats.get(ITEMS_DROPPED, 0)
    if dropped:
        parts.append(f"{dropped} without a required field")
    redirects = sum(
        int(count)
        for key, count in stats.items()
        if key.startswith(STATUSES)
        and key[len(STATUSES) :] in ("301", "302", "303", "307", "308")
    )
    if redirects:
        parts.append(f"{redirects} redirected")
    if stats.get("dupefilter/filtered", 0):
        parts.append(f"{stats['dupefilter/filtered']} duplicate requests filtered")
    if stats.get("spider_exceptions/count", 0):
        parts.append(f"{stats['spider_exceptions/count']} parse errors")
    errors = stats.get("httperror/response_ignored_count", 0) + stats.get(
        "retry/max_reached", 0
    )
    if errors:
        parts.append(f"{errors} failed after retries")
    return f" ({'; '.join(parts)})" if parts else ""
