"""Open the snapshot database: WAL, foreign keys, busy timeout, migrations applied."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from storage import guard
from storage.migrations import migrations

DEFAULT_PATH = "prakerja.db"


def connect(path: str | Path, readonly: bool = False, timeout: float = 30.0):
    """A sqlite3 connection; ``readonly`` opens with ``mode=ro`` so writes fail
    (``immutable=1`` in a read-only folder, see storage.guard)."""
    if readonly:
        conn, _note = guard.open_readonly(path, timeout=timeout)
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
        migrate(db)
    return db


def migrate(db: sqlite_utils.Database) -> None:
    """Apply the pending migrations in one write transaction, foreign keys off
    (SQLite's way to rebuild a table others refer to) and checked before the
    commit: a migration that left a dangling reference is rolled back whole.
    Several crawl processes may open a new file at once: one migrates."""
    conn = db.conn
    enforced = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            migrations.apply(db)
            dangling = conn.execute("PRAGMA foreign_key_check").fetchmany(3)
            if dangling:
                raise sqlite3.IntegrityError(
                    f"migration left rows referring to missing rows: {dangling}"
                )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.execute(f"PRAGMA foreign_keys = {int(enforced)}")


def check_database(path: str | Path, write: bool = True) -> None:
    """Before a command relies on it: the file is a whole SQLite database and,
    with ``write``, can be written (migrated, write lock taken, nothing written).
    Raises sqlite3.DatabaseError (damaged) or OperationalError (read-only,
    locked) in SQLite's own words."""
    if write:
        db = open_db(path)
        conn = db.conn
    else:
        conn = connect(path, readonly=True)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(
                "database disk image is malformed: " + "; ".join(problems)
            )
        if write:
            conn.execute("BEGIN IMMEDIATE")  # takes the write lock, writes nothing
            conn.execute("ROLLBACK")
    finally:
        conn.close()


def open_memory() -> sqlite_utils.Database:
    """An in-memory database with the schema, for tests."""
    db = sqlite_utils.Database(memory=True)
    migrations.apply(db)
    return db


@contextmanager
def write_transaction(db: sqlite_utils.Database):
    """A write transaction that takes the write lock first (``BEGIN IMMEDIATE``);
    a savepoint inside a transaction the caller holds.

    Every transaction of ours reads before it writes. A deferred ``BEGIN``
    (sqlite-utils' ``atomic()``) would read from a snapshot and then try to
    upgrade it; when another process committed meanwhile, WAL refuses the upgrade
    at once with "database is locked", whatever the busy timeout. Taken at once,
    the lock waits for the other writer instead, and what is read inside cannot
    change before the commit."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.conn.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise
