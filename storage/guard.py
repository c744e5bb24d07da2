"""Read-only SQLite connections for ad hoc SQL: reads only, time, size, memory caps."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from pathlib import Path

# One printf conversion: flags, width (digits or *), precision (digits or *), type.
CONVERSION = re.compile(r"%([-+ 0#,!]*)(\*|\d+)?(?:\.(\*|\d+))?([a-zA-Z%])")

# What an analyst's SQL may do: read tables, call functions, recurse in a CTE.
ALLOWED_ACTIONS = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    getattr(sqlite3, "SQLITE_RECURSIVE", 33),
}
# Pragmas that only describe the schema (Datasette's introspection uses them),
# allowed with any argument; they never change anything.
SCHEMA_PRAGMAS = {
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "database_list",
    "collation_list",
    "function_list",
    "module_list",
    "pragma_list",
    "compile_options",
}
# Pragmas that read a value when given no argument (and would set it with one).
VALUE_PRAGMAS = {
    "schema_version",
    "user_version",
    "application_id",
    "page_count",
    "page_size",
    "freelist_count",
    "data_version",
    "encoding",
    "journal_mode",
    "foreign_keys",
    "query_only",
    "cache_size",
}
DENIED_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}

MAX_LENGTH = 16 * 1024 * 1024  # the largest string or blob one expression may build
MAX_HEAP = 512 * 1024 * 1024  # SQLite's memory, process-wide (hard_heap_limit)
CHECK_EVERY = 1000  # VM steps between two looks at the clock


class RefusedError(sqlite3.DatabaseError):
    """The statement wants to do more than read."""


def authorizer(action, arg1, arg2, db_name, trigger):
    """Reads only: SELECT, column reads, functions (not those loading or writing
    files), and schema-describing pragmas; anything else is denied."""
    if action in ALLOWED_ACTIONS:
        if (
            action == sqlite3.SQLITE_FUNCTION
            and (arg2 or "").lower() in DENIED_FUNCTIONS
        ):
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master" and trigger is None:
        # SQLite's own check when a table-valued pragma (pragma_table_info(...))
        # is prepared; sqlite_master cannot be changed (no writable_schema).
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:
        name = (arg1 or "").lower()
        if name in SCHEMA_PRAGMAS or (name in VALUE_PRAGMAS and arg2 is None):
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def install_guards(conn: sqlite3.Connection, max_length: int = MAX_LENGTH) -> None:
    """Cap string size, attachments and SQLite's heap, then allow reads only."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_length)
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 1000)
    printf = guarded_printf(max_length)
    for name in ("printf", "format"):
        conn.create_function(name, -1, printf)
    replace, instr = guarded_search(max_length)
    conn.create_function("replace", 3, replace, deterministic=True)
    conn.create_function("instr", 2, instr, deterministic=True)
    conn.execute(f"PRAGMA soft_heap_limit={MAX_HEAP // 2}")
    conn.execute(f"PRAGMA hard_heap_limit={MAX_HEAP}")
    conn.set_authorizer(authorizer)


def _printf_size(fmt, args) -> int:
    """The largest width or precision ``printf(fmt, *args)`` asks for."""
    largest, position = 0, 0
    for match in CONVERSION.finditer(str(fmt or "")):
        for part in match.group(2, 3):
            if part == "*":
                value = args[position] if position < len(args) else 0
                position += 1
                try:
                    part = abs(int(float(value)))
                except (TypeError, ValueError, OverflowError):
                    part = 0
            largest = max(largest, int(part or 0))
        if match.group(4) != "%":
            position += 1
    return largest


def guarded_printf(max_length: int):
    """``printf``/``format`` that refuses a width or precision past the cap at
    once (SQLite's own keeps looping for seconds after the output is too big)."""
    builtin = sqlite3.connect(":memory:", check_same_thread=False)
    builtin.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_length)

    def printf(fmt, *args):
        if _printf_size(fmt, args) > max_length:
            return bytes(max_length + 1)  # SQLite answers "string or blob too big"
        marks = ", ".join("?" * (len(args) + 1))
        return builtin.execute(f"select printf({marks})", (fmt, *args)).fetchone()[0]

    return printf


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else str(value)


def guarded_search(max_length: int):
    """``replace`` and ``instr`` in linear time (Python's string search), where
    SQLite's compare at every position and can run for hours on one call."""

    def replace(x, y, z):
        if x is None or y is None or z is None:
            return None
        x, y, z = _text(x), _text(y), _text(z)
        if not y:
            return x
        if len(z) > len(y) and x.count(y) * (len(z) - len(y)) + len(x) > max_length:
            return bytes(max_length + 1)  # SQLite answers "string or blob too big"
        return x.replace(y, z)

    def instr(x, y):
        if x is None or y is None:
            return None
        if isinstance(x, bytes) and isinstance(y, bytes):
            return x.find(y) + 1
        return _text(x).find(_text(y)) + 1

    return replace, instr


def set_deadline(conn: sqlite3.Connection, seconds: float) -> threading.Timer:
    """Stop the statement once ``seconds`` have passed: a progress handler every
    CHECK_EVERY steps, and a timer that interrupts at the next step for a
    statement of few, slow steps. Cancel the returned timer when done."""
    deadline = time.monotonic() + seconds
    conn.set_progress_handler(lambda: time.monotonic() > deadline, CHECK_EVERY)
    return interrupt_after(conn, seconds)


def interrupt_after(conn: sqlite3.Connection, seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, conn.interrupt)
    timer.daemon = True
    timer.start()
    return timer


def open_readonly(
    path: str | Path, check_same_thread: bool = True, timeout: float = 5.0
):
    """(connection, note): ``mode=ro``, or, where the folder cannot hold SQLite's
    lock files (read-only folder or medium), ``immutable=1`` with a note."""
    uri = Path(path).resolve().as_uri()
    conn = sqlite3.connect(
        uri + "?mode=ro",
        uri=True,
        check_same_thread=check_same_thread,
        timeout=timeout,
    )
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
        return conn, None
    except sqlite3.OperationalError as exc:
        conn.close()
        if os.access(Path(path).resolve().parent, os.W_OK) and _writable_fs(path):
            raise
        reason = str(exc)
    conn = sqlite3.connect(
        uri + "?immutable=1",
        uri=True,
        check_same_thread=check_same_thread,
        timeout=timeout,
    )
    note = (
        f"note: {Path(path).parent or '.'} is read-only ({reason}); opened the"
        " database as immutable: changes not yet checkpointed from its -wal file"
        " are not shown"
    )
    return conn, note


def _writable_fs(path) -> bool:
    """False on a read-only mount, where even root cannot create files."""
    try:
        return not (os.statvfs(Path(path).resolve().parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def refusal(exc: Exception) -> str | None:
    """The user-facing reason when SQLite refused a statement, else None."""
    text = str(exc)
    if "not authorized" in text or "authorization denied" in text:
        return (
            "refused: the database is opened read-only and queries may only read"
            " (no writes, ATTACH, VACUUM, PRAGMA changes or file functions)"
        )
    if "too big" in text:
        return (
            f"refused: a value grew past the {MAX_LENGTH // (1024 * 1024)} MB cap"
            " of one string or blob"
        )
    if "out of memory" in text:
        return f"refused: the query needed more than {MAX_HEAP // 2**20} MB of memory"
    return None
