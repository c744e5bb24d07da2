"""End to end: the demo chain over the replica (real HTTP, real crawl processes, a
real SQLite file), scored against the replica's truth."""

import email
import email.policy
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.cli.demo import run_demo
from monitor.config import SLUGS
from storage.db import open_db
from storage.findings import crawl_rows
from storage.snapshots import latest_crawls as latest


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    out = io.StringIO()
    result = run_demo(str(folder / "run"), out=out)
    result["output"] = out.getvalue()
    db = open_db(result["config"].database)
    result["db"] = db
    yield result
    db.close()


def latest_crawls(db):
    return {r["platform"]: r for r in latest(db)}


def test_every_crawl_is_complete(demo):
    statuses = [r["status"] for r in demo["db"]["crawls"].rows]
    assert statuses == ["complete"] * 16


@pytest.mark.parametrize("slug", SLUGS)
def test_snapshot_equals_truth_listing_for_listing(demo, slug):
    crawl = latest_crawls(demo["db"])[slug]
    seen = {
        r["listing_id"]: (r["is_bundle"], r["prakerja_payment"], r["available"])
        for r in crawl_rows(demo["db"], crawl["id"])
    }
    truth = {
        t["listing_id"]: (t["is_bundle"], t["prakerja_payment"], t["available"])
        for t in demo["truth"][slug]
    }
    assert seen == truth


def test_every_row_has_title_provider_price_and_payment_info(demo):
    missing = (
        demo["db"]
        .execute(
            "SELECT count(*) FROM snapshots WHERE title IS NULL OR provider IS NULL"
            " OR price_idr IS NULL OR payment_methods IS NULL"
        )
        .fetchone()[0]
    )
    assert missing == 0


def test_open_findings_equal_the_truths_violations(demo):
    open_findings = {
        (r["platform"], r["listing_id"])
        for r in demo["db"].query("SELECT * FROM findings WHERE status = 'open'")
    }
    violations = {
        (slug, t["listing_id"])
        for slug, rows in demo["truth"].items()
        for t in rows
        if t["violation"]
    }
    assert open_findings == violations
    assert len({p for p, _ in violations}) >= 2


def test_relisted_bundle_is_flagged_and_linked(demo):
    relisted = [
        (slug, t["listing_id"], t["relisted_from"])
        for slug, rows in demo["truth"].items()
        for t in rows
        if t.get("relisted_from")
    ]
    assert relisted
    for slug, listing_id, old in relisted:
        (finding,) = demo["db"].query(
            "SELECT * FROM findings WHERE platform = ? AND listing_id = ?",
            [slug, listing_id],
        )
        assert finding["status"] == "open"
        assert finding["relisted_from_listing_id"] == old


def test_no_generated_skillacademy_bundle_is_a_finding(demo):
    rows = (
        demo["db"]
        .execute("SELECT listing_id FROM findings WHERE platform = 'skillacademy'")
        .fetchall()
    )
    assert [r[0] for r in rows] == ["PROG-R8HTTJQJ"]  # the real sample item only


def test_demo_table_agrees_with_the_truth(demo):
    for row in demo["rows"]:
        truth = demo["truth"][row["platform"]]
        assert row["listings"] == len(truth)
        assert row["bundles"] == sum(t["is_bundle"] for t in truth)
        assert row["open_findings"] == sum(t["violation"] for t in truth)
        assert row["status"] == "complete"
    assert "open findings" in demo["output"] and "Try:" in demo["output"]


def test_one_digest_in_the_outbox(demo):
    outbox = demo["config"]["outbox"]
    (path,) = list(Path(outbox).glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    total = sum(t["violation"] for rows in demo["truth"].values() for t in rows)
    assert message["Subject"].startswith(f"[prakerja-monitor] {total} paket baru")
    (alert,) = demo["db"]["alerts"].rows
    assert alert["status"] == "sent"


def test_evidence_recorded_for_every_snapshot_row(demo):
    crawl_ids = [c["id"] for c in latest_crawls(demo["db"]).values()]
    marks = ",".join("?" * len(crawl_ids))
    rows = list(
        demo["db"].query(
            f"SELECT evidence_file, evidence_record_id, evidence_sha256 FROM snapshots"
            f" WHERE crawl_id IN ({marks})",
            crawl_ids,
        )
    )
    assert rows and all(all(r.values()) for r in rows)


def cli(*args):
    """Run the real command line in a subprocess; (exit status, stdout, stderr)."""
    done = subprocess.run(
        [sys.executable, "-m", "monitor.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def test_query_refuses_writes_and_leaves_the_database_unchanged(demo):
    path = demo["config"].database
    before = Path(path).read_bytes()
    status, out, err = cli("query", "delete from findings", "--db", path)
    assert status == 2
    assert "read-only" in err
    assert Path(path).read_bytes() == before
    count = demo["db"].execute("SELECT count(*) FROM findings").fetchone()[0]
    assert count == sum(t["violation"] for r in demo["truth"].values() for t in r)


def test_saved_query_lists_exactly_the_demos_violations(demo):
    status, out, err = cli(
        "query",
        "--db",
        demo["config"].database,
        "--saved",
        "bundles-payable-after-halt",
        "--format",
        "json",
    )
    assert status == 0, err
    listed = {(r["platform"], r["listing_id"]) for r in json.loads(out)}
    violations = {
        (slug, t["listing_id"])
        for slug, rows in demo["truth"].items()
        for t in rows
        if t["violation"]
    }
    assert listed == violations


def test_saved_query_parameter_filters(demo):
    status, out, _ = cli(
        "query",
        "--db",
        demo["config"].database,
        "--saved",
        "bundles-payable-after-halt",
        "--param",
        "platform=sisnaker",
        "--format",
        "csv",
    )
    lines = out.strip().splitlines()
    assert status == 0 and lines[0].startswith("finding,platform")
    assert {line.split(",")[1] for line in lines[1:]} == {"sisnaker"}


def test_evidence_for_every_open_finding_is_verified(demo, tmp_path, capsys):
    ids = [r[0] for r in demo["db"].execute("SELECT id FROM findings").fetchall()]
    assert ids
    db = demo["config"].database
    status, out, err = cli("evidence", str(ids[0]), "--db", db, "--out", str(tmp_path))
    assert status == 0 and "verified" in out, err
    for finding_id in ids[1:]:  # the same command in-process: faster
        assert (
            main(["evidence", str(finding_id), "--db", db, "--out", str(tmp_path)]) == 0
        )
        assert "verified" in capsys.readouterr().out
    bodies = list(tmp_path.iterdir())
    assert len(bodies) == len(ids) and all(b.stat().st_size > 0 for b in bodies)


def test_digest_lists_evidence_digests(demo):
    (path,) = list(Path(demo["config"]["outbox"]).glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    (_, listed) = message.iter_attachments()  # temuan.csv, bukti.csv
    assert listed.get_filename() == "bukti.csv"
    text = listed.get_content()
    digests = [
        r[0]
        for r in demo["db"].execute(
            "SELECT DISTINCT evidence_sha256 FROM snapshots s JOIN findings f"
            " ON f.platform = s.platform AND f.listing_id = s.listing_id"
            " AND f.first_crawl_id = s.crawl_id"
        )
    ]
    assert digests and all(d in text for d in digests)


def test_demo_writes_the_report(demo):
    html = Path(demo["report"]).read_text("utf-8")
    assert html.count('class="chart"') == len(SLUGS)
    total = sum(t["violation"] for rows in demo["truth"].values() for t in rows)
    assert html.count('class="finding"') == total


def test_demo_digest_in_indonesian_starts_with_the_summary_table(demo):
    """Must show: one digest, HTML lang="id", the per-platform summary table
    first, no UTC time, no reason code, no path of this machine."""
    (path,) = list(Path(demo["config"]["outbox"]).glob("*.eml"))
    raw = path.read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert '<html lang="id">' in html
    body = html.split("<body", 1)[1]
    assert body.index('<table id="summary"') < body.index('class="finding"')
    assert body.index('<table id="summary"') == body.index("<table")
    summary = body.split('<table id="summary"')[1].split("</table>")[0]
    assert summary.count("<tr data-platform=") == len(SLUGS)
    first = text.splitlines()[0]
    assert "paket baru masih dapat dibayar dengan Kartu Prakerja di" in first
    for part in (html, text, message["Subject"]):
        assert "UTC" not in part and "+00:00" not in part and "GMT" not in part
        assert not re.search(r"\b(label|components|title|negative):", part)
        assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", part)
    assert "WIB" in text and "2 Juli 2020 10.00 WIB" in html
    folder = str(Path(demo["config"].database).parent)
    assert folder.encode() not in raw and b"warc.gz" not in raw
    lines = text.splitlines()
    assert len(lines) < 400, len(lines)  # compact rows after 5 per platform


def test_demo_in_english(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "monitor.cli",
            "demo",
            "--dir",
            str(tmp_path / "d"),
            "--lang",
            "en",
            "--size",
            "100",  # 8 to 16 listings a platform: the wording needs no more
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    (path,) = list((tmp_path / "d" / "outbox").glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    html = message.get_body(("html",)).get_content()
    assert '<html lang="en">' in html
    assert " new bundles still payable with Kartu Prakerja on " in message["Subject"]
    assert "Cannot verify" in html and "Tidak dapat diverifikasi" not in html
    report = (tmp_path / "d" / "report.html").read_text("utf-8")
    assert '<html lang="en">' in report


def test_evidence_package_after_demo_validates_and_names_a_tampered_warc(
    demo, tmp_path
):
    """Issue 16's must-show: `evidence --db DB N --package out.wacz` for an open
    finding; the `wacz` tool and `evidence verify` accept it; a flipped WARC byte
    (re-zipped) fails verify naming the file; listing and detail pages, request
    records and a warcinfo naming the software version are in it."""
    import zipfile

    from warcio.archiveiterator import ArchiveIterator

    db = demo["config"].database
    (finding,) = (
        demo["db"]
        .execute(
            "SELECT min(id) FROM findings"
            " WHERE status = 'open' AND platform = 'tokopedia'"
        )
        .fetchone()
    )
    run = [sys.executable, "-m", "monitor.cli", "evidence"]
    done = subprocess.run(
        [*run, "--db", db, str(finding), "--package", "out.wacz"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    package = tmp_path / "out.wacz"
    wacz_tool = Path(sys.executable).parent / "wacz"
    valid = subprocess.run(
        [str(wacz_tool), "validate", "-f", str(package)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert valid.returncode == 0 and "Validation succeeded" in valid.stdout
    verify = [*run, "verify", "out.wacz"]
    ok = subprocess.run(verify, cwd=tmp_path, capture_output=True, text=True)
    assert ok.returncode == 0 and "verified" in ok.stdout
    with zipfile.ZipFile(package) as wacz:
        warcs = [n for n in wacz.namelist() if n.endswith(".warc.gz")]
        records = []
        for name in warcs:
            for record in ArchiveIterator(io.BytesIO(wacz.read(name))):
                records.append(
                    (
                        record.rec_type,
                        record.rec_headers,
                        record.content_stream().read(),
                    )
                )
        with zipfile.ZipFile(tmp_path / "bad.wacz", "w") as bad:
            for name in wacz.namelist():
                data = bytearray(wacz.read(name))
                if name == warcs[0]:
                    data[len(data) // 2] ^= 0x01
                bad.writestr(name, bytes(data))
    failed = subprocess.run(
        [*run, "verify", "bad.wacz"], cwd=tmp_path, capture_output=True, text=True
    )
    assert failed.returncode == 1 and warcs[0] in failed.stdout.splitlines()[-1]
    uris = {h.get_header("WARC-Target-URI") for t, h, _ in records if t != "warcinfo"}
    assert any("/kartu-prakerja/pelatihan/" in u for u in uris)  # detail page
    assert any("/discovery/kartu-prakerja" in u for u in uris)  # listing page
    assert any(t == "request" for t, _, _ in records)
    assert any(
        t == "warcinfo" and b"software: prakerja-monitor/0.1.0" in body
        for t, _, body in records
    )
