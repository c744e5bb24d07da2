"""What commands check before they act: the database exists, is whole and
writable; the observation time is not before what was checked; known slugs."""

from __future__ import annotations

import json
import os
import sys

from monitor.config import SLUGS
from monitor.outputs.display import network_cause


class UserError(Exception):
    """A mistake in the command's arguments, reported without a traceback."""


def unknown_slug(slug: str) -> str:
    """ "unknown platform 'x'" with a did-you-mean and the known slugs."""
    import difflib

    close = difflib.get_close_matches(slug, SLUGS, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown platform {slug!r}{hint} (known: {', '.join(SLUGS)})"


def check_time_order(cfg, slugs, now: str | None, backfill: bool) -> None:
    """Refuse an observation time earlier than a platform's newest checked
    crawl (it would be judged after findings decided later), unless --backfill."""
    from pathlib import Path

    from storage.db import open_db
    from storage.times import newest_checked_observations, time_key

    if not now or backfill or not Path(cfg.database).is_file():
        return
    db = open_db(cfg.database)
    try:
        newest = newest_checked_observations(db, list(slugs))
    finally:
        db.close()
    for slug in slugs:
        if slug in newest and time_key(now) < time_key(newest[slug][0]):
            observed, crawl_id = newest[slug]
            raise UserError(
                f"--now {now} is earlier than {slug}'s newest checked crawl"
                f" ({crawl_id}, observed {observed}); give --backfill to store an"
                " older observation without changing findings decided later"
            )


def add_network_causes(path, results) -> None:
    """Name the network failure (refused, DNS, TLS, timeout) behind a crawl
    that was not complete, from its download statistics."""
    from storage.db import open_db
    from storage.snapshots import get_crawl

    db = open_db(path)
    try:
        for r in results:
            crawl = get_crawl(db, r.crawl_id) if r.crawl_id else None
            if crawl is None or r.status == "complete":
                continue
            try:
                stats = json.loads(crawl.get("stats") or "{}")
            except ValueError:
                continue
            cause = network_cause(stats)
            if cause and not any(cause.split(" (")[0] in x for x in r.reasons):
                r.reasons.append(cause)
    finally:
        db.close()


MISSING_HINT = (
    "run `prakerja-monitor crawl` or `prakerja-monitor demo` first"
    " (the demo writes prakerja-demo/prakerja.db), or give --db"
)


def require_database(cfg) -> str:
    """The database path, which must exist: only crawl, run, schedule and demo
    create one."""
    from pathlib import Path

    path = cfg.database
    if not Path(path).is_file():
        raise UserError(f"no database at {path}; {MISSING_HINT}")
    return path


def open_database(cfg, create: bool = False):
    """The database, migrated; checked whole and writable first (quick_check)."""
    from storage.db import check_database, open_db

    if not create:
        require_database(cfg)
    check_database(cfg.database)
    return open_db(cfg.database)


def preflight(cfg) -> None:
    """Before fetching anything: an existing database must be whole and
    writable, and a new one's folder must be writable."""
    from pathlib import Path

    from storage.db import check_database

    path = Path(cfg.database)
    if path.exists():
        check_database(path)
        return
    folder = path.parent if str(path.parent) else Path(".")
    probe = folder
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK):
        raise UserError(f"cannot create {path}: {probe} is not writable")


def ask_on_terminal(question: str) -> bool:
    """A yes/no question on a terminal; False (no) without one."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return False
    sys.stderr.write(f"{question}? [y/N] ")
    sys.stderr.flush()
    try:
        return sys.stdin.readline().strip().lower() in ("y", "yes")
    except (OSError, EOFError):
        return False
