"""Commands that cannot hurt the user: no foreign deletes, no writes through query."""

import re
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.cli.demo import DemoFolderError, prepare_folder
from storage import fs
from storage.db import open_db

ROOT = Path(__file__).resolve().parent.parent


def test_demo_refuses_a_folder_holding_a_file(tmp_path, capsys):
    keep = tmp_path / "thesis.txt"
    keep.write_text("years of work")
    assert main(["demo", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "did not create" in err and "thesis.txt" in err and "--dir" in err
    assert keep.read_text() == "years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.txt"]


def test_demo_never_takes_over_a_database_it_did_not_make(tmp_path):
    (tmp_path / "prakerja.db").write_bytes(b"the real one")
    with pytest.raises(DemoFolderError):
        prepare_folder(tmp_path, ask=lambda question: True)
    assert (tmp_path / "prakerja.db").read_bytes() == b"the real one"


def test_a_yes_on_the_terminal_adds_files_and_keeps_the_others(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    questions = []
    prepare_folder(tmp_path, ask=lambda q: questions.append(q) or True)
    assert "notes.txt" in questions[0]
    assert fs.is_marked(tmp_path) and (tmp_path / "notes.txt").read_text() == "mine"


def test_a_folder_the_demo_made_is_cleared_of_its_outputs_only(tmp_path):
    folder = tmp_path / "demo"
    prepare_folder(folder)
    assert fs.is_marked(folder)
    open_db(folder / "prakerja.db").close()
    (folder / "outbox").mkdir()
    (folder / "outbox" / "a.eml").write_text("x")
    (folder / "mine.txt").write_text("kept")
    prepare_folder(folder)
    assert sorted(p.name for p in folder.iterdir()) == [fs.MARKER, "mine.txt"]


def test_guarded_delete_stays_inside_its_folder(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "link").symlink_to(outside)
    with pytest.raises(fs.UnsafeDeleteError):
        fs.remove_file(inner / ".." / "outside.txt", within=inner)
    with pytest.raises(fs.UnsafeDeleteError):
        fs.remove_file(inner, within=tmp_path)
    with pytest.raises(fs.UnsafeDeleteError, match="marker"):
        fs.remove_tree(inner, owner=tmp_path)
    assert fs.remove_file(inner / "link", within=inner)  # the link, not its target
    assert outside.exists() and inner.exists()


def test_every_delete_goes_through_the_guarded_helper():
    deleting = re.compile(r"\.unlink\(|rmtree\(|os\.remove\(|\.rmdir\(|os\.unlink\(")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("monitor", "storage", "spiders", "replica", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "fs.py" and deleting.search(path.read_text("utf-8"))
    ]
    assert offenders == []


@pytest.fixture()
def db_path(tmp_path):
    path = tmp_path / "p.db"
    open_db(path).close()
    return path


def files(folder: Path) -> dict[str, int]:
    """Names and sizes, without SQLite's own -wal and -shm companions."""
    return {
        p.name: p.stat().st_size
        for p in folder.iterdir()
        if not p.name.endswith(("-wal", "-shm"))
    }


HEAVY = "select length(replace(printf('%.*c', 5e8, 'x'), 'x', 'yy'))"
HEAVY_ROWS = (
    "with recursive n(i) as (select 1 union all select i + 1 from n limit 30)"
    " select length(replace(printf('%.*c', 2e9, 'x'), 'x', 'yy')) from n"
)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("VACUUM INTO '{dir}/copy.db'", "may only read"),
        ("ATTACH '{dir}/other.db' AS other", "may only read"),
        (HEAVY, "16 MB cap"),
        (HEAVY_ROWS, "16 MB cap"),
        ("select randomblob(2000000000)", "16 MB cap"),
        ("pragma user_version = 3", "may only read"),
        ("pragma wal_checkpoint(truncate)", "may only read"),
        ("select load_extension('/tmp/x.so')", "may only read"),
        ("delete from findings", "read-only"),
    ],
)
def test_query_refuses_writes_files_and_runaway_values(
    db_path, tmp_path, capsys, sql, message
):
    before = files(tmp_path)
    assert main(["query", sql.format(dir=tmp_path), "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert files(tmp_path) == before


@pytest.mark.parametrize(
    "sql",
    [
        "select printf('%5.2f|%-4s|%d%%', 3.14159, 'ab', 7)",
        "select name from pragma_table_info('crawls') limit 1",
        "pragma user_version",
        "with recursive n(i) as (select 1 union all select i + 1 from n limit 3)"
        " select sum(i) from n",
    ],
)
def test_reads_still_work(db_path, capsys, sql):
    assert main(["query", sql, "--db", str(db_path), "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[1] in (" 3.14|ab  |7%", "id", "0", "6")
