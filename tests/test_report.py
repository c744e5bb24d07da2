"""The HTML report: self-contained, per platform chart, findings with evidence and
crawl health, scraped text escaped; rendered by headless chromium."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser import dump_dom, find_all, png_size_and_colours, screenshot
from sample_db import (
    HOSTILE_CLASS,
    HOSTILE_PROVIDER,
    HOSTILE_TITLE,
    HOSTILE_URL,
    OPEN,
    REASON,
    SHA,
    TOKOPEDIA_TITLES,
    build_sample_db,
)

from monitor.cli.program import build_parser, main
from monitor.outputs.charts import step_path
from monitor.outputs.report import write_report


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    db = build_sample_db(folder / "prakerja.db")
    out = folder / "report.html"
    context = write_report(db, out)
    return {"db": db, "out": out, "html": out.read_text("utf-8"), "ctx": context}


@pytest.fixture(scope="module")
def dom(sample, tmp_path_factory):
    return dump_dom(sample["out"].as_uri(), tmp_path_factory.mktemp("chromium"))


def test_command_writes_the_report(sample, tmp_path, capsys):
    out = tmp_path / "sub" / "r.html"
    assert main(["report", "--db", str(sample["db"]), "--out", str(out)]) == 0
    assert "2 platforms, 3 open findings" in capsys.readouterr().out
    assert out.read_text("utf-8").startswith("<!DOCTYPE html>")


def test_command_without_database_is_a_user_error(tmp_path, capsys):
    assert main(["report", "--db", str(tmp_path / "none.db")]) == 2
    assert "no database" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["report", "serve"])
def test_help_ends_with_an_example(command):
    sub = build_parser()._subparsers._group_actions[0].choices[command]
    assert sub.format_help().rstrip().splitlines()[-2:][0] == "Example:"


def test_title_and_generation_time(sample):
    html = sample["html"]
    assert '<h1 id="title">Platform Kartu Prakerja: laporan kepatuhan</h1>' in html
    (generated,) = find_all(html, "time")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", generated["datetime"])


def test_self_contained_no_script_no_external_resource(sample):
    html = sample["html"]
    for tag in ("script", "link", "img", "iframe", "object", "embed"):
        assert not find_all(html, tag), tag
    for tag in ("svg", "time", "a", "td", "table", "section", "circle"):
        assert not [e for e in find_all(html, tag) if "src" in e], tag
    style = html.split("<style>")[1].split("</style>")[0]
    assert "@import" not in style and "url(" not in style
    assert html.count("<style>") == 1


def test_hostile_text_is_escaped(sample):
    html = sample["html"]
    assert HOSTILE_TITLE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE_PROVIDER not in html and "<img" not in html
    assert HOSTILE_CLASS not in html and "<b>bold" not in html
    hrefs = [a.get("href", "") for a in find_all(html, "a")]
    assert not [h for h in hrefs if h.lower().startswith("javascript")]
    assert HOSTILE_URL in html  # shown as text, never linked


def test_one_chart_per_platform_with_untrusted_crawls_marked(sample):
    charts = find_all(sample["html"], "svg", "chart")
    assert [c["data-platform"] for c in charts] == ["bukalapak", "tokopedia"]
    tokopedia = sample["html"].split('id="platform-tokopedia"')[1]
    points = find_all(tokopedia, "circle", "point")
    assert [p["data-crawl-id"] for p in points] == ["1", "2", "3", "4"]
    assert [p["data-value"] for p in points] == ["2", "2", "1", "2"]
    assert [p["class"] for p in points].count("point untrusted") == 1
    assert find_all(tokopedia, "line", "halt")  # the halt falls inside the axis


def test_the_chart_marks_the_configured_halt(sample, tmp_path, monkeypatch):
    """The halt line follows the configuration, not a copy of the default."""
    early = tmp_path / "early.html"
    write_report(sample["db"], early, halt="2019-01-01T00:00:00+07:00")
    assert not find_all(early.read_text("utf-8"), "line", "halt")  # before the axis
    monkeypatch.setenv("PRAKERJA_MONITOR_HALT", "2019-01-01T00:00:00+07:00")
    out = tmp_path / "configured.html"
    assert main(["report", "--db", str(sample["db"]), "--out", str(out)]) == 0
    assert not find_all(out.read_text("utf-8"), "line", "halt")
    assert find_all(sample["html"], "line", "halt")  # the default halt is in range


def test_findings_tables_with_evidence(sample):
    html = sample["html"]
    for slug, count in OPEN.items():
        (table,) = [
            t for t in find_all(html, "table", "findings") if t["data-platform"] == slug
        ]
        assert table["id"] == f"findings-{slug}"
        part = html.split(f'id="findings-{slug}"')[1].split("</table>")[0]
        assert len(find_all(part, "tr", "finding")) == count
    toko = html.split('id="findings-tokopedia"')[1].split("</table>")[0]
    assert "Paket Barista Lengkap (3 Kelas)" in toko
    assert "Rp900.000" in toko and "Rp1.500.000" in toko
    assert "Kartu Prakerja, OVO" in toko
    assert "crawl-2.warc.gz" in toko  # the archive's name, not this machine's path
    assert "/evidence/tokopedia/" not in toko
    assert "&lt;urn:prakerja-monitor:crawl:2:1001&gt;" in toko
    assert SHA in toko


def test_crawl_health_shows_status_and_reasons(sample):
    html = sample["html"]
    rows = find_all(html, "tr", "crawl")
    assert [(r["data-crawl-id"], r["data-status"]) for r in rows] == [
        ("6", "failed"),
        ("5", "complete"),
        ("4", "complete"),
        ("3", "incomplete"),
        ("2", "complete"),
        ("1", "complete"),
    ]
    assert REASON in html and "the spider raised KeyError" in html


def test_chromium_renders_chart_and_findings(sample, dom):
    charts = find_all(dom, "svg", "chart")
    assert [c["data-platform"] for c in charts] == ["bukalapak", "tokopedia"]
    assert len(find_all(dom, "tr", "finding")) == sum(OPEN.values())
    assert len(find_all(dom, "circle", "point")) == 6
    assert not find_all(dom, "script") and not find_all(dom, "img")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom  # a text node, not code
    assert TOKOPEDIA_TITLES[0] in dom


def test_chromium_screenshot_is_not_blank(sample, tmp_path):
    png = screenshot(sample["out"].as_uri(), tmp_path / "report.png", tmp_path)
    width, height, colours = png_size_and_colours(png)
    assert (width, height) == (1280, 2000)
    assert colours > 50


ARTIFACTS = Path(
    os.environ.get("PRAKERJA_TEST_ARTIFACTS")
    or Path(__file__).resolve().parent.parent / "tmp" / "artifacts"
)
REPORT_WORDS = {
    "id": ("Platform Kartu Prakerja: laporan kepatuhan", "Temuan terbuka", "Juli 2020"),
    "en": ("Kartu Prakerja platforms: compliance report", "Open findings", "July 2020"),
}


def test_compliance_chart_is_drawn_as_steps(sample):
    tokopedia = sample["html"].split('id="platform-tokopedia"')[1]
    (series,) = find_all(tokopedia, "path", "series")
    points = [
        (float(p["cx"]), float(p["cy"]))
        for p in find_all(tokopedia, "circle", "complete")
    ]
    expected = f"M{points[0][0]},{points[0][1]}" + "".join(
        f" H{x}V{y}" for x, y in points[1:]
    )
    assert series["d"] == expected  # holds each count until the next crawl
    assert not find_all(sample["html"], "polyline")
    assert step_path([]) == ""


def test_evidence_is_a_short_id_with_the_digest_in_details(sample):
    toko = sample["html"].split('id="findings-tokopedia"')[1].split("</table>")[0]
    assert '<summary title="SHA-256 ' + SHA + '">E2-1001</summary>' in toko
    assert "<details>" in toko


@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_in_both_languages_in_chromium(sample, tmp_path, lang):
    out = tmp_path / f"report-{lang}.html"
    write_report(sample["db"], out, language=lang)
    html = out.read_text("utf-8")
    assert f'<html lang="{lang}">' in html
    title, findings, month = REPORT_WORDS[lang]
    dom = dump_dom(out.as_uri(), tmp_path)
    assert f'<h1 id="title">{title}</h1>' in dom
    assert findings in dom and month in dom and "WIB" in dom
    body = dom.split("<body", 1)[1]
    assert body.index('id="summary"') < body.index('class="platform"')
    assert "label:" not in dom and "+07:00</" not in dom
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    png = screenshot(out.as_uri(), ARTIFACTS / f"report-{lang}.png", tmp_path)
    width, height, colours = png_size_and_colours(png)
    assert (width, height) == (1280, 2000) and colours > 50
