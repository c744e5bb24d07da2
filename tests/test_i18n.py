"""Languages: catalogues complete and compiled, Babel formats, the digest in both
languages rendered and parsed back with the email package."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from browser import find_all
from test_alerts import GENERATED, PINTARIA_DOWN, finding

from monitor import i18n
from monitor.cli import main as cli_main
from monitor.cli.program import build_parser
from monitor.config import ConfigError, load_config
from monitor.digest.render import render_digest
from monitor.digest.shapes import Evidence
from monitor.outputs.datasette_metadata import build_metadata
from storage.queries import SAVED

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "monitor" / "locale"
RAW_CODE = re.compile(r"\b(label|components|title|negative|relisted-from):")
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def catalogue(lang: str):
    with open(LOCALE / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What the documented ``pybabel extract`` finds in the code and templates."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with open(pot, "rb") as handle:
        return read_po(handle)


def test_extraction_finds_the_messages_of_code_and_templates(extracted):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in extracted if m.id}
    assert "Kartu Prakerja compliance digest" in ids  # digest template
    assert "Kartu Prakerja platforms: compliance report" in ids  # report.py
    assert "no longer payable with Kartu Prakerja" in ids  # digest_words.py
    assert "One row per crawl of one platform" in " ".join(ids)  # metadata
    assert len(ids) > 150


def test_every_extracted_message_has_an_indonesian_translation(extracted):
    indonesian = catalogue("id")
    missing = []
    for message in extracted:
        if not message.id:
            continue
        found = indonesian.get(message.id)
        strings = [] if found is None else found.string
        strings = [strings] if isinstance(strings, str) else list(strings)
        if found is None or found.fuzzy or not all(strings):
            missing.append(message.id)
    assert missing == []


def test_translations_keep_their_placeholders():
    problems = [
        (message.id, errors)
        for message, errors in catalogue("id").check()
        if errors and message.id
    ]
    assert problems == []


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_compiled_catalogue_is_up_to_date_with_its_po(lang):
    po = catalogue(lang)
    with open(LOCALE / lang / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        mo = read_mo(handle)

    def pairs(cat, skip_fuzzy=False):
        out = {}
        for m in cat:
            if not m.id or not m.string or (skip_fuzzy and m.fuzzy):
                continue
            key = m.id if isinstance(m.id, str) else tuple(m.id)
            value = m.string if isinstance(m.string, str) else tuple(m.string)
            if any(value) and value != key:  # untranslated: the msgid itself
                out[key] = value
        return out

    wanted, compiled = pairs(po, skip_fuzzy=True), pairs(mo)
    assert compiled == wanted, "run: pybabel compile -d monitor/locale"


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (1_000_000, "id", "Rp1.000.000"),
        (1_500_000, "en", "Rp1.500.000"),
        (-5000, "id", "-Rp5.000"),
        (None, "id", "-"),
    ],
)
def test_rupiah(value, lang, text):
    assert i18n.format_idr(value, lang) == text


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        ("2020-07-02T10:00:00+07:00", "id", "2 Juli 2020 10.00 WIB"),
        ("2020-07-02T03:00:00+00:00", "id", "2 Juli 2020 10.00 WIB"),
        ("2020-07-02T03:00:00Z", "en", "2 July 2020, 10:00 WIB"),
        ("2020-06-30T23:30:00+00:00", "id", "1 Juli 2020 06.30 WIB"),
        (None, "id", "-"),
        ("kemarin", "id", "-"),
    ],
)
def test_times_in_wib(value, lang, text):
    assert i18n.format_when(value, lang) == text


def test_unknown_language_is_a_clear_error():
    with pytest.raises(ValueError, match="choose one of id, en"):
        i18n.language("fr")


WORDS = {
    "id": {
        "subject": "[prakerja-monitor] 2 paket baru masih dapat dibayar dengan Kartu"
        " Prakerja di Bukalapak dan Sisnaker; 1 paket dihentikan; 1 platform tidak"
        " dapat diverifikasi: Pintaria",
        "headers": ["Platform", "Baru", "Masih terbuka", "Selesai"],
        "reasons": "label platform 'Paket Hemat'; 4 kelas tercantum",
        "seen": "8 Juli 2020 10.00 WIB",
        "files": ["temuan.csv", "bukti.csv"],
        "resolution": "tidak lagi dapat dibayar dengan Kartu Prakerja",
    },
    "en": {
        "subject": "[prakerja-monitor] 2 new bundles still payable with Kartu"
        " Prakerja on Bukalapak and Sisnaker; 1 bundle stopped; 1 platform could"
        " not be verified: Pintaria",
        "headers": ["Platform", "New", "Still open", "Resolved"],
        "reasons": "platform label 'Paket Hemat'; 4 classes listed",
        "seen": "8 July 2020, 10:00 WIB",
        "files": ["findings.csv", "evidence.csv"],
        "resolution": "no longer payable with Kartu Prakerja",
    },
}
EVIDENCE = Evidence(
    "/srv/prakerja/evidence/bukalapak/crawl-7.warc.gz",
    "<urn:prakerja-monitor:crawl:7:1234>",
    "ab" * 32,
)


def parsed_digest(lang: str, **kwargs):
    message = render_digest(
        [finding(1, "bukalapak", evidence=EVIDENCE), finding(2, "sisnaker")],
        [],
        [finding(3, "pintaria", resolution="prakerja-payment-dropped")],
        [PINTARIA_DOWN],
        GENERATED,
        language=lang,
        platforms=["bukalapak", "pintaria", "sisnaker", "tokopedia"],
        open_counts={"bukalapak": 4, "sisnaker": 1, "tokopedia": 2},
        **kwargs,
    )
    raw = message.as_bytes(policy=email.policy.SMTP)
    return raw, email.message_from_bytes(raw, policy=email.policy.default)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_digest_rendered_and_parsed_back(lang):
    words = WORDS[lang]
    raw, message = parsed_digest(
        lang,
        evidence_url="https://bukti.prakerja.example/arsip/",
        evidence_dir="/srv/prakerja/evidence",
    )
    assert message["Subject"] == words["subject"]
    assert message.get_content_type() == "multipart/mixed"
    body, *attached = message.iter_parts()
    assert [p.get_content_type() for p in body.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert [p.get_filename() for p in attached] == words["files"]
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert f'<html lang="{lang}">' in html

    (table,) = find_all(html, "table", None)[:1]
    assert table["id"] == "summary"
    summary = html.split('<table id="summary"')[1].split("</table>")[0]
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", summary)
    assert headers[:4] == words["headers"]
    rows = re.findall(r'<tr data-platform="([a-z]+)">(.*?)</tr>', summary)
    cells = {slug: re.findall(r"<td[^>]*>([^<]*)</td>", row) for slug, row in rows}
    assert [slug for slug, _ in rows] == [
        "bukalapak",
        "pintaria",
        "sisnaker",
        "tokopedia",
    ]
    assert cells["bukalapak"][1:4] == ["1", "3", "0"]  # new, still open, resolved
    assert cells["pintaria"][1:4] == ["0", "0", "1"]
    assert cells["tokopedia"][1:4] == ["0", "2", "0"]
    assert text.splitlines()[0] == words["subject"].split("] ")[1].split(";")[0] + "."

    for part in (html, text, message["Subject"]):
        assert not RAW_CODE.search(part), part
        assert not ISO_TIME.search(part) and "UTC" not in part and "+07:00" not in part
    assert words["reasons"] in text and words["reasons"].replace("'", "&#39;") in html
    assert words["seen"] in text and words["seen"] in html
    assert words["resolution"] in text
    assert b"/srv/prakerja" not in raw  # no path of the monitor's machine
    link = "https://bukti.prakerja.example/arsip/bukalapak/crawl-7.warc.gz"
    assert f'<a href="{link}">E7-1234</a>' in html

    listed = list(
        csv.DictReader(io.StringIO(attached[1].get_content().lstrip("\ufeff")))
    )
    assert listed == [
        {
            "finding": "1",
            "url": finding()["url"],
            "evidence_id": "E7-1234",
            "warc_record_id": "<urn:prakerja-monitor:crawl:7:1234>",
            "sha256": "ab" * 32,
            "evidence_link": link,
        }
    ]


def test_long_rounds_turn_into_compact_rows_with_the_full_list_attached():
    many = [finding(i, "sisnaker", title=f"Paket {i}") for i in range(1, 13)]
    message = render_digest(many, [], [], [], GENERATED, detailed=5)
    html = message.get_body(("html",)).get_content()
    assert len(find_all(html, "table", "finding")) == 5
    compact = html.split('class="compact"')[1].split("</table>")[0]
    assert compact.count("<tr data-finding-id=") == 7
    assert "7 temuan lain di Sisnaker" in html
    (full,) = message.iter_attachments()
    rows = list(csv.DictReader(io.StringIO(full.get_content().lstrip("\ufeff"))))
    assert [r["finding"] for r in rows] == [str(i) for i in range(1, 13)]
    assert rows[0]["first_seen_at"] == "2020-07-08T10:00:00+07:00"
    assert rows[0]["why_a_bundle"] == "label platform 'Paket Hemat'; 4 kelas tercantum"


def test_spreadsheet_formulas_in_scraped_text_are_neutralised():
    message = render_digest([finding(title="=HYPERLINK(1)")], [], [], [], GENERATED)
    (full,) = message.iter_attachments()
    assert ",'=HYPERLINK(1)," in full.get_content()


@pytest.mark.parametrize(
    ("lang", "text"),
    [("id", "Satu baris per pelanggaran"), ("en", "One row per rule violation")],
)
def test_datasette_descriptions_are_translated(lang, text):
    tables = build_metadata(lang)["databases"]["prakerja"]["tables"]
    assert tables["findings"]["description"].startswith(text)
    assert all(t["description"] for t in tables.values())


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("id", "Riwayat kondisi pemeriksaan"),
        ("en", "Crawl health history"),
    ],
)
def test_saved_query_titles_follow_the_language(lang, title, capsys, monkeypatch):
    """Datasette's canned queries and ``query --list`` show the saved queries'
    titles in the configured language; every title is in the catalogue."""
    canned = build_metadata(lang)["databases"]["prakerja"]["queries"]
    assert canned["crawl-health"]["title"] == title
    monkeypatch.setenv("PRAKERJA_MONITOR_LANGUAGE", lang)
    monkeypatch.delenv("PRAKERJA_MONITOR_CONFIG", raising=False)
    assert cli_main(["query", "--list"]) == 0
    listed = capsys.readouterr().out
    assert title in listed
    indonesian = catalogue("id")
    for query in SAVED.values():
        assert indonesian.get(query.title) and indonesian[query.title].string


def test_language_from_config_and_command_line(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('language = "en"\nevidence_url = "https://pmo.example/bukti"\n')
    cfg = load_config(path, env={})
    assert (cfg["language"], cfg["evidence_url"]) == ("en", "https://pmo.example/bukti")
    assert load_config(env={})["language"] == "id"
    path.write_text('language = "fr"\n')
    with pytest.raises(ConfigError, match="language: expected 'id' or 'en'"):
        load_config(path, env={})
    for command in ("alert", "report", "run", "schedule", "demo"):
        assert build_parser().parse_args([command, "--lang", "en"]).lang == "en"
