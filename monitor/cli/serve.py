"""``serve``: browse the database in Datasette, read-only."""

from __future__ import annotations

import sys

from monitor.cli.options import PORT, common, settings
from monitor.preconditions import UserError, require_database

NAME = "serve"
SUMMARY = "browse the database in Datasette, read-only"
EXAMPLE = "prakerja-monitor serve --db prakerja-demo/prakerja.db --port 8001"
DESCRIPTION = """
Serve the snapshot database with Datasette at http://HOST:PORT/prakerja,
read-only (every connection opens with mode=ro; write statements are
refused), with descriptions of the public tables and the saved queries as
canned queries, e.g. /prakerja/bundles-payable-after-halt?platform=tokopedia.
Listens on 127.0.0.1 by default: only this machine can connect.
"""


def add_arguments(p) -> None:
    common(p)
    p.add_argument("--port", type=PORT, default=8001, help="port (default 8001)")
    p.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")


def run(args) -> int:
    from monitor.outputs.serve import serve as serve_datasette
    from storage.db import check_database

    cfg = settings(args)
    check_database(require_database(cfg), write=False)
    try:
        serve_datasette(
            cfg.database,
            host=args.host,
            port=args.port,
            sql_time_limit_ms=int(cfg["query"]["timeout"] * 1000),
            out=sys.stdout,
            language=cfg["language"],
        )
    except FileNotFoundError as exc:
        raise UserError(f"{exc}; run crawl or demo first") from None
    return 0
