"""Evidence: each snapshot row's archived response, extraction with digest
verification, the retention that keeps what findings and packages cite, and
evidence folders per database."""

import gzip
import hashlib
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import config_in
from warcio.archiveiterator import ArchiveIterator

from monitor.cli import main
from monitor.config import load_config
from monitor.evidence.package import build_package
from monitor.evidence.records import EvidenceError, extract, prune, read_payload
from monitor.evidence.signing import keygen
from monitor.judge.check import check_all
from monitor.run.crawl import runner_for
from storage.db import open_db
from storage.evidence import database_identity, finding_evidence


def records(path):
    with open(path, "rb") as stream:
        return [
            r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(stream)
        ]


@pytest.fixture(scope="module")
def crawled_once(replica_server, tmp_path_factory):
    """Two complete crawls of sisnaker after the halt, checked: findings open (the
    database and its evidence folder, made once for the module)."""
    folder = tmp_path_factory.mktemp("crawled")
    config = config_in(folder)
    replica_server.reset()
    replica_server.set_clock("2020-07-02")
    try:
        for day in ("2020-07-02", "2020-07-03"):
            runner = runner_for(
                config, replica_server.base_urls, now=f"{day}T10:00:00+07:00"
            )
            (result,) = runner.run(["sisnaker"])
            assert result.status == "complete"
    finally:
        replica_server.reset()
    db = open_db(config.database)
    try:
        check_all(db, config, probe=lambda url: False)
    finally:
        db.close()
    return folder


@pytest.fixture
def crawled(crawled_once, cfg):
    """A copy of those crawls at ``cfg``'s paths, for each test to change: the
    database (its archive paths moved to the copied evidence folder) and the
    evidence folder."""
    evidence = Path(cfg["evidence_dir"])
    shutil.copytree(crawled_once / "evidence", evidence)
    source, target = (
        sqlite3.connect(crawled_once / "p.db"),
        sqlite3.connect(cfg.database),
    )
    source.backup(target)
    source.close()
    target.close()
    db = open_db(cfg.database)
    with db.conn:
        db.execute(
            "UPDATE crawls SET warc_path = ? || substr(warc_path, ?)",
            [str(evidence), len(str(crawled_once / "evidence")) + 1],
        )
    paths = [r[0] for r in db.execute("SELECT warc_path FROM crawls")]
    assert paths and all(
        Path(p).is_file() and p.startswith(str(evidence)) for p in paths
    )
    yield db
    db.close()


def test_every_finding_has_verified_evidence(crawled, tmp_path):
    found = finding_evidence(crawled)
    ids = [r[0] for r in crawled.execute("SELECT id FROM findings")]
    assert ids and sorted(found) == sorted(ids)
    for finding_id in ids:
        done = extract(crawled, finding_id, tmp_path / "out")
        assert done["verified"] and Path(done["path"]).stat().st_size > 0
        assert "/pelatihan/detail/" in done["url"]


def test_tampered_archive_is_reported(crawled, tmp_path):
    finding_id = crawled.execute("SELECT min(id) FROM findings").fetchone()[0]
    evidence = finding_evidence(crawled)[finding_id]
    Path(evidence["warc_file"]).write_bytes(gzip.compress(b"not a warc"))
    with pytest.raises(EvidenceError):
        extract(crawled, finding_id, tmp_path)


def test_retention_keeps_cited_records_and_drops_the_rest(crawled, cfg, tmp_path):
    files = sorted(Path(cfg["evidence_dir"]).rglob("*.warc.gz"))
    before = {f: len(records(f)) for f in files}
    cited = len(finding_evidence(crawled))
    later = datetime.now(UTC) + timedelta(days=2)
    done = prune(crawled, cfg["evidence_dir"], days=1, now=later)
    after = {f: len(records(f)) for f in files if f.exists()}
    assert done["dropped"] > 0 and sum(after.values()) < sum(before.values())
    assert done["kept"] >= cited
    for finding_id in finding_evidence(crawled):  # still there, still verified
        assert extract(crawled, finding_id, tmp_path / "out")["verified"]
    uncited = crawled.execute(
        "SELECT count(*) FROM sightings WHERE warc_offset IS NULL"
    ).fetchone()[0]
    assert uncited > 0


def test_retention_leaves_recent_archives_alone(crawled, cfg):
    files = sorted(Path(cfg["evidence_dir"]).rglob("*.warc.gz"))
    before = {f: f.stat().st_size for f in files}
    done = prune(crawled, cfg["evidence_dir"], days=90)
    assert done == {"kept": 0, "dropped": 0, "files_removed": 0}
    assert {f: f.stat().st_size for f in files} == before


def test_prune_refuses_a_zero_or_negative_age(crawled, cfg, tmp_path):
    files = sorted(Path(cfg["evidence_dir"]).rglob("*.warc.gz"))
    before = {f: f.stat().st_size for f in files}
    for days in (0, -1):
        with pytest.raises(EvidenceError):
            prune(crawled, cfg["evidence_dir"], days=days)
        argv = ["evidence", "--prune", "--days", str(days), "--db", cfg.database]
        with pytest.raises(SystemExit) as refused:  # a usage error: --days >= 1
            main(argv)
        assert refused.value.code == 2
    assert {f: f.stat().st_size for f in files} == before


def test_retention_keeps_packaged_records_revisits_and_their_originals(
    crawled, cfg, tmp_path
):
    finding = crawled.execute("SELECT min(id) FROM findings").fetchone()[0]
    keygen(tmp_path / "key.pem")
    done = build_package(
        crawled, finding, tmp_path / "f.wacz", tmp_path / "key.pem", screenshots=False
    )
    assert done["records"].get("revisit")  # the unchanged second crawl
    packaged = {r[0] for r in crawled.execute("SELECT record_id FROM package_records")}
    later = datetime.now(UTC) + timedelta(days=2)
    assert prune(crawled, cfg["evidence_dir"], days=1, now=later)["dropped"] > 0
    for rid in packaged:  # still there; a revisit still gives its original's bytes
        headers, body = read_payload(crawled, rid)
        if headers.get_header("WARC-Type") in ("response", "revisit"):
            assert body
    for finding_id in finding_evidence(crawled):
        assert extract(crawled, finding_id, tmp_path / "out")["verified"]


def test_two_databases_in_one_folder_keep_their_own_evidence(replica, tmp_path):
    """Issue 12 item 7: evidence files are named per database, and pruning one
    database leaves the other's evidence intact."""
    replica.set_clock("2020-07-02")
    configs = {}
    for name in ("a", "b"):
        config = load_config(env={})
        config.data.update(
            database=str(tmp_path / f"{name}.db"),
            evidence_dir=str(tmp_path / "evidence"),  # shared
            outbox=str(tmp_path / f"outbox-{name}"),
        )
        runner = runner_for(config, replica.base_urls, now="2020-07-02T10:00+07:00")
        (result,) = runner.run(["sisnaker"])
        assert result.status == "complete" and result.crawl_id == 1  # same ids
        configs[name] = config
    dbs = {name: open_db(c.database) for name, c in configs.items()}
    try:
        folders = {n: database_identity(db) for n, db in dbs.items()}
        assert folders["a"] != folders["b"]
        files = {
            n: sorted((tmp_path / "evidence" / folders[n]).rglob("*.warc.gz"))
            for n in dbs
        }
        assert files["a"] and files["b"]
        kept = {f: hashlib.sha256(f.read_bytes()).hexdigest() for f in files["b"]}
        later = datetime.now(UTC) + timedelta(days=2)
        done = prune(dbs["a"], str(tmp_path / "evidence"), days=1, now=later)
        assert done["files_removed"] >= 1 and not any(f.exists() for f in files["a"])
        assert {f: hashlib.sha256(f.read_bytes()).hexdigest() for f in kept} == kept
        rows = dbs["b"].execute("SELECT count(*) FROM archive_records").fetchone()[0]
        assert rows > 0
    finally:
        for db in dbs.values():
            db.close()


def test_a_removal_cites_the_listing_pages_that_no_longer_showed_it(crawled):
    """A finding resolved by a crawl that did not see it: that crawl's listing
    pages are its evidence (packaged, and kept by the retention)."""
    from monitor.evidence.records import finding_records
    from storage.packages import resolving_listing_pages

    finding, platform, listing = crawled.execute(
        "SELECT id, platform, listing_id FROM findings ORDER BY id LIMIT 1"
    ).fetchone()
    last = crawled.execute("SELECT max(id) FROM crawls").fetchone()[0]
    with crawled.conn:  # as if the last crawl had not seen the listing
        crawled.execute(
            "DELETE FROM sightings WHERE crawl_id = ? AND listing_key ="
            " (SELECT id FROM listings WHERE platform = ? AND listing_id = ?)",
            [last, platform, listing],
        )
        crawled.execute(
            "INSERT INTO finding_events (finding_id, kind, at, crawl_id, detail)"
            " VALUES (?, 'resolved', '2020-07-03T10:00+07:00', ?, 'removed')",
            [finding, last],
        )
    pages = resolving_listing_pages(crawled, [finding])
    listing_pages = crawled.execute(
        "SELECT count(*) FROM archive_records WHERE crawl_id = ? AND page = 'listing'",
        [last],
    ).fetchone()[0]
    assert pages and len(pages) == listing_pages
    assert pages <= finding_records(crawled, [finding])
