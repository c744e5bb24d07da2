"""What the commands print: progress, tables, network causes, --version, help."""

import io
import re
import shlex
from pathlib import Path

import pytest

from monitor.cli.program import build_parser, main
from monitor.outputs.display import format_rows, network_cause, print_crawl_table
from monitor.outputs.progress import Progress
from monitor.run.crawl import CrawlResult
from storage.queries import Result

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def events(platforms=("tokopedia", "bukalapak", "maubelajarapa", "sisnaker")):
    for step in range(1, 4):
        for slug in platforms:
            yield {
                "event": "progress",
                "platform": slug,
                "items": step * 100,
                "pages": step * 12,
                "listing_pages": step,
                "listing_pages_announced": 3,
            }
    for slug in platforms:
        yield {"event": "done", "platform": slug, "items": 300, "pages": 36}


def test_plain_progress_without_a_terminal_prints_no_zero_lines():
    out = io.StringIO()
    progress = Progress(out, every=0, tty=False)
    progress({"event": "progress", "platform": "tokopedia"})  # nothing fetched yet
    progress({"event": "progress", "platform": "tokopedia", "items": 0, "pages": 0})
    assert out.getvalue() == ""
    for event in events():
        progress(event)
    lines = out.getvalue().splitlines()
    assert not any("0 items, listing pages 0/?" in line for line in lines)
    assert any(
        "Tokopedia 300 items, listing pages 3/3, 36 responses" in x for x in lines
    )
    assert "total 1200 items" in lines[-5]
    assert re.match(r"\[\d+:\d\d\] 1 running:", lines[0])
    assert any(re.match(r"\[\d+:\d\d\] 4 running:", line) for line in lines)
    assert sum(line.endswith(": done") for line in lines) == 4


@pytest.mark.parametrize("width", [60, 120])
def test_terminal_progress_is_a_table_that_fits_the_width(width, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(width))
    out = io.StringIO()
    progress = Progress(out, tty=True)
    for event in events():
        progress(event)
    progress.live.refresh()
    text = ANSI.sub("", out.getvalue())
    progress.done()
    rows = [line for line in text.splitlines() if "│" in line]
    assert rows and max(len(line) for line in text.splitlines()) <= width
    assert any("Maubelajarapa" in r or "MauBelajarApa" in r for r in rows)
    assert any("total" in r and "1200" in r for r in rows)
    assert "elapsed" in text


def test_table_output_marks_cut_cells_and_counts_rows(capsys):
    url = "http://127.0.0.1:8400/tokopedia/kartu-prakerja/pelatihan/" + "x" * 60
    out = io.StringIO()
    format_rows(Result(["url"], [(url,)], False), "table", out)
    lines = out.getvalue().splitlines()
    assert lines[2].endswith("\u2026") and len(lines[2]) == 80
    assert lines[-1] == "(1 row)"
    assert "1 cell longer than 80 characters cut" in capsys.readouterr().err
    out = io.StringIO()
    format_rows(Result(["n"], [(1,), (2,)], False), "table", out)
    assert out.getvalue().splitlines()[-1] == "(2 rows)"


@pytest.mark.parametrize(
    ("stats", "cause"),
    [
        (
            {
                "downloader/exception_type_count/"
                "scrapy.exceptions.DownloadConnectionRefusedError": 10
            },
            "network: connection refused (10 attempts)",
        ),
        (
            {"downloader/exception_type_count/twisted.DNSLookupError": 3},
            "network: DNS lookup failed (host name not found) (3 attempts)",
        ),
        (
            {"downloader/exception_type_count/OpenSSL.SSL.Error": 1},
            "network: TLS handshake failed (1 attempt)",
        ),
        ({"item_scraped_count": 4}, None),
    ],
)
def test_network_cause_from_crawl_stats(stats, cause):
    assert network_cause(stats) == cause


def test_crawl_table_wraps_long_reasons_within_the_width():
    out = io.StringIO()
    reasons = ["no listing page could be read", "network: connection refused (10 x)"]
    result = CrawlResult("tokopedia", 3, "incomplete", 0, 0, reasons * 3)
    print_crawl_table([result], out, width=70)
    lines = out.getvalue().splitlines()
    assert len(lines) > 2 and max(len(line) for line in lines) <= 70
    assert "network: connection refused" in " ".join(" ".join(lines).split())


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert re.fullmatch(r"prakerja-monitor \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


def test_base_url_with_a_mistyped_slug_says_so(capsys):
    assert main(["crawl", "--base-url", "tokopdia=http://127.0.0.1:1/x"]) == 2
    err = capsys.readouterr().err
    assert "unknown platform 'tokopdia'; did you mean 'tokopedia'?" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["crawl", "--parallel", "0"],
        ["query", "select 1", "--max-rows", "0"],
        ["query", "select 1", "--timeout", "-1"],
        ["evidence", "--prune", "--days", "-5"],
        ["evidence", "--prune", "--days", "0"],
        ["evidence", "3", "--prune"],
        ["evidence", "3", "--days", "5"],
        ["serve", "--port", "99999"],
        ["demo", "--size", "0"],
    ],
)
def test_numbers_out_of_range_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert "error:" in capsys.readouterr().err


def examples():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        yield name, command.format_help().rstrip().splitlines()[-1].strip()


DEMO_DB = "prakerja-demo/prakerja.db"
READS = {"check", "alert", "query", "evidence", "serve", "report"}


@pytest.mark.parametrize(("name", "example"), list(examples()))
def test_help_examples_work_after_the_quick_start(name, example):
    """Commands that read a database name the demo's; config files named exist."""
    argv = shlex.split(example)[1:]
    args = build_parser().parse_args(argv)
    if name in READS:
        assert args.db == DEMO_DB
    config = getattr(args, "config", None)
    if config and name != "run":  # run's example says to copy the file first
        assert (Path(__file__).parent.parent / config).is_file()
