"""``serve``: Datasette on the snapshot database, read-only, with canned queries."""

from __future__ import annotations

from pathlib import Path

from datasette.app import Datasette
from datasette.database import Database

from monitor.datasette_metadata import DATABASE, build_metadata
from storage.facts import is_loopback


class ReadOnlyDatabase(Database):
    """A live view of the file: every connection, the one Datasette keeps for
    writes included, opens with ``mode=ro``, so nothing served can change it."""

    def connect(self, write: bool = False):
        return super().connect(write=False)


def build_datasette(path: str | Path, sql_time_limit_ms: int = 5000) -> Datasette:
    """A Datasette serving ``path`` read-only at ``/prakerja``, with metadata."""
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no database at {path}")
    ds = Datasette(
        files=[],
        metadata=build_metadata(),
        settings={
            "sql_time_limit_ms": sql_time_limit_ms,
            "allow_download": False,
        },
    )
    ds.remove_database("_memory")  # only the monitor's database is served
    ds.add_database(ReadOnlyDatabase(ds, path=str(path)), name=DATABASE, route=DATABASE)
    return ds


def serve(
    path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8001,
    sql_time_limit_ms: int = 5000,
    out=None,
) -> None:
    """Serve until interrupted (uvicorn, one worker)."""
    import uvicorn

    ds = build_datasette(path, sql_time_limit_ms)
    if out is not None:
        shown = f"[{host}]" if ":" in host else host
        out.write(
            f"Datasette on {Path(path).resolve()} (read-only):"
            f" http://{shown}:{port}/{DATABASE}\n"
        )
        if not is_loopback(host):
            out.write(f"warning: listening on {host}, not only on this machine\n")
        out.flush()
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
