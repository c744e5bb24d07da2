"""What the servers of one replica share (clock, faults, logs, response cache),
and the platforms' robots.txt."""

from __future__ import annotations

import importlib
import threading
from collections import OrderedDict, deque
from pathlib import Path

from replica import conditional as cond
from replica import faults as fl
from replica.model import SLUGS, Response
from replica.truth import catalog

DATA = Path(__file__).parent / "data"
LOG_LIMIT = 200_000  # entries per platform
CACHE_BYTES = 16_000_000  # rendered responses kept for repeated requests


def robots(slug: str) -> str:
    return (DATA / slug / "robots.txt").read_text("utf-8")


def combined_robots() -> str:
    """Host-root robots.txt of prefix mode: every platform's rules under /<slug>."""
    lines, delay = ["User-agent: *"], 0.0
    for slug in SLUGS:
        for line in robots(slug).splitlines():
            key, _, value = line.partition(":")
            name, value = key.strip().lower(), value.strip()
            if name in ("allow", "disallow") and value:
                lines.append(f"{key.strip()}: /{slug}{value}")
            elif name == "crawl-delay":
                delay = max(delay, float(value))
    if delay:
        lines.append(f"Crawl-delay: {delay:g}")
    return "\n".join(lines) + "\n"


class State:
    """Everything the servers of one replica share: clock, faults, logs, cache."""

    def __init__(self, seed: int, size: int, as_of: str):
        self.catalog = catalog(seed, size)
        self.default_as_of = as_of
        self.as_of = as_of
        self.faults = {slug: fl.FaultList() for slug in SLUGS}
        self.logs = {slug: deque(maxlen=LOG_LIMIT) for slug in SLUGS}
        self.bases: dict[str, str] = {}
        self._cache: OrderedDict = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()
        self._renderers: dict = {}
        self.validators = cond.Validators()

    def renderer(self, slug: str):
        if slug not in self._renderers:
            self._renderers[slug] = importlib.import_module(f"replica.platforms.{slug}")
        return self._renderers[slug]

    def cached(self, key: tuple, make) -> Response:
        """A rendered response from the bounded LRU cache, rendering it if absent."""
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = make()
        with self._lock:
            if key not in self._cache:
                self._cache[key] = value
                self._cached_bytes += len(value.body)
            while self._cached_bytes > CACHE_BYTES or len(self._cache) > 4096:
                _, dropped = self._cache.popitem(last=False)
                self._cached_bytes -= len(dropped.body)
        return value

    def reset(self) -> None:
        self.as_of = self.default_as_of
        for slug in SLUGS:
            self.faults[slug].clear()
            self.logs[slug].clear()
        with self._lock:
            self._cache.clear()
            self._cached_bytes = 0
        self.validators.clear()
