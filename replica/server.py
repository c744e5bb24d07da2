"""Run the replica: ``start_replica`` for tests (a daemon thread), ``serve`` for humans.

Prefix mode serves every platform under ``/<slug>/`` on one port, with a host-root
``/robots.txt`` combining all platforms' rules. Port mode serves platform number k
(``SLUGS`` order) at the root of port ``port + k`` (free ports when ``port`` is 0),
each with its own ``/robots.txt``; ``port`` itself then answers the control API
only. The control API (``/__replica/...``) answers on every port.
"""

from __future__ import annotations

import threading

from replica import faults as fl
from replica.control import valid_date
from replica.handler import PlatformServer
from replica.model import SLUGS
from replica.scenario import DEFAULT_AS_OF
from replica.state import State
from replica.truth import truth_of

MODES = ("prefix", "port")


class Replica:
    """A running replica; stop it with ``stop()`` or use it as a context manager."""

    def __init__(
        self,
        seed: int = 1,
        size: int = 1900,
        as_of: str = DEFAULT_AS_OF,
        mode: str = "prefix",
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.mode = mode
        self.state = State(seed, size, valid_date(as_of))
        self._servers: list[PlatformServer] = []
        self._threads: list[threading.Thread] = []
        shown = "127.0.0.1" if host in ("", "0.0.0.0") else host
        try:
            root = self._listen(host, port, None, platforms=mode == "prefix")
            self.root = f"http://{shown}:{root.server_address[1]}"
            if mode == "prefix":
                self.base_urls = {slug: f"{self.root}/{slug}" for slug in SLUGS}
            else:
                self.base_urls = {}
                for k, slug in enumerate(SLUGS, start=1):
                    server = self._listen(host, port + k if port else 0, slug)
                    self.base_urls[slug] = f"http://{shown}:{server.server_address[1]}"
        except BaseException:
            self.stop()
            raise
        self.state.bases = dict(self.base_urls)
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"replica-{server.slug or 'root'}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def _listen(self, host: str, port: int, slug, platforms: bool = True):
        server = PlatformServer((host, port), self.state, slug, platforms)
        self._servers.append(server)
        return server

    # -- the control API, in Python ------------------------------------------
    @property
    def as_of(self) -> str:
        return self.state.as_of

    def set_clock(self, as_of: str) -> None:
        self.state.as_of = valid_date(as_of)

    def set_faults(self, slug: str, faults: list[dict]) -> None:
        self.state.faults[_known(slug)].set(fl.parse(faults))

    def clear_faults(self, slug: str) -> None:
        self.state.faults[_known(slug)].clear()

    def log(self, slug: str) -> list[dict]:
        return list(self.state.logs[_known(slug)])

    def reset(self) -> None:
        self.state.reset()

    def truth(self, as_of: str | None = None) -> dict[str, list[dict]]:
        faults = {slug: self.state.faults[slug].current() for slug in SLUGS}
        as_of = valid_date(as_of or self.state.as_of)
        return truth_of(self.state.catalog, as_of, faults)

    def stop(self) -> None:
        for server in self._servers:
            if self._threads:
                server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []

    def __enter__(self) -> Replica:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _known(slug: str) -> str:
    if slug not in SLUGS:
        raise ValueError(f"unknown platform {slug!r}")
    return slug


def start_replica(**options) -> Replica:
    """Start a replica in daemon threads (port 0: free ports) and return it.

    ``options`` are ``Replica``'s: seed, size, as_of, mode, host, port.
    """
    return Replica(**options)


def serve(
    port: int = 8400,
    as_of: str = DEFAULT_AS_OF,
    size: int = 1900,
    seed: int = 1,
    mode: str = "prefix",
    host: str = "127.0.0.1",
) -> None:
    """Serve until Ctrl-C, after printing the base URLs."""
    replica = start_replica(
        seed=seed, size=size, as_of=as_of, mode=mode, host=host, port=port
    )
    print(f"replica: seed {seed}, size {size}, clock {replica.as_of}, {mode} mode")
    print(f"control API: {replica.root}/__replica/  (truth, clock, faults, log)")
    for slug, base in replica.base_urls.items():
        print(f"  {slug:<14} {base}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        replica.stop()
