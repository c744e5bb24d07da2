"""Archived records: extract a finding's archived response and verify its digest;
retention of the WARC archive."""

from __future__ import annotations

import contextlib
import hashlib
import io
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from storage import evidence as store
from storage import fs, packages

# What reading a damaged or foreign WARC can raise: warcio's own errors, gzip and
# zlib, the file, and warcio's parser on malformed headers (e.g. a response
# without WARC-Target-URI: AttributeError on None).
WARC_ERRORS = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    OSError,
    EOFError,
    ValueError,
    LookupError,
    AttributeError,
    TypeError,
    zlib.error,
)


class EvidenceError(Exception):
    """The evidence is missing, unreadable, or does not match its digest."""


def read_record(warc_file: str, offset: int, record_id: str):
    """(WARC headers, payload bytes) of the record: at ``offset`` in the crawl's
    archive, or found by its id when pruning has moved it. warcio's warnings
    about a damaged file (one per record) are kept off the terminal."""
    with contextlib.redirect_stderr(io.StringIO()):
        return _read_record(warc_file, offset, record_id)


def _read_record(warc_file: str, offset: int, record_id: str):
    path = Path(warc_file)
    if not path.is_file():
        raise EvidenceError(f"archive file {warc_file} is missing")
    with path.open("rb") as stream:
        stream.seek(offset)
        try:
            for record in ArchiveIterator(stream):
                if record.rec_headers.get_header("WARC-Record-ID") == record_id:
                    return record.rec_headers, record.content_stream().read()
                break
        except WARC_ERRORS:  # a moved record: fall back to a scan
            pass
        stream.seek(0)
        try:
            for record in ArchiveIterator(stream):
                if record.rec_headers.get_header("WARC-Record-ID") == record_id:
                    return record.rec_headers, record.content_stream().read()
        except WARC_ERRORS as exc:
            raise EvidenceError(f"{warc_file} is not a readable WARC: {exc}") from None
    raise EvidenceError(f"record {record_id} is not in {warc_file}")


def read_payload(db, record_id: str, warc_file=None, offset=0):
    """(WARC headers, payload) of a record found through the archive index (or at
    ``warc_file``/``offset`` for records archived before it); a revisit gives its
    original's payload with its own headers."""
    row = packages.get_records(db, [record_id]).get(record_id)
    if row is not None and row["warc_path"]:
        warc_file, offset = row["warc_path"], row["offset"]
    if warc_file is None:
        raise EvidenceError(f"record {record_id} is not in any archive")
    headers, body = read_record(warc_file, offset, record_id)
    if headers.get_header("WARC-Type") == "revisit":
        original = headers.get_header("WARC-Refers-To")
        if not original:
            raise EvidenceError(f"revisit {record_id} names no original record")
        _, body = read_payload(db, original)
    return headers, body


def extract(db, finding_id: int, out_dir: str | Path) -> dict:
    """Write the finding's archived body to ``out_dir``; check its SHA-256."""
    found = store.finding_evidence(db, [finding_id]).get(finding_id)
    if found is None:
        raise EvidenceError(f"no archived response for finding {finding_id}")
    headers, body = read_payload(
        db, found["record_id"], found["warc_file"], found["offset"]
    )
    digest = hashlib.sha256(body).hexdigest()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target_uri = headers.get_header("WARC-Target-URI") or ""
    suffix = ".json" if body.lstrip()[:1] in (b"{", b"[") else ".html"
    path = out_dir / f"finding-{finding_id}{suffix}"
    path.write_bytes(body)
    return {
        **found,
        "path": str(path),
        "url": target_uri,
        "date": headers.get_header("WARC-Date"),
        "actual_sha256": digest,
        "verified": digest == found["sha256"],
    }


def record_spans(path: Path) -> list[tuple[int, int, str]]:
    """(offset, length, record id) of every record (one gzip member each)."""
    spans = []
    with path.open("rb") as stream, contextlib.redirect_stderr(io.StringIO()):
        iterator = ArchiveIterator(stream)
        for record in iterator:
            rid = record.rec_headers.get_header("WARC-Record-ID")
            record.raw_stream.read()  # the length is known once the record is read
            spans.append(
                (iterator.get_record_offset(), iterator.get_record_length(), rid)
            )
    return spans


def finding_records(db, finding_ids: list[int] | None = None) -> set[str]:
    """Every record the findings' lives cite, with what those records need."""
    cited = {
        rid
        for crawls in packages.sighting_records(db, finding_ids).values()
        for rid in crawls.values()
    }
    cited |= packages.resolving_listing_pages(db, finding_ids)
    return cited | set(packages.expand_records(db, cited))


def prune(db, folder: str | Path, days: int, now: datetime | None = None) -> dict:
    """Drop archived records older than ``days`` that no finding or package cites.

    Kept: each finding's records over its life (with their requests, the pages
    that led to them, revisits' originals), every packaged record, and the
    originals of revisits in recent crawls. Older files are rewritten with only
    the kept records, copied byte for byte (record ids unchanged); files with
    nothing kept are deleted. Only files of this database are touched.
    """
    if not isinstance(days, int) or days <= 0:
        raise EvidenceError(f"retention must be a positive number of days, not {days}")
    cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat()
    keep = finding_records(db) | packages.packaged_records(db)
    keep |= packages.recent_revisit_originals(db, cutoff)
    keep |= set(packages.expand_records(db, keep))
    mine = store.database_identity(db)
    kept = dropped = files_removed = 0
    for crawl in store.archived_crawls(db, cutoff):
        path = Path(crawl["warc_path"])
        if not path.is_file() or mine not in path.parts:
            continue  # gone already, or not a file this database created
        spans = record_spans(path)
        infos = _warcinfos(db, crawl["id"])
        if not [s for s in spans if s[2] in keep and s[2] not in infos]:
            try:
                fs.remove_file(path, within=folder)
            except fs.UnsafeDeleteError:
                continue  # an archive outside the evidence folder is left alone
            store.forget_offsets(db, crawl["id"], set())
            store.move_records(db, crawl["id"], {})
            files_removed += 1
            dropped += len(spans)
            continue
        moved: dict[str, int] = {}
        temporary = path.with_suffix(".tmp")
        with path.open("rb") as src, temporary.open("wb") as dst:
            for offset, length, rid in spans:
                if rid in keep or rid in infos:
                    moved[rid] = dst.tell()
                    src.seek(offset)
                    dst.write(src.read(length))  # the gzip member, byte for byte
                    kept += 1
                else:
                    dropped += 1
        temporary.replace(path)
        old = {offset for offset, _, rid in spans if rid in moved}
        store.forget_offsets(db, crawl["id"], old)
        store.move_records(db, crawl["id"], moved)
    return {"kept": kept, "dropped": dropped, "files_removed": files_removed}


def _warcinfos(db, crawl_id: int) -> set[str]:
    return {
        r["record_id"]
        for r in packages.crawl_records(db, crawl_id)
        if r["type"] == "warcinfo"
    }
