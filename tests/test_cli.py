"""The command line: every command documented with an example; clear errors."""

import pytest

from monitor.cli.program import build_parser, main


def commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sub.choices


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_has_help_ending_with_an_example(name):
    text = commands()[name].format_help().rstrip()
    last = text.splitlines()[-1].strip()
    assert "Example:" in text
    assert last.startswith("prakerja-monitor " + name)


def test_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in commands():
        assert name in out


def test_unknown_platform_is_a_clear_error(capsys):
    assert main(["crawl", "shopee", "--db", "/nonexistent/x.db"]) == 2
    assert "unknown platform 'shopee'" in capsys.readouterr().err


def test_bad_base_url_is_a_clear_error(capsys):
    assert main(["crawl", "--base-url", "tokopedia", "--db", "x.db"]) == 2
    assert "--base-url wants SLUG=http" in capsys.readouterr().err


def test_bad_now_is_a_clear_error(capsys, tmp_path):
    code = main(["crawl", "tokopedia", "--now", "2020-07-02", "--db", "x.db"])
    assert code == 2
    assert "UTC offset" in capsys.readouterr().err


def test_query_on_missing_database(capsys, tmp_path):
    assert main(["query", "select 1", "--db", str(tmp_path / "none.db")]) == 2
    assert "no database at" in capsys.readouterr().err


def test_query_sql_error_and_row_cap(capsys, tmp_path):
    from storage.db import open_db

    db_path = tmp_path / "p.db"
    open_db(db_path).close()
    assert main(["query", "select nope from crawls", "--db", str(db_path)]) == 2
    assert "SQL error" in capsys.readouterr().err
    sql = "with recursive n(i) as (select 1 union all select i + 1 from n) select i"
    sql += " from n limit 50"
    assert main(["query", sql, "--db", str(db_path), "--max-rows", "10"]) == 0
    captured = capsys.readouterr()
    assert "(10 rows)" in captured.out and "output cut at 10 rows" in captured.err


def test_query_time_limit(capsys, tmp_path):
    from storage.db import open_db

    db_path = tmp_path / "p.db"
    open_db(db_path).close()
    endless = "with recursive n(i) as (select 1 union all select i + 1 from n)"
    endless += " select count(*) from n"
    assert main(["query", endless, "--db", str(db_path), "--timeout", "0.5"]) == 2
    assert "0.5 s limit" in capsys.readouterr().err
