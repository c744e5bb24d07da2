"""PNG screenshots of archived pages: headless chromium renders the archived bytes,
served from a loopback server of our own (every other host unresolvable), and
scrolls the payment section into view (DevTools protocol over a pipe)."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

WIDTH, HEIGHT = 1280, 900
HOP_HEADERS = ("content-length", "transfer-encoding", "connection")
FIND_PAYMENT = r"""
(() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const sel = '[id*="payment" i],[class*="payment" i],[id*="pembayaran" i],'
    + '[class*="pembayaran" i]';
  let el = [...document.querySelectorAll(sel)].find(visible);
  let label = el ? (el.innerText || '').slice(0, 200) : '';
  const patterns = [/metode pembayaran|pilihan pembayaran|payment method/i,
                    /pembayaran|payment/i];
  for (const re of patterns) {
    if (el || !document.body) break;
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walk.nextNode())) {
      const parent = node.parentElement;
      if (re.test(node.textContent) && parent && visible(parent)) {
        el = /^(TH|TD|DT|DD|LABEL|SPAN|STRONG|B|EM)$/.test(parent.tagName)
          ? parent.parentElement : parent;
        label = node.textContent.trim().slice(0, 200);
        break;
      }
    }
  }
  if (!el) return null;
  el.scrollIntoView({block: 'center'});
  const r = el.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, left: r.left, width: r.width,
          height: r.height, label: label, text: (el.innerText || '').slice(0, 400),
          in_view: r.top < innerHeight && r.bottom > 0};
})()
"""


class ScreenshotError(Exception):
    """Chromium is missing, or failed to render a page."""


# Debian chromium headless as root, with none of its own network traffic.
HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> str:
    found = os.environ.get("PRAKERJA_CHROMIUM") or shutil.which("chromium")
    if not found:
        found = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    if not found:
        raise ScreenshotError(
            "chromium not found (install it, or set PRAKERJA_CHROMIUM)"
        )
    return found


class ArchivedPages(ThreadingHTTPServer):
    """The browser's proxy: archived responses by URL (``http`` pages load at
    their own URL), or by path on this server (``https`` ones); anything else
    is a 404, so nothing is fetched live."""

    daemon_threads = True

    def __init__(self):
        self.pages: dict[str, tuple[int, list, bytes]] = {}
        super().__init__(("127.0.0.1", 0), _Handler)

    def serve(self, responses: list[dict]) -> None:
        """responses: dicts with uri, status, headers [(k, v)], body."""
        self.pages = {}
        for r in responses:
            found = (r["status"] or 200, r["headers"], r["body"])
            parts = urlsplit(r["uri"])
            self.pages.setdefault(_path(parts), found)
            self.pages[r["uri"]] = found

    def url(self, uri: str) -> str:
        if uri.startswith("http://"):
            return uri
        return f"http://127.0.0.1:{self.server_address[1]}{_path(urlsplit(uri))}"

    def find(self, target: str):
        if target.startswith("http://"):
            parts = urlsplit(target)
            if parts.netloc != f"127.0.0.1:{self.server_address[1]}":
                return self.pages.get(target)
            target = _path(parts)
        return self.pages.get(target)


def _path(parts) -> str:
    return (parts.path or "/") + ("?" + parts.query if parts.query else "")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        found = self.server.find(self.path)
        if found is None:
            self.send_error(404)
            return
        status, headers, body = found
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in HOP_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Browser:
    """One headless chromium driven over ``--remote-debugging-pipe``."""

    def __init__(self, proxy_port: int):
        self._profile = tempfile.TemporaryDirectory(
            prefix="prakerja-chromium-", ignore_cleanup_errors=True
        )
        self.profile = self._profile.name
        to_child, self._w = os.pipe()
        self._r, from_child = os.pipe()

        def wire():  # the child's fd 3 reads commands, fd 4 writes answers
            a = fcntl.fcntl(to_child, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_child, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [
                chromium_path(),
                *HEADLESS,
                "--hide-scrollbars",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--proxy-server=http://127.0.0.1:{proxy_port}",
                "--proxy-bypass-list=<-loopback>",
                f"--user-data-dir={self.profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,  # noqa: PLW1509 - single-threaded at this point
            close_fds=False,
        )
        os.close(to_child)
        os.close(from_child)
        self.buffer, self.next_id, self.events = b"", 0, []

    def send(self, method: str, params=None, session=None, timeout=30.0) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._w, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._read(deadline)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise ScreenshotError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def wait_event(self, method: str, timeout=30.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._read(deadline))

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise ScreenshotError("chromium did not answer")
            import select

            ready, _, _ = select.select([self._r], [], [], 0.5)
            if ready:
                chunk = os.read(self._r, 1 << 20)
                if not chunk:
                    raise ScreenshotError("chromium closed its pipe")
                self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def screenshot(self, url: str) -> tuple[bytes, dict | None]:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send(
            "Target.attachToTarget", {"targetId": target, "flatten": True}
        )["sessionId"]
        self.send("Page.enable", session=session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired")
        found = None
        for _ in range(10):  # pages that load their payment section by script
            found = self.send(
                "Runtime.evaluate",
                {"expression": FIND_PAYMENT, "returnByValue": True},
                session=session,
            )["result"].get("value")
            if found:
                break
            time.sleep(0.2)
        time.sleep(0.2)  # one frame after scrolling
        png = self.send("Page.captureScreenshot", {"format": "png"}, session=session)
        self.send("Target.closeTarget", {"targetId": target})
        return base64.b64decode(png["data"]), found

    def close(self) -> None:
        with contextlib.suppress(ScreenshotError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._r, self._w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._profile.cleanup()


def render(shots: list[dict]) -> list[dict]:
    """Screenshot each page: ``shots`` are dicts with ``page`` (the response to
    render) and ``context`` (the responses it may load, same crawl). Returns per
    shot the PNG bytes and where the payment section was."""
    server = ArchivedPages()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    browser = Browser(server.server_address[1])
    try:
        out = []
        for shot in shots:
            server.serve([shot["page"], *shot.get("context", [])])
            png, payment = browser.screenshot(server.url(shot["page"]["uri"]))
            out.append({**shot, "png": png, "payment": payment})
        return out
    finally:
        browser.close()
        server.shutdown()
        server.server_close()
