"""The replica's HTTP request handling (stdlib): platform pages, robots.txt, faults."""

from __future__ import annotations

import json
import socket
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from replica import conditional as cond
from replica import faults as fl
from replica import hostile
from replica import scenario as sc
from replica.context import RequestContext
from replica.control import handle
from replica.model import SLUGS, Response
from replica.state import State, combined_robots, robots

TEMPLATE_ROOT = "http://127.0.0.1:8400"  # the base the sample files are written for
JSON = "application/json"


class PlatformServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address, state: State, slug: str | None, platforms=True):
        self.state = state
        self.slug = slug  # port mode: the platform of this port; None: prefix/control
        self.platforms = platforms  # False: a port-mode control port
        super().__init__(address, Handler)

    def handle_error(self, request, client_address):
        kind = sys.exc_info()[0]
        if kind is not None and issubclass(kind, (ConnectionError, TimeoutError)):
            return  # clients hanging up are normal under load
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "replica"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    timeout = 120
    server: PlatformServer

    def log_message(self, format, *args):  # noqa: A002 - quiet by design
        pass

    def do_GET(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    # -- routing -------------------------------------------------------------
    def _dispatch(self) -> None:
        path = urlsplit(self.path).path
        try:
            if path.startswith("/__replica/"):
                return self._control(path)
            if self.command not in ("GET", "HEAD"):
                return self._send(405, "text/plain", b"Method Not Allowed\n")
            slug, rest = self._platform_path()
            if not self.server.platforms:
                return self._send(404, "text/plain", b"Not Found\n")
            if slug is None:
                if rest == "/robots.txt":
                    return self._root_robots()
                return self._send(404, "text/plain", b"Not Found\n")
            self._platform(slug, rest)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception:  # a renderer bug: answer 500 and say why on stderr
            traceback.print_exc()
            self._send(500, "text/plain", b"replica error\n")

    def _platform_path(self) -> tuple[str | None, str]:
        """(slug, path_qs relative to the platform base) of this request."""
        if self.server.slug:
            return self.server.slug, self.path
        head, _, tail = self.path.lstrip("/").partition("/")
        slug, _, query = head.partition("?")
        if slug in SLUGS:
            rest = "/" + tail if tail or not query else "/?" + query
            return slug, rest
        return None, self.path

    def _root_robots(self) -> None:
        for slug in SLUGS:  # a robots fault of any platform applies to the root file
            applied = self.server.state.faults[slug].take("robots", "/robots.txt")
            if applied:
                return self._serve(slug, "/robots.txt", applied, _robots_root)
        self._send(200, "text/plain; charset=utf-8", combined_robots().encode())

    def _platform(self, slug: str, path_qs: str) -> None:
        state = self.server.state
        is_robots = path_qs == "/robots.txt"
        kind = "robots" if is_robots else _page_kind(state, slug, path_qs)
        applied = state.faults[slug].take(kind, path_qs)
        make = _robots_for(slug) if is_robots else None
        self._serve(slug, path_qs, applied, make)

    def _serve(self, slug: str, path_qs: str, applied: list[dict], make) -> None:
        state = self.server.state
        by_kind: dict[str, dict] = {}
        for fault in applied:
            by_kind.setdefault(fault["kind"], fault)
        if "slow" in by_kind:
            time.sleep(float(by_kind["slow"].get("delay_s", 0)))
        if "status" in by_kind:
            response = _status_response(slug, by_kind["status"])
        elif "redirect" in by_kind:
            response = hostile.redirect(slug, state.bases[slug], by_kind["redirect"])
        elif make is not None:
            response = make()
        else:
            response = self._render(slug, path_qs, applied, by_kind)
            response = hostile.transform(response, by_kind)
        if "truncate" not in by_kind:  # a broken full body is never a 304
            wrong = "wrong_304" in by_kind
            response = self._conditional(slug, path_qs, response, wrong)
        names = "+".join(dict.fromkeys(f["kind"] for f in applied)) or None
        entry = {
            "t": round(time.time(), 3),
            "method": self.command,
            "path_qs": path_qs,
            "status": response.status,
            "bytes": 0,
            "fault": names,
        }
        # logged before the body goes out: a client that has read the whole body
        # must find its request in the log
        self._write(response, by_kind, lambda sent: _log(state, slug, entry, sent))

    def _render(self, slug, path_qs, applied, by_kind) -> Response:
        state = self.server.state
        as_of = state.as_of
        variant = by_kind.get("layout", {}).get("variant") or sc.variant(slug, as_of)
        gone = {f["listing_id"]: f["status"] for f in applied if f["kind"] == "gone"}
        empty = "empty" in by_kind
        headers = {k.lower(): v for k, v in self.headers.items()}
        base = state.bases[slug]
        key = (slug, path_qs, as_of, variant, empty, tuple(sorted(gone.items())), base)
        varied = hostile.listing_faults(by_kind)
        key += (headers.get("accept", ""), hostile.cache_key(varied))

        def make() -> Response:
            ctx = RequestContext(
                state.catalog, slug, base, as_of, variant, empty, gone, headers, varied
            )
            found = state.renderer(slug).render(path_qs, ctx)
            if found is None:
                return Response(
                    404, "text/html; charset=utf-8", fl.error_body(slug, 404)[0]
                )
            return _rebase(found, slug, base)

        return state.cached(key, make)

    def _conditional(self, slug, path_qs, response, wrong: bool) -> Response:
        """ETag/Last-Modified on a page, or its 304 (replica.conditional)."""
        headers = {k.lower(): v for k, v in self.headers.items()}
        key = (slug, path_qs, self.server.state.bases.get(slug))
        return cond.answer(self.server.state.validators, key, response, headers, wrong)

    def _write(self, response: Response, by_kind: dict, log=None) -> None:
        body = response.body
        self.send_response(response.status)
        if response.status != 304:  # a 304 has no body to describe
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(body)))
        for name, value in response.headers:
            self.send_header(name, value)
        truncate = by_kind.get("truncate")
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        if self.command == "HEAD":
            body = b""
        elif truncate:
            body = body[: int(len(body) * float(truncate["keep_fraction"]))]
        if log:
            log(len(body))
        self.end_headers()
        bps = by_kind.get("slow", {}).get("trickle_bps")
        if bps:
            chunk = max(1, int(bps) // 10)
            for start in range(0, len(body), chunk):
                self.wfile.write(body[start : start + chunk])
                self.wfile.flush()
                time.sleep(chunk / float(bps))
        else:
            self.wfile.write(body)
        self.wfile.flush()
        if truncate:
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, status: int, content_type: str, body: bytes, headers=()) -> None:
        self._write(Response(status, content_type, body, tuple(headers)), {})

    # -- control API ---------------------------------------------------------
    def _control(self, path: str) -> None:
        state, body = self.server.state, self._body()
        status, payload = handle(state, self.command, self.path, body)
        body = json.dumps(payload, ensure_ascii=False).encode()
        self._send(status, JSON, body)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""


def _log(state: State, slug: str, entry: dict, sent: int) -> None:
    entry["bytes"] = sent
    state.logs[slug].append(entry)


def _page_kind(state: State, slug: str, path_qs: str) -> str | None:
    try:
        return state.renderer(slug).page_kind(path_qs)
    except ImportError:
        return None


def _robots_for(slug: str):
    return lambda: Response(200, "text/plain; charset=utf-8", robots(slug).encode())


def _robots_root() -> Response:
    return Response(200, "text/plain; charset=utf-8", combined_robots().encode())


def _status_response(slug: str, fault: dict) -> Response:
    status = int(fault["status"])
    body, headers = fl.error_body(slug, status)
    if status == 429 or fault.get("retry_after") is not None:
        headers += (("Retry-After", str(fault.get("retry_after", 1))),)
    return Response(status, "text/html; charset=utf-8", body, headers)


def _rebase(response: Response, slug: str, base: str) -> Response:
    """Replace the sample files' literal prefix-mode base by the served base."""
    template = f"{TEMPLATE_ROOT}/{slug}"
    if base == template:
        return response
    body = response.body.replace(template.encode(), base.encode())
    escaped = template.replace("/", "\\u002F").encode()
    body = body.replace(escaped, base.replace("/", "\\u002F").encode())
    return Response(response.status, response.content_type, body, response.headers)
