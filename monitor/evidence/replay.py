"""Replay a package with pywb on loopback: its WARCs and CDXJ index become a pywb
collection, served by ``wayback`` bound to 127.0.0.1."""

from __future__ import annotations

import contextlib
import ctypes
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

COLLECTION = "evidence"


class ReplayError(Exception):
    """pywb is not installed or did not start."""


def prepare(wacz_path: str | Path, folder: str | Path) -> Path:
    """Unpack the package's archive and index into a pywb collection folder."""
    root = Path(folder)
    coll = root / "collections" / COLLECTION
    (coll / "archive").mkdir(parents=True, exist_ok=True)
    (coll / "indexes").mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wacz_path) as wacz:
        for name in wacz.namelist():
            if name.startswith("archive/") and name.endswith(".warc.gz"):
                (coll / "archive" / Path(name).name).write_bytes(wacz.read(name))
        (coll / "indexes" / "index.cdxj").write_bytes(wacz.read("indexes/index.cdxj"))
        pages = [
            json.loads(line)
            for line in wacz.read("pages/pages.jsonl").decode().splitlines()[1:]
            if line.strip()
        ]
    (root / "pages.json").write_text(json.dumps(pages))
    return root


def _die_with_parent() -> None:
    """Linux: pywb gets SIGTERM when the command that started it dies."""
    with contextlib.suppress(OSError):  # 1: PR_SET_PDEATHSIG
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(root: Path, port: int | None = None) -> tuple[subprocess.Popen, int]:
    """Start pywb's ``wayback`` on 127.0.0.1 serving ``root``; wait until it answers."""
    try:
        import pywb  # noqa: F401
    except ImportError:
        raise ReplayError(
            "pywb is not installed: pip install 'prakerja-monitor[replay]', or open"
            " the .wacz in ReplayWeb.page (https://replayweb.page, works offline)"
        ) from None
    port = port or free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pywb.apps.cli import wayback; sys.exit(wayback())",
            "--bind",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=root,
        preexec_fn=_die_with_parent,  # noqa: PLW1509
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ReplayError(f"pywb exited: {proc.stderr.read().decode()[-300:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            return proc, port
        except OSError:
            time.sleep(0.3)
    proc.kill()
    proc.wait()
    raise ReplayError("pywb did not answer within 60 s")


def replay_url(port: int, page: dict, raw: bool = False) -> str:
    """The replay URL of a page; ``raw`` gives the archived bytes (``id_``)."""
    stamp = "".join(c for c in page["ts"] if c.isdigit())[:14]
    mode = "id_" if raw else ""
    return f"http://127.0.0.1:{port}/{COLLECTION}/{stamp}{mode}/{page['url']}"


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
