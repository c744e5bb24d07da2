"""Evidence packages: WARC 1.1 as crawlers write it, signed WACZ validated by the
`wacz` tool and our verify, byte flips named, screenshots from archived bytes,
pywb replay on loopback (revisits resolved), retention, keys."""

import hashlib
import io
import json
import shutil
import stat
import subprocess
import sys
import urllib.request
import zipfile
import zlib
from pathlib import Path

import pytest
from helpers import config_in
from warcio.archiveiterator import ArchiveIterator

from monitor.cli import main
from monitor.evidence import replay
from monitor.evidence.package import build_package
from monitor.evidence.signing import keygen
from monitor.evidence.verify import verify_package
from monitor.judge.check import check_all
from monitor.run.crawl import runner_for
from storage.db import open_db

PLATFORM = "sisnaker"


def records_of(data: bytes) -> list:
    out = []
    for record in ArchiveIterator(io.BytesIO(data)):
        body = record.content_stream().read()
        out.append((record.rec_type, record.rec_headers, body))
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory, replica_server):
    """Two crawls of one platform on one clock (the second an unchanged
    recrawl), checked; a signing key; a package of an open finding."""
    tmp = tmp_path_factory.mktemp("package")
    cfg = config_in(tmp)
    cfg.data["evidence"]["signing_key"] = str(tmp / "key.pem")
    cfg.data["evidence"]["operator"] = "PMO compliance team"
    cfg.data["evidence"]["contact"] = "kepatuhan@prakerja.go.id"
    replica_server.reset()
    replica_server.set_clock("2020-07-02")
    crawls = []
    for day in ("2020-07-02", "2020-07-03"):
        runner = runner_for(cfg, replica_server.base_urls, now=f"{day}T10:00:00+07:00")
        (result,) = runner.run([PLATFORM])
        assert result.status == "complete"
        crawls.append(result.crawl_id)
    db = open_db(cfg.database)
    check_all(db, cfg, probe=lambda url: False)
    finding = db.execute(
        "SELECT min(id) FROM findings WHERE status = 'open'"
    ).fetchone()[0]
    keygen(cfg["evidence"]["signing_key"])
    fetched = len(replica_server.log(PLATFORM))
    done = build_package(db, finding, tmp / "out.wacz", cfg["evidence"]["signing_key"])
    yield {
        "cfg": cfg,
        "db": db,
        "tmp": tmp,
        "finding": finding,
        "crawls": crawls,
        "package": tmp / "out.wacz",
        "done": done,
        "live_fetches": len(replica_server.log(PLATFORM)) - fetched,
    }
    db.close()
    replica_server.reset()


def test_unchanged_recrawl_adds_at_most_a_quarter(world):
    first, second = (
        Path(
            world["db"]
            .execute("SELECT warc_path FROM crawls WHERE id = ?", [c])
            .fetchone()[0]
        )
        for c in world["crawls"]
    )
    assert second.stat().st_size <= 0.25 * first.stat().st_size
    kinds = [r[0] for r in records_of(second.read_bytes())]
    assert kinds[0] == "warcinfo" and set(kinds[1:]) == {"revisit"}


def test_crawl_archive_is_warc_1_1_as_crawlers_write_it(world):
    path = (
        world["db"]
        .execute("SELECT warc_path FROM crawls WHERE id = ?", [world["crawls"][0]])
        .fetchone()[0]
    )
    records = records_of(Path(path).read_bytes())
    kind, headers, body = records[0]
    assert kind == "warcinfo" and headers.protocol == "WARC/1.1"
    info = body.decode()
    for field in (
        "software: prakerja-monitor/",
        "operator: PMO compliance team",
        "contact: kepatuhan@prakerja.go.id",
        "robots: obey",
        f"platform: {PLATFORM}",
        f"crawl-id: {world['crawls'][0]}",
    ):
        assert field in info
    kinds = [r[0] for r in records[1:]]
    assert kinds == ["request", "response"] * (len(kinds) // 2)
    for (_, req, _), (_, resp, _) in zip(records[1::2], records[2::2], strict=True):
        assert req.get_header("WARC-Target-URI") == resp.get_header("WARC-Target-URI")
        assert resp.get_header("WARC-Concurrent-To") == req.get_header("WARC-Record-ID")
    uris = [r[1].get_header("WARC-Target-URI") for r in records if r[0] == "response"]
    assert any("/pelatihan/detail/" in u for u in uris)  # detail pages
    assert sum("/pelatihan/detail/" not in u for u in uris) >= 2  # listing pages


def test_wacz_tool_validates_the_package(world):
    tool = shutil.which("wacz", path=str(Path(sys.executable).parent))
    done = subprocess.run(
        [tool, "validate", "-f", str(world["package"])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation succeeded" in done.stdout


def test_verify_accepts_the_package(world, capsys):
    key = world["cfg"]["evidence"]["signing_key"]
    assert main(["evidence", "verify", str(world["package"]), "--key", key]) == 0
    out = capsys.readouterr().out
    assert "verified (signature" in out
    checks = verify_package(world["package"])
    assert checks and all(c.ok for c in checks)


def test_package_holds_listing_detail_requests_revisits_and_warcinfo(world):
    with zipfile.ZipFile(world["package"]) as wacz:
        names = wacz.namelist()
        records = [
            r
            for n in names
            if n.startswith("archive/")
            for r in records_of(wacz.read(n))
        ]
        pages = [json.loads(x) for x in wacz.read("pages/pages.jsonl").splitlines()]
    kinds = {r[0] for r in records}
    assert {"warcinfo", "request", "response", "revisit"} <= kinds
    infos = [r[2].decode() for r in records if r[0] == "warcinfo"]
    assert all("software: prakerja-monitor/0.1.0" in i for i in infos)
    uris = {r[1].get_header("WARC-Target-URI") for r in records if r[0] != "warcinfo"}
    assert any("/pelatihan/detail/" in u for u in uris)
    assert any("/pelatihan/detail/" not in u for u in uris)  # the listing page
    ids = {r[1].get_header("WARC-Record-ID") for r in records}
    for kind, headers, _ in records:
        if kind == "revisit":
            assert headers.get_header("WARC-Refers-To") in ids
            assert headers.get_header("WARC-Profile").endswith(
                "/warc/1.1/revisit/identical-payload-digest"
            )
    assert pages[0]["format"] == "json-pages-1.0" and len(pages) >= 3
    assert {"datapackage.json", "datapackage-digest.json", "indexes/index.cdxj"} <= set(
        names
    )
    assert any(n.startswith("summary/") for n in names)


def package_files(path) -> list[str]:
    with zipfile.ZipFile(path) as wacz:
        return [n for n in wacz.namelist() if not n.endswith("/")]


def flipped(source, name: str, target, where: float = 0.5) -> None:
    """Copy the package with one byte of ``name`` flipped, re-zipped."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.namelist():
            data = bytearray(old.read(item))
            if item == name:
                data[int(len(data) * where)] ^= 0x01
            new.writestr(item, bytes(data))


@pytest.mark.parametrize("where", [0.5, 0.2])
def test_a_flipped_byte_in_any_file_fails_naming_that_file(world, tmp_path, where):
    key = world["cfg"]["evidence"]["signing_key"]
    for name in package_files(world["package"]):
        bad = tmp_path / f"bad-{Path(name).name}.wacz"
        flipped(world["package"], name, bad, where)
        assert main(["evidence", "verify", str(bad), "--key", key]) == 1, name
        failed = {c.target for c in verify_package(bad) if not c.ok}
        assert name in failed, (name, failed)


def test_verify_names_the_file_when_a_warc_is_tampered(world, tmp_path, capsys):
    warc = next(n for n in package_files(world["package"]) if n.endswith(".warc.gz"))
    bad = tmp_path / "bad.wacz"
    flipped(world["package"], warc, bad)
    status = main(["evidence", "verify", str(bad)])
    out = capsys.readouterr().out
    assert status == 1 and "NOT VERIFIED" in out and warc in out.splitlines()[-1]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def png_ink(data: bytes) -> float:
    """Share of non-zero bytes in the filtered scanlines: a blank page is ~0."""
    pos, idat = 8, b""
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        if data[pos + 4 : pos + 8] == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    return sum(1 for b in raw if b) / len(raw)


def test_screenshot_shows_the_payment_section(world):
    shots = world["done"]["screenshots"]
    assert shots
    with zipfile.ZipFile(world["package"]) as wacz:
        for shot in shots:
            png = wacz.read(f"screenshots/{shot['name']}")
            assert png_size(png) == (1280, 900)
            assert png_ink(png) > 0.01
            assert shot["payment"]["in_view"]
            assert "Metode Pembayaran" in shot["payment"]["label"]
            assert "Kartu Prakerja" in shot["payment"]["text"]
    assert world["live_fetches"] == 0  # rendered from the archive, not the replica


def test_pages_replay_through_pywb_with_the_archived_bytes(world, tmp_path):
    db = world["db"]
    root = replay.prepare(world["package"], tmp_path / "pywb")
    proc, port = replay.start(root)
    try:
        pages = json.loads((root / "pages.json").read_text())
        revisits = 0
        for page in pages:
            with urllib.request.urlopen(
                replay.replay_url(port, page, raw=True)
            ) as answer:
                body = answer.read()
            expected = db.execute(
                "SELECT sha256, type FROM archive_records WHERE uri = ? AND date = ?",
                [page["url"], page["ts"]],
            ).fetchone()
            assert hashlib.sha256(body).hexdigest() == expected[0], page
            revisits += expected[1] == "revisit"
        assert revisits >= 1  # a revisit replayed its original's payload
    finally:
        replay.stop(proc)


def test_private_key_is_never_printed_nor_packaged(world, tmp_path, capsys):
    key = tmp_path / "k.pem"
    assert main(["evidence", "keygen", "--key", str(key)]) == 0
    out = capsys.readouterr().out
    assert "PRIVATE" not in out and str(key) in out
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert main(["evidence", "keygen", "--key", str(key)]) == 2  # never overwritten
    secret = Path(world["cfg"]["evidence"]["signing_key"]).read_bytes()
    blob = world["package"].read_bytes()
    assert b"PRIVATE KEY" not in blob and secret.split(b"\n")[1] not in blob


def test_verify_reports_another_signer(world, tmp_path, capsys):
    other = tmp_path / "other.pem"
    keygen(other)
    assert main(["evidence", "verify", str(world["package"]), "--key", str(other)]) == 1
    assert "signed by another key" in capsys.readouterr().out
