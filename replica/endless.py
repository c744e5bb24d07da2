"""A hostile host in front of the replica: endless, slow Skill Academy pagination.

Every page of the search API answers with the replica's page ``(N - 1) % real + 1``
under fresh course ids, and claims ``total_pages`` pages (a million by default):
pagination that never ends. Tests and benchmarks put it in front of the replica.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = re.compile(r"([?&]page=)(\d+)")


class EndlessPagination(ThreadingHTTPServer):
    """Relays GETs to ``upstream`` (the replica root); the search API pages never
    end. ``delay_s`` slows every answer; ``endless`` False relays unchanged."""

    daemon_threads = True

    def __init__(self, upstream: str, total_pages=1_000_000, delay_s=0.0):
        self.upstream, self.total_pages, self.delay_s = upstream, total_pages, delay_s
        self.endless, self.requests = True, 0
        super().__init__(("127.0.0.1", 0), _Handler)

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()

    def handle_error(self, request, client_address):
        pass  # a crawl killed mid-request resets its connections: not our error

    def base(self, slug: str = "skillacademy") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{slug}"

    def fetch(self, path: str) -> tuple[int, str, bytes]:
        with urllib.request.urlopen(self.upstream + path) as up:
            return up.status, up.headers["Content-Type"], up.read()

    def page(self, path: str) -> bytes:
        """The body for a search API page: a real page, renumbered and renamed."""
        wanted = int(PAGE.search(path).group(2))
        first = json.loads(self.fetch(PAGE.sub(r"\g<1>1", path, count=1))[2])
        real = max(1, int(first["data"]["totalPage"]))
        source = (wanted - 1) % real + 1
        body = json.loads(self.fetch(PAGE.sub(rf"\g<1>{source}", path, count=1))[2])
        data = body["data"]
        data["page"], data["totalPage"] = wanted, self.total_pages
        data["totalCourse"] = self.total_pages * max(1, len(data["data"]))
        for entry in data["data"]:
            entry["courseSerial"] = f"{entry['courseSerial']}-p{wanted}"
        return json.dumps(body).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: EndlessPagination

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def do_GET(self):  # noqa: N802 - http.server
        self.server.requests += 1
        if self.server.delay_s:
            time.sleep(self.server.delay_s)
        if self.server.endless and "/discovery/search" in self.path:
            status, kind, body = 200, "application/json", self.server.page(self.path)
        else:
            status, kind, body = self.server.fetch(self.path)
        self.send_response(status)
        self.send_header("Content-Type", kind or "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
