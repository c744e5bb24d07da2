"""Evidence: each snapshot row's archived response, extraction with digest
verification, and the retention that keeps what findings cite."""

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from monitor.check import check_all
from monitor.crawl import runner_for
from monitor.evidence import EvidenceError, extract, prune
from storage.evidence import finding_evidence


def records(path):
    with open(path, "rb") as stream:
        return [
            r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(stream)
        ]


@pytest.fixture
def crawled(cfg, replica, db):
    """Two complete crawls of sisnaker after the halt, checked: findings open."""
    replica.set_clock("2020-07-02")
    for day in ("2020-07-02", "2020-07-03"):
        runner = runner_for(cfg, replica.base_urls, now=f"{day}T10:00:00+07:00")
        (result,) = runner.run(["sisnaker"])
        assert result.status == "complete"
    check_all(db, cfg, probe=lambda url: False)
    return db


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
