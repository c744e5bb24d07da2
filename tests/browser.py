"""Headless Debian chromium for tests: screenshots and DOM dumps, no driver needed."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from monitor.evidence.screenshot import HEADLESS

CHROMIUM = "/usr/bin/chromium"
FLAGS = (*HEADLESS, "--window-size=1280,2000")
INSTALL = "apt-get update && apt-get install -y chromium"


def chromium() -> str:
    """The chromium binary; a missing browser fails the test, it never skips."""
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        pytest.fail(
            f"chromium not found at {CHROMIUM}: the browser tests need Debian's"
            f" chromium; install it with: {INSTALL}",
            pytrace=False,
        )
    return path


def _run(args: list[str], profile: Path, timeout: float = 90) -> str:
    profile.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def dump_dom(url: str, tmp: Path) -> str:
    """The DOM after the page loaded, serialized as HTML."""
    return _run(["--dump-dom", url], tmp / "profile-dom")


def screenshot(url: str, png: Path, tmp: Path) -> Path:
    _run([f"--screenshot={png}", url], tmp / "profile-shot")
    return png


def png_size_and_colours(path: Path) -> tuple[int, int, int]:
    """Width, height, and how many distinct byte values the pixels hold (a blank
    page has two or three: filter bytes and white)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


class _Finder(HTMLParser):
    def __init__(self, tag: str, cls: str | None):
        super().__init__()
        self.tag, self.cls, self.found = tag, cls, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == self.tag and (self.cls is None or self.cls in classes):
            self.found.append(attrs)


def find_all(html: str, tag: str, cls: str | None = None) -> list[dict]:
    """Attributes of every ``tag`` element (with class ``cls``) in ``html``."""
    finder = _Finder(tag, cls)
    finder.feed(html)
    return finder.found
