"""Removal probes: ask a listing's own URL whether it is gone, like the spiders do.

The same rules as a crawl: robots.txt obeyed, the project's user agent, a delay
between requests to one host (none on loopback, the replica), and no redirect
followed: a 3xx is "not confirmed", and only the platform's own host is asked.
Only a 404 or 410 from the listing URL itself confirms a removal.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from storage.facts import is_loopback

# The spiders' USER_AGENT (spiders/settings.py; a test keeps the two equal).
USER_AGENT = (
    "prakerja-monitor/0.1 (+https://github.com/prakerja-monitor/prakerja-monitor;"
    " compliance monitor for the Kartu Prakerja PMO)"
)
GONE = (404, 410)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx surfaces as an HTTPError: not followed


def same_host(url: str, base_url: str | None) -> bool:
    """True when ``url`` is on the platform's own scheme, host and port."""
    if not base_url:
        return True
    a, b = urlsplit(url), urlsplit(base_url)
    return (a.scheme, a.netloc.lower()) == (b.scheme, b.netloc.lower())


class RemovalProbe:
    """``probe(url) -> bool``: True only when the URL itself answers 404/410."""

    def __init__(self, user_agent: str = USER_AGENT, timeout=10.0, delay=1.0):
        self.user_agent, self.timeout, self.delay = user_agent, timeout, delay
        self.opener = urllib.request.build_opener(_NoRedirect)
        self.robots: dict[str, RobotFileParser | None] = {}
        self.last: dict[str, float] = {}

    def __call__(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        robots = self.robots_for(parts)
        if robots is None or not robots.can_fetch(self.user_agent, url):
            return False
        self.wait(parts, robots)
        try:
            with self.fetch(url):
                return False
        except urllib.error.HTTPError as exc:
            return exc.code in GONE
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def fetch(self, url: str):
        request = urllib.request.Request(
            url, method="GET", headers={"User-Agent": self.user_agent}
        )
        return self.opener.open(request, timeout=self.timeout)

    def robots_for(self, parts) -> RobotFileParser | None:
        """The host's robots.txt rules; None when they cannot be read (then
        nothing is asked: an unreadable robots.txt confirms nothing)."""
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self.robots:
            parser = RobotFileParser(key + "/robots.txt")
            try:
                with self.fetch(key + "/robots.txt") as answer:
                    body = answer.read(512 * 1024).decode("utf-8", "replace")
                parser.parse(body.splitlines())
            except urllib.error.HTTPError as exc:
                if exc.code in (401, 403):
                    parser.disallow_all = True
                elif 400 <= exc.code < 500:
                    parser.allow_all = True
                else:
                    parser = None
            except (urllib.error.URLError, OSError, ValueError):
                parser = None
            self.robots[key] = parser
        return self.robots[key]

    def wait(self, parts, robots: RobotFileParser) -> None:
        """Politeness: the host's Crawl-delay, at least ``delay`` s (0 on loopback)."""
        if is_loopback(parts.hostname):
            return
        delay = max(float(robots.crawl_delay(self.user_agent) or 0), self.delay)
        since = time.monotonic() - self.last.get(parts.netloc, -1e9)
        if since < delay:
            time.sleep(delay - since)
        self.last[parts.netloc] = time.monotonic()
