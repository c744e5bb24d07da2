"""``evidence``: extract a finding's archived response and verify its digest;
retention of the WARC archive."""

from __future__ import annotations

import contextlib
import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from storage import evidence as store
from storage import fs


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
        except Exception:  # noqa: BLE001 - a moved record: fall back to a scan
            pass
        stream.seek(0)
        try:
            for record in ArchiveIterator(stream):
                if record.rec_headers.get_header("WARC-Record-ID") == record_id:
                    return record.rec_headers, record.content_stream().read()
        except Exception as exc:  # noqa: BLE001 - warcio's many load errors
            raise EvidenceError(f"{warc_file} is not a readable WARC: {exc}") from None
    raise EvidenceError(f"record {record_id} is not in {warc_file}")


def extract(db, finding_id: int, out_dir: str | Path) -> dict:
    """Write the finding's archived body to ``out_dir``; check its SHA-256."""
    found = store.finding_evidence(db, [finding_id]).get(finding_id)
    if found is None:
        raise EvidenceError(f"no archived response for finding {finding_id}")
    headers, body = read_record(found["warc_file"], found["offset"], found["record_id"])
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


def record_spans(path: Path) -> list[tuple[int, int]]:
    """(offset, length) of every record (one gzip member each) in a WARC file."""
    spans = []
    with path.open("rb") as stream, contextlib.redirect_stderr(io.StringIO()):
        iterator = ArchiveIterator(stream)
        for record in iterator:
            record.raw_stream.read()  # the length is known once the record is read
            spans.append((iterator.get_record_offset(), iterator.get_record_length()))
    return spans


def prune(db, folder: str | Path, days: int, now: datetime | None = None) -> dict:
    """Drop archived records older than ``days`` that no finding cites.

    Files whose crawl is older are rewritten with only the cited records, copied
    byte for byte (they keep their record ids); files with nothing cited are
    deleted.
    """
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    kept = dropped = files_removed = 0
    for crawl in store.archived_crawls(db, cutoff.isoformat()):
        path = Path(crawl["warc_path"])
        cited = store.cited_offsets(db, crawl["id"])
        if not path.is_file():
            continue
        if not cited:
            try:
                fs.remove_file(path, within=folder)
            except fs.UnsafeDeleteError:
                continue  # an archive outside the evidence folder is left alone
            store.forget_offsets(db, crawl["id"], set())
            files_removed += 1
            continue
        kept_offsets: set[int] = set()
        temporary = path.with_suffix(".tmp")
        with path.open("rb") as src, temporary.open("wb") as dst:
            for offset, length in record_spans(path):
                if offset in cited:  # copy the gzip member byte for byte
                    src.seek(offset)
                    dst.write(src.read(length))
                    kept_offsets.add(offset)
                    kept += 1
                else:
                    dropped += 1
        temporary.replace(path)
        store.forget_offsets(db, crawl["id"], kept_offsets)
    return {"kept": kept, "dropped": dropped, "files_removed": files_removed}
