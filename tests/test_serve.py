"""``serve``: Datasette over real HTTP on loopback, read-only, with metadata and the
saved queries as canned queries; a canned query page rendered by chromium."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from browser import dump_dom, find_all
from sample_db import HOSTILE_TITLE, OPEN, TOKOPEDIA_TITLES, build_sample_db

from monitor.cli.program import build_parser, main
from monitor.outputs.serve import build_datasette
from storage.queries import SAVED


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("serve") / "prakerja.db")


@pytest.fixture(scope="module")
def server(db_path, tmp_path_factory):
    """``prakerja-monitor serve`` in its own process on a free loopback port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRAKERJA_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor.cli", "serve"]
        + ["--db", str(db_path), "--port", str(port)],
        cwd=tmp_path_factory.mktemp("cwd"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    root = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"serve exited {proc.returncode}: {proc.stdout.read()}")
            try:
                if get(root + "/-/versions.json")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("serve did not answer within 60 s")
            time.sleep(0.2)
        yield root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def rows(root: str, path: str, **params) -> list[dict]:
    query = urllib.parse.urlencode({**params, "_shape": "array"})
    status, body = get(f"{root}{path}.json?{query}")
    assert status == 200, body
    return json.loads(body)


def test_canned_query_with_named_parameter(server):
    found = rows(server, "/prakerja/bundles-payable-after-halt", platform="tokopedia")
    assert [r["title"] for r in found] == list(TOKOPEDIA_TITLES)
    everything = rows(server, "/prakerja/bundles-payable-after-halt", platform="")
    assert len(everything) == sum(OPEN.values())


@pytest.mark.parametrize("name", list(SAVED))
def test_every_saved_query_is_a_canned_query(server, name):
    params = {p: "" for p in SAVED[name].params}
    assert isinstance(rows(server, f"/prakerja/{name}", **params), list)


def test_public_names_are_served(server):
    assert len(rows(server, "/prakerja/findings")) == sum(OPEN.values())
    assert len(rows(server, "/prakerja/crawls")) == 6
    assert rows(server, "/prakerja/snapshots", crawl_id="2")


@pytest.mark.parametrize(
    "sql",
    [
        "delete from findings",
        "update crawls set status = 'failed'",
        "drop table findings",
        "pragma user_version = 7",
    ],
)
def test_write_through_sql_is_refused(server, db_path, sql):
    status, body = get(
        f"{server}/prakerja.json?" + urllib.parse.urlencode({"sql": sql})
    )
    assert status == 400, body
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from findings").fetchone()[0] == 3
        failed = "select count(*) from crawls where status = 'failed'"
        assert conn.execute(failed).fetchone()[0] == 1
        assert conn.execute("pragma user_version").fetchone()[0] == 0


def test_even_datasettes_write_connection_is_read_only(db_path):
    ds = build_datasette(db_path)
    database = ds.get_database("prakerja")
    with pytest.raises(sqlite3.DatabaseError, match="readonly|not authorized"):
        asyncio.run(database.execute_write("delete from findings"))
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from findings").fetchone()[0] == 3


def test_metadata_describes_the_public_names(server):
    status, body = get(server + "/-/metadata.json")
    assert status == 200
    metadata = json.loads(body)
    assert metadata["title"] == "prakerja-monitor"
    tables = metadata["databases"]["prakerja"]["tables"]
    for name in ("crawls", "listings", "snapshots", "changes", "findings", "alerts"):
        assert tables[name]["description"], name
        assert tables[name]["columns"], name
    assert "Kartu Prakerja" in tables["snapshots"]["columns"]["prakerja_payment"]
    status, page = get(server + "/prakerja/findings")
    assert status == 200
    assert "Satu baris per pelanggaran" in page  # Indonesian by default (issue 15)


def test_only_the_monitor_database_is_served(server):
    status, body = get(server + "/-/databases.json")
    assert [d["name"] for d in json.loads(body)] == ["prakerja"]


def test_loopback_by_default():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8001)


def test_missing_database_is_a_user_error(tmp_path, capsys):
    assert main(["serve", "--db", str(tmp_path / "none.db")]) == 2
    assert "no database" in capsys.readouterr().err


def test_chromium_renders_a_canned_query_page(server, tmp_path):
    url = f"{server}/prakerja/bundles-payable-after-halt?platform=tokopedia"
    dom = dump_dom(url, tmp_path)
    assert TOKOPEDIA_TITLES[0] in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert HOSTILE_TITLE not in dom
    assert len(find_all(dom, "tr")) == 1 + len(TOKOPEDIA_TITLES)


HEAVY = "select length(replace(printf('%.*c', 5e8, 'x'), 'x', 'yy'))"
HEAVY_ROWS = (
    "with recursive n(i) as (select 1 union all select i + 1 from n limit 30)"
    " select length(replace(printf('%.*c', 5e8, 'x'), 'x', 'yy')) from n"
)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("VACUUM INTO '{dir}/copy.db'", "SELECT"),
        ("ATTACH '{dir}/other.db' AS other", "SELECT"),
        ("select name from pragma_table_info('crawls')", ""),
        ("update sqlite_master set sql = ''", "SELECT"),
        (HEAVY, "too big"),
        (HEAVY_ROWS, "too big"),
        ("select load_extension('/tmp/x')", "not authorized"),
    ],
)
def test_hostile_sql_fails_over_http_and_writes_nothing(server, tmp_path, sql, message):
    before = sorted(p.name for p in tmp_path.iterdir())
    query = urllib.parse.urlencode(
        {"sql": sql.format(dir=tmp_path), "_shape": "objects"}
    )
    status, body = get(f"{server}/prakerja.json?{query}")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if not message:  # a harmless read of a schema-describing pragma still works
        assert status == 200, body
        return
    assert status == 400, body
    answer = json.loads(body)
    assert answer["ok"] is False and message in answer["error"], answer
