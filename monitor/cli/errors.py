"""Known failures as one line each: what went wrong and what to do next."""

from __future__ import annotations

import errno
import socket
import sqlite3
import ssl

CORRUPT = ("file is not a database", "malformed", "disk image", "file is encrypted")
READONLY = ("readonly", "read-only", "unable to open database file")


def _database(args) -> str:
    return getattr(args, "db", None) or "the database"


def explain_sqlite(exc: sqlite3.Error, args) -> str | None:
    text = str(exc)
    db = _database(args)
    if any(word in text for word in CORRUPT):
        return (
            f"{db} is damaged or not a prakerja-monitor database ({text});"
            " restore it from a backup, or start a new one with --db NEW.db"
        )
    if any(word in text for word in READONLY):
        return (
            f"cannot write {db} ({text}): its folder or file is read-only;"
            " copy it to a writable folder, or use query/serve, which only read"
        )
    if "locked" in text or "busy" in text:
        return f"{db} is locked by another process ({text}); try again when it ends"
    if "disk is full" in text or "database or disk is full" in text:
        return f"the disk holding {db} is full; free space and run again"
    return None


def explain_os(exc: OSError, args) -> str | None:
    where = f" {exc.filename}" if exc.filename else ""
    if exc.errno == errno.EADDRINUSE:
        port = getattr(args, "port", None)
        return (
            f"port {port} is already in use; stop what listens there or choose"
            " another with --port"
        )
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (
            f"cannot write{where}: {exc.strerror} (read-only folder?);"
            " choose a writable folder or fix its permissions"
        )
    if exc.errno == errno.ENOSPC:
        return f"no space left on the device{where}; free space and run again"
    if isinstance(exc, socket.gaierror):
        return f"host name not found ({exc.strerror}); check the host setting or DNS"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused: nothing listens at that host and port; check it"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc}); check the host's certificate/port"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "the host did not answer in time; check the network and the host"
    if isinstance(exc, FileNotFoundError):
        return f"missing file{where}; check the path"
    return None


def explain(exc: BaseException, args) -> str | None:
    """The one-line message for a known failure, or None (a bug: traceback)."""
    if isinstance(exc, sqlite3.Error):
        return explain_sqlite(exc, args)
    if isinstance(exc, OSError):
        return explain_os(exc, args)
    return None
