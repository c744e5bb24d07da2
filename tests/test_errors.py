"""One error path: every command against each known failure gives one line with
the cause and a next step (exit 2), never a traceback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sample_db import build_sample_db

from monitor.cli import main

CONDITIONS = (
    "missing",
    "readonly",
    "corrupted",
    "busy-port",
    "missing-archive",
    "unreachable",
)
COMMANDS = (
    "crawl",
    "check",
    "alert",
    "run",
    "query",
    "evidence",
    "serve",
    "report",
    "replica",
    "demo",
)
# (command, condition) -> (exit code, words of the one line). A pair not listed
# is one the command cannot meet (crawl may create a missing database; only
# serve and replica listen on a port; only evidence reads the archive).
EXPECT = {
    ("check", "missing"): (2, "no database at"),
    ("alert", "missing"): (2, "no database at"),
    ("query", "missing"): (2, "no database at"),
    ("evidence", "missing"): (2, "no database at"),
    ("serve", "missing"): (2, "no database at"),
    ("report", "missing"): (2, "no database at"),
    ("crawl", "readonly"): (2, "read-only"),
    ("check", "readonly"): (2, "read-only"),
    ("alert", "readonly"): (2, "read-only"),
    ("run", "readonly"): (2, "read-only"),
    ("evidence", "readonly"): (2, "read-only"),
    ("query", "readonly"): (0, "opened the database as immutable"),
    ("report", "readonly"): (0, ""),
    ("demo", "readonly"): (2, "read-only"),
    ("crawl", "corrupted"): (2, "damaged"),
    ("check", "corrupted"): (2, "damaged"),
    ("alert", "corrupted"): (2, "damaged"),
    ("run", "corrupted"): (2, "damaged"),
    ("query", "corrupted"): (2, "damaged"),
    ("evidence", "corrupted"): (2, "damaged"),
    ("serve", "corrupted"): (2, "damaged"),
    ("report", "corrupted"): (2, "damaged"),
    ("serve", "busy-port"): (2, "already in use"),
    ("replica", "busy-port"): (2, "already in use"),
    ("evidence", "missing-archive"): (2, "is missing; restore"),
    ("report", "missing-archive"): (0, ""),
    ("crawl", "unreachable"): (1, "network: connection refused"),
    ("run", "unreachable"): (1, "network: connection refused"),
    ("alert", "unreachable"): (1, "Connection refused"),
}
OTHERS = ("bukalapak", "maubelajarapa", "pijarmahir", "pintaria", "sekolahmu")
OTHERS += ("sisnaker", "skillacademy")
NEXT_STEP = {
    "no database at": "run `prakerja-monitor crawl`",
    "read-only": "writable folder",
    "damaged": "backup",
    "already in use": "--port",
    "is missing; restore": "backup",
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("sample") / "prakerja.db")


@pytest.fixture(scope="module")
def readonly_dir(tmp_path_factory, sample):
    """A folder holding the sample database that nobody can write: a read-only
    tmpfs as root, a mode 555 folder otherwise."""
    folder = tmp_path_factory.mktemp("ro") / "mnt"
    folder.mkdir()
    if os.geteuid() == 0:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(folder)])
        if mounted.returncode != 0:
            pytest.skip("cannot mount a read-only folder here")
        shutil.copy(sample, folder / "prakerja.db")
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder
        subprocess.run(["umount", str(folder)], check=True)
    else:
        shutil.copy(sample, folder / "prakerja.db")
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)


def dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_for(condition, tmp_path, sample, readonly_dir_factory):
    if condition == "missing":
        return tmp_path / "no" / "such.db"
    if condition == "readonly":
        return readonly_dir_factory() / "prakerja.db"
    path = tmp_path / "prakerja.db"
    shutil.copy(sample, path)
    if condition == "corrupted":
        with path.open("r+b") as f:  # the header stays, the pages are garbage
            f.seek(4096)
            f.write(b"\xa5" * (path.stat().st_size - 4096))
    return path


def argv_for(command, db, tmp_path, port, dead):
    """The command's arguments: tokopedia alone, at a port nobody listens on."""
    config = tmp_path / "c.toml"
    lines = [f"[platforms.{slug}]\nenabled = false\n" for slug in OTHERS]
    lines.append(
        f'[platforms.tokopedia]\nbase_url = "http://127.0.0.1:{dead}/tokopedia"\n'
    )
    lines.append(f'[smtp]\nhost = "127.0.0.1"\nport = {dead}\nsecurity = "none"\n')
    config.write_text("".join(lines))
    dead_url = f"tokopedia=http://127.0.0.1:{dead}/tokopedia"
    out = tmp_path / "out"
    return {
        "crawl": ["crawl", "tokopedia", "--base-url", dead_url],
        "check": ["check"],
        "alert": ["alert", "--config", str(config)],
        "run": ["run", "--config", str(config)],
        "query": ["query", "select count(*) from findings"],
        "evidence": ["evidence", "1", "--out", str(out)],
        "serve": ["serve", "--port", str(port)],
        "report": ["report", "--out", str(out / "report.html")],
        "replica": ["replica", "--port", str(port)],
        "demo": ["demo", "--dir", str(db.parent / "demo")],
    }[command] + ([] if command in ("replica", "demo") else ["--db", str(db)])


def test_the_matrix_covers_every_command_and_every_failure():
    assert {c for c, _ in EXPECT} == set(COMMANDS)
    assert {f for _, f in EXPECT} == set(CONDITIONS)


@pytest.mark.parametrize(("command", "condition"), sorted(EXPECT))
def test_each_command_against_each_known_failure(
    command, condition, tmp_path, sample, request, capsys, monkeypatch
):
    expected = EXPECT[(command, condition)]
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("PRAKERJA_MONITOR_"):
            monkeypatch.delenv(name)
    db = database_for(
        condition, tmp_path, sample, lambda: request.getfixturevalue("readonly_dir")
    )
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1] if condition == "busy-port" else dead_port()
        argv = argv_for(command, db, tmp_path, port, dead_port())
        code = main(argv)
    captured = capsys.readouterr()
    status, words = expected
    assert code == status, captured
    assert "Traceback" not in captured.err
    if status == 2:
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1, lines
        assert captured.out == ""  # e.g. no serve banner before a busy port
        assert words in lines[0] and NEXT_STEP[words] in lines[0], lines[0]
    else:
        assert words in " ".join((captured.out + captured.err).split())
    if condition == "missing":
        assert not db.parent.exists()  # nothing created


def test_a_truncated_warc_is_one_line_not_a_flood_of_warnings(tmp_path):
    """warcio's per-record warnings stay off the terminal."""
    from monitor.evidence.records import EvidenceError, read_record

    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(b"WARC/1.1\r\nWARC-Type: response\r\n" + b"x" * 5000)
    script = (
        "import sys\nfrom monitor.evidence.records import read_record, EvidenceError\n"
        "try:\n    read_record(sys.argv[1], 0, 'urn:uuid:1')\n"
        "except EvidenceError as exc:\n    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(warc)], capture_output=True, text=True
    )
    assert done.stderr == ""
    assert len(done.stdout.splitlines()) == 1
    assert EvidenceError and read_record  # the module imports cleanly here too
    assert Path(warc).exists()
