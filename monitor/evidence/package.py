"""``evidence FINDING --package out.wacz``: a signed WACZ 1.1.1 of every archived
record behind a finding over its life, with a summary page and screenshots."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer
from warcio.archiveiterator import ArchiveIterator

from monitor.evidence import signing
from monitor.evidence.package_summary import summary_html
from monitor.evidence.records import WARC_ERRORS
from storage import evidence as store
from storage import fs, packages

WACZ_VERSION = "1.1.1"
SOFTWARE = "prakerja-monitor"


class PackageError(Exception):
    """The finding has nothing archived, or its records cannot be read."""


def software() -> str:
    return store.software_version()


def read_member(path: str, offset: int, length: int, record_id: str) -> bytes:
    """The gzip member of one record, checked to be that record."""
    try:
        with open(path, "rb") as stream:
            stream.seek(offset)
            data = stream.read(length)
        record = next(iter(ArchiveIterator(io.BytesIO(data))))
    except (*WARC_ERRORS, StopIteration) as exc:
        raise PackageError(
            f"{path} at {offset}: not a readable record ({exc})"
        ) from None
    if record.rec_headers.get_header("WARC-Record-ID") != record_id:
        raise PackageError(f"{path} at {offset} is not record {record_id}")
    return data


def parse_member(data: bytes) -> dict:
    record = next(iter(ArchiveIterator(io.BytesIO(data))))
    http = record.http_headers
    return {
        "uri": record.rec_headers.get_header("WARC-Target-URI"),
        "status": int(http.get_statuscode() or 0) if http else None,
        "headers": list(http.headers) if http else [],
        "body": record.content_stream().read(),
    }


def collect(db, finding_id: int) -> tuple[dict, dict[str, dict], dict[int, str]]:
    story = packages.finding_story(db, finding_id)
    if story is None:
        raise PackageError(f"no finding {finding_id}")
    cited = packages.sighting_records(db, [finding_id]).get(finding_id, {})
    wanted = set(cited.values()) | packages.resolving_listing_pages(db, [finding_id])
    records = packages.expand_records(db, wanted)
    if not records:
        raise PackageError(
            f"finding {finding_id} has no indexed archive records (pruned, or"
            " archived before this version)"
        )
    return story, records, cited


def write_archives(records: dict[str, dict], folder: Path) -> dict[str, dict]:
    """One WARC per source crawl under ``folder/archive``, members copied byte for
    byte (warcinfo first); returns, per record id, its member bytes and file."""
    by_crawl: dict[int, list[dict]] = {}
    for row in records.values():
        by_crawl.setdefault(row["crawl_id"], []).append(row)
    out: dict[str, dict] = {}
    (folder / "archive").mkdir(parents=True)
    for crawl_id, rows in sorted(by_crawl.items()):
        name = f"{rows[0]['platform']}-crawl-{crawl_id}.warc.gz"
        rows.sort(key=lambda r: (r["type"] != "warcinfo", r["offset"]))
        with (folder / "archive" / name).open("wb") as dst:
            for row in rows:
                if not row["warc_path"]:
                    raise PackageError(f"crawl {crawl_id} has no archive file")
                data = read_member(
                    row["warc_path"], row["offset"], row["length"], row["record_id"]
                )
                dst.write(data)
                out[row["record_id"]] = {"data": data, "file": name, **row}
    return out


def write_index(folder: Path) -> None:
    buffer = io.StringIO()
    archives = sorted(str(p) for p in (folder / "archive").glob("*.warc.gz"))
    CDXJIndexer(
        buffer, archives, sort=True, post_append=True, fields="referrer"
    ).process_all()
    (folder / "indexes").mkdir()
    (folder / "indexes" / "index.cdxj").write_text(buffer.getvalue())


def page_rows(packed: dict[str, dict]) -> list[dict]:
    pages = [r for r in packed.values() if r["type"] in ("response", "revisit")]
    pages.sort(key=lambda r: (r["crawl_id"], r["page"] != "listing", r["offset"]))
    return pages


def write_pages(folder: Path, pages: list[dict], story: dict) -> None:
    lines = [{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}]
    for row in pages:
        title = f"{row['page']} page, crawl {row['crawl_id']}"
        if row["type"] == "revisit":
            title += " (unchanged since the original capture)"
        lines.append(
            {
                "id": hashlib.sha1(row["record_id"].encode()).hexdigest()[:16],
                "url": row["uri"],
                "ts": row["date"],
                "title": f"{story['platform']} {story['listing_id']}: {title}",
            }
        )
    (folder / "pages").mkdir()
    with (folder / "pages" / "pages.jsonl").open("w") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


def write_screenshots(folder: Path, packed: dict[str, dict]) -> list[dict]:
    """A PNG of each distinct archived detail page (HTML), rendered from the
    archived bytes; a revisit is rendered from its original."""
    from monitor.evidence.screenshot import render

    shots, seen = [], set()
    for row in page_rows(packed):
        original = packed.get(row["refers_to"]) if row["refers_to"] else row
        if row["page"] != "detail" or original is None:
            continue
        if "html" not in (original["mime"] or "") or original["record_id"] in seen:
            continue
        seen.add(original["record_id"])
        context = [
            parse_member(r["data"])
            for r in packed.values()
            if r["crawl_id"] == original["crawl_id"] and r["type"] == "response"
        ]
        name = f"{original['platform']}-crawl-{original['crawl_id']}"
        name += f"-{original['offset']}.png"
        shots.append(
            {"page": parse_member(original["data"]), "context": context, "name": name}
        )
        shots[-1]["record_id"] = original["record_id"]
    if not shots:
        return []
    (folder / "screenshots").mkdir()
    done = render(shots)
    for shot in done:
        (folder / "screenshots" / shot["name"]).write_bytes(shot["png"])
    return [
        {k: shot[k] for k in ("name", "record_id", "payment")}
        | {"url": shot["page"]["uri"]}
        for shot in done
    ]


def datapackage(folder: Path, story: dict, main: dict | None, created: str) -> bytes:
    resources = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        rel = path.relative_to(folder).as_posix()
        resources.append(
            {
                "name": path.name.lower(),
                "path": rel,
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            }
        )
    package = {
        "profile": "data-package",
        "resources": resources,
        "title": f"Finding {story['id']}: {story['platform']} {story['listing_id']}",
        "description": f"Archived evidence of finding {story['id']} ({story['rule']}"
        f" v{story['rule_version']}, {story['status']}), by {SOFTWARE}",
        "created": created,
        "wacz_version": WACZ_VERSION,
        "software": software(),
    }
    if main:
        package["mainPageURL"], package["mainPageDate"] = main["uri"], main["date"]
    return json.dumps(package, indent=2, ensure_ascii=False).encode()


def signed_digest(data: bytes, created: str, key) -> bytes:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    signed = {
        "hash": digest,
        "created": created,
        "software": software(),
        "version": WACZ_VERSION,
        "signature": signing.sign(key, digest),
        "publicKey": signing.public_key_b64(key),
    }
    return json.dumps(
        {"path": "datapackage.json", "hash": digest, "signedData": signed}, indent=2
    ).encode()


def zip_folder(folder: Path, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=out.parent, suffix=".wacz.tmp")
    os.close(fd)
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_STORED) as wacz:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                wacz.write(path, path.relative_to(folder).as_posix())
        os.replace(temporary, out)
    except BaseException:
        fs.remove_file(temporary, within=out.parent)
        raise


def build_package(db, finding_id: int, out, key_path, screenshots=True) -> dict:
    """Write the signed WACZ of a finding to ``out``; returns what it holds."""
    key = signing.load_key(key_path)  # before any work: no key, no package
    story, records, cited = collect(db, finding_id)
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with tempfile.TemporaryDirectory(prefix="prakerja-wacz-") as tmp:
        folder = Path(tmp) / "wacz"
        packed = write_archives(records, folder)
        write_index(folder)
        pages = page_rows(packed)
        write_pages(folder, pages, story)
        shots = write_screenshots(folder, packed) if screenshots else []
        main = next((p for p in reversed(pages) if p["page"] == "detail"), None)
        (folder / "summary").mkdir()
        (folder / "summary" / "index.html").write_text(
            summary_html(story, packed, cited, shots, signing.public_key_b64(key)),
            encoding="utf-8",
        )
        package = datapackage(
            folder, story, main or (pages[0] if pages else None), created
        )
        (folder / "datapackage.json").write_bytes(package)
        (folder / "datapackage-digest.json").write_bytes(
            signed_digest(package, created, key)
        )
        zip_folder(folder, Path(out))
    sha = hashlib.sha256(package).hexdigest()
    packages.save_package(db, finding_id, str(out), sha, set(packed))
    types: dict[str, int] = {}
    for row in packed.values():
        types[row["type"]] = types.get(row["type"], 0) + 1
    return {
        "path": str(out),
        "records": types,
        "pages": [(p["page"], p["uri"], p["crawl_id"], p["type"]) for p in pages],
        "screenshots": shots,
        "fingerprint": signing.fingerprint(signing.public_key_b64(key)),
        "datapackage_sha256": sha,
    }
