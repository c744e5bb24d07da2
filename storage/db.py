"""Open the snapshot database: WAL, foreign keys, busy timeout, migrations applied."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from storage.migrations import migrations

DEFAULT_PATH = "prakerja.db"


def connect(path: str | Path, readonly: bool = False, timeout: float = 30.0):
    """A sqlite3 connection; ``readonly`` opens with ``mode=ro`` so writes fail."""
    if readonly:
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=timeout)
    else:
        conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    return conn


def open_db(path: str | Path = DEFAULT_PATH) -> sqlite_utils.Database:
    """The database at ``path`` with every migration applied (created if missing)."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    db = sqlite_utils.Database(conn)
    if migrations.pending(db):
        # Several crawl processes may open a new file at once: one migrates.
        conn.execute("BEGIN IMMEDIATE")
        try:
            migrations.apply(db)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return db


def check_database(path: str | Path) -> None:
    """Before a crawl writes anything: the file is a whole SQLite database and
    can be written. Raises sqlite3.DatabaseError (damaged) or OperationalError
    (read-only, locked) with SQLite's own words."""
    db = open_db(path)
    try:
        problems = [row[0] for row in db.execute("PRAGMA quick_check(3)").fetchall()]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(
                "database disk image is malformed: " + "; ".join(problems)
            )
        db.conn.execute("BEGIN IMMEDIATE")  # takes the write lock, writes nothing
        db.conn.execute("ROLLBACK")
    finally:
        db.close()


def open_memory() -> sqlite_utils.Database:
    """An in-memory database with the schema, for tests."""
    db = sqlite_utils.Database(memory=True)
    migrations.apply(db)
    return db
