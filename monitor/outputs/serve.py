"""``serve``: Datasette on the snapshot database, read-only, with canned queries."""

from __future__ import annotations

import socket
from pathlib import Path

from datasette.app import Datasette
from datasette.database import Database

from monitor.outputs.datasette_metadata import DATABASE, build_metadata
from storage import guard
from storage.facts import is_loopback


class ReadOnlyDatabase(Database):
    """A live view of the file: every connection, the one Datasette keeps for
    writes included, opens with ``mode=ro`` (``immutable=1`` in a read-only
    folder) and with the query guards: reads only, string and memory caps.
    Datasette's own ``sql_time_limit_ms`` stops a statement between VM steps."""

    note: str | None = None

    async def execute_fn(self, fn):
        """Also interrupt at the time limit from a timer: Datasette's progress
        handler looks only every 1000 steps, which a few slow steps outlast."""
        seconds = self.ds.setting("sql_time_limit_ms") / 1000

        def guarded(conn):
            timer = guard.interrupt_after(conn, seconds)
            try:
                return fn(conn)
            finally:
                timer.cancel()

        return await super().execute_fn(guarded)

    def connect(self, write: bool = False):
        conn, note = guard.open_readonly(self.path, check_same_thread=False)
        guard.install_guards(conn)
        self.note = self.note or note
        self._all_file_connections.append(conn)
        return conn


def build_datasette(
    path: str | Path, sql_time_limit_ms: int = 5000, language: str = "id"
) -> Datasette:
    """A Datasette serving ``path`` read-only at ``/prakerja``, with metadata in
    ``language``."""
    import datasette.handle_exception as datasette_errors  # after datasette.app

    # With rich installed (our progress display), Datasette would print every
    # refused query as a traceback with locals; a refused query is no crash.
    datasette_errors.rich = None
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no database at {path}")
    ds = Datasette(
        files=[],
        metadata=build_metadata(language),
        settings={
            "sql_time_limit_ms": sql_time_limit_ms,
            "allow_download": False,
        },
    )
    ds.remove_database("_memory")  # only the monitor's database is served
    ds.add_database(ReadOnlyDatabase(ds, path=str(path)), name=DATABASE, route=DATABASE)
    return ds


class PortBusyError(OSError):
    """The port is taken (or the address cannot be bound)."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or PortBusyError with the cause."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise PortBusyError(
            exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}"
        ) from None
    return sock


def serve(
    path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8001,
    sql_time_limit_ms: int = 5000,
    out=None,
    language: str = "id",
) -> None:
    """Serve until interrupted (uvicorn, one worker); the port is bound before
    anything is printed, so a busy port is reported instead of a banner."""
    import uvicorn

    ds = build_datasette(path, sql_time_limit_ms, language)
    conn, note = guard.open_readonly(path)
    conn.close()
    sock = bind(host, port)
    if out is not None:
        shown = f"[{host}]" if ":" in host else host
        out.write(
            f"Datasette on {Path(path).resolve()} (read-only):"
            f" http://{shown}:{port}/{DATABASE}\n"
        )
        if note:
            out.write(note + "\n")
        if not is_loopback(host):
            out.write(f"warning: listening on {host}, not only on this machine\n")
        out.flush()
    config = uvicorn.Config(ds.app(), log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])
