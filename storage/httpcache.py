"""The crawl's HTTP cache in SQLite: the last response of each request (status,
headers with its ETag/Last-Modified validators, body), one file per platform in a
folder next to the database, so that a recrawl can ask "changed since?"."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    fingerprint BLOB PRIMARY KEY,
    url TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,  -- JSON [[name, value], ...]
    body BLOB NOT NULL,
    etag TEXT,
    last_modified TEXT,
    stored_at REAL NOT NULL
)
"""
COMMIT_EVERY = 200  # stores per transaction; a crash loses at most these entries


def cache_dir(db_path: str | Path) -> Path:
    """``<database>.httpcache/``: the cache folder of a database file."""
    path = Path(db_path)
    return path.with_name(path.name + ".httpcache")


class ResponseCache:
    """Stored responses by request fingerprint."""

    def __init__(self, path: str | Path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=OFF")  # a cache: losing it is fine
        self.conn.execute(SCHEMA)
        self.pending = 0

    def get(self, fingerprint: bytes) -> dict | None:
        row = self.conn.execute(
            "SELECT url, status, headers, body, stored_at FROM responses"
            " WHERE fingerprint = ?",
            [fingerprint],
        ).fetchone()
        if row is None:
            return None
        url, status, headers, body, stored_at = row
        return {
            "url": url,
            "status": status,
            "headers": headers,
            "body": body,
            "stored_at": stored_at,
        }

    def put(
        self,
        fingerprint: bytes,
        url: str,
        status: int,
        headers: str,
        body: bytes,
        etag: str | None,
        last_modified: str | None,
    ) -> None:
        if not self.pending:
            self.conn.execute("BEGIN")
        self.conn.execute(
            "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [fingerprint, url, status, headers, body, etag, last_modified, time.time()],
        )
        self.pending += 1
        if self.pending >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        if self.pending:
            self.conn.execute("COMMIT")
            self.pending = 0

    def close(self) -> None:
        self.commit()
        self.conn.close()
