"""Every transaction of ours that reads before it writes takes the write lock
first (storage.db.write_transaction), so a concurrent writer waits for it instead
of making it fail with "database is locked" (what two ``alert`` runs hit)."""

import re
import sqlite3
import threading
from pathlib import Path

import pytest

from storage.db import open_db, write_transaction

ROOT = Path(__file__).resolve().parent.parent


def read_then_write(db, transaction, other_writes):
    """Read inside ``transaction``, let the other connection write, then write."""
    with transaction(db):
        (before,) = db.execute("SELECT count(*) FROM t").fetchone()
        other_writes()
        db.execute("INSERT INTO t VALUES (?)", [f"after {before}"])


def test_a_concurrent_writer_makes_a_deferred_transaction_fail(tmp_path):
    """The failure mode itself: sqlite-utils' ``atomic()`` begins deferred; the
    upgrade after another process's commit is refused at once."""
    a, b = open_db(tmp_path / "p.db"), open_db(tmp_path / "p.db")
    a.execute("CREATE TABLE t (x)")

    def other_writes():
        b.execute("INSERT INTO t VALUES ('other')")  # commits: a holds no lock

    with pytest.raises(sqlite3.OperationalError, match="locked"):
        read_then_write(a, lambda db: db.atomic(), other_writes)


def test_write_transaction_makes_the_other_writer_wait(tmp_path):
    a = open_db(tmp_path / "p.db")
    a.execute("CREATE TABLE t (x)")
    errors, tried = [], threading.Event()

    def write():
        b = open_db(tmp_path / "p.db")  # its own connection, in its own thread
        tried.set()
        try:
            b.execute("INSERT INTO t VALUES ('other')")  # waits: busy timeout
        except sqlite3.Error as exc:
            errors.append(exc)
        finally:
            b.close()

    other = threading.Thread(target=write)

    def other_writes():
        other.start()
        tried.wait(10)
        other.join(0.5)  # still waiting for the lock a holds
        assert other.is_alive()

    read_then_write(a, write_transaction, other_writes)
    other.join(30)
    assert errors == []
    rows = [r[0] for r in a.execute("SELECT x FROM t ORDER BY rowid")]
    assert rows == ["after 0", "other"]


def test_no_deferred_transaction_is_left_in_the_code():
    """The class, not the one case: no ``atomic()`` outside storage/db.py, and no
    bare ``BEGIN`` before a read (the HTTP cache's writes come first)."""
    found = []
    for package in ("storage", "monitor", "spiders"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text("utf-8")
            rel = path.relative_to(ROOT).as_posix()
            if rel != "storage/db.py" and ".atomic()" in text:
                found.append(rel)
            deferred = re.search(r'"BEGIN( DEFERRED)?"', text)
            if deferred and rel != "storage/httpcache.py":
                found.append(rel)
    assert found == []
