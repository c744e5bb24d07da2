"""``evidence verify PACKAGE.wacz``: check a package offline and say which check
failed on which file: the signature, every hash in datapackage.json, every WARC
record digest, and that each revisit's original is in the package."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass

from warcio.archiveiterator import ArchiveIterator

from monitor.evidence import signing
from monitor.evidence.records import WARC_ERRORS

DIGEST_FILES = ("datapackage.json", "datapackage-digest.json")


@dataclass
class Check:
    name: str  # signature, hash, listed, warc-digest, revisit, ...
    target: str  # the file (or key) checked
    ok: bool
    message: str = ""

    def line(self) -> str:
        state = "ok    " if self.ok else "FAILED"
        return f"{state} {self.name:<12} {self.target}" + (
            f": {self.message}" if self.message else ""
        )


def _read(wacz: zipfile.ZipFile, name: str, checks: list[Check]) -> bytes | None:
    try:
        return wacz.read(name)
    except KeyError:
        checks.append(Check("present", name, False, "missing from the package"))
    except (zipfile.BadZipFile, OSError) as exc:
        checks.append(Check("zip", name, False, str(exc)))
    return None


def _json(data: bytes | None, name: str, checks: list[Check]) -> dict | None:
    if data is None:
        return None
    try:
        value = json.loads(data)
    except ValueError as exc:
        checks.append(Check("json", name, False, f"not valid JSON ({exc})"))
        return None
    if not isinstance(value, dict):
        checks.append(Check("json", name, False, "not a JSON object"))
        return None
    return value


def check_signature(package: bytes, digest: dict, manifest: dict, expected_key):
    name = "datapackage-digest.json"
    actual = "sha256:" + hashlib.sha256(package).hexdigest()
    out = [
        Check(
            "hash",
            "datapackage.json",
            digest.get("hash") == actual,
            ""
            if digest.get("hash") == actual
            else f"is {actual}, {name} says {digest.get('hash')}",
        )
    ]
    signed = digest.get("signedData")
    if not isinstance(signed, dict):
        return [*out, Check("signature", name, False, "no signedData: not signed")]
    public = signed.get("publicKey") or ""
    good = (
        signed.get("hash") == digest.get("hash")
        and bool(public)
        and signing.verify(
            public, signed.get("hash") or "", signed.get("signature", "")
        )
    )
    out.append(
        Check(
            "signature",
            name,
            good,
            f"ECDSA P-256, key {signing.fingerprint(public)[:16]}..."
            if good
            else "the signature does not sign the datapackage hash with its key",
        )
    )
    bound = {  # the digest file's fields, each bound to the signed manifest
        "path": (digest.get("path"), "datapackage.json"),
        "created": (signed.get("created"), manifest.get("created")),
        "software": (signed.get("software"), manifest.get("software")),
        "version": (signed.get("version"), manifest.get("wacz_version")),
    }
    wrong = [field for field, (have, want) in bound.items() if have != want]
    if wrong:
        out.append(
            Check("signed-data", name, False, f"{', '.join(wrong)} != datapackage.json")
        )
    if expected_key and good:
        same = public == expected_key
        out.append(
            Check(
                "signer",
                name,
                same,
                "the operator's key"
                if same
                else "signed by another key than the operator's",
            )
        )
    return out


def check_resources(wacz: zipfile.ZipFile, package: dict) -> list[Check]:
    checks: list[Check] = []
    listed = {}
    for resource in package.get("resources") or []:
        path = resource.get("path")
        listed[path] = resource
        data = _read(wacz, path, checks)
        if data is None:
            continue
        actual = "sha256:" + hashlib.sha256(data).hexdigest()
        if resource.get("hash") != actual or resource.get("bytes") != len(data):
            checks.append(
                Check(
                    "hash", path, False, "SHA-256 or size differs from datapackage.json"
                )
            )
        else:
            checks.append(Check("hash", path, True))
    for name in wacz.namelist():
        if name not in listed and name not in DIGEST_FILES and not name.endswith("/"):
            checks.append(Check("listed", name, False, "not in datapackage.json"))
    if not any(p.startswith("archive/") for p in listed):
        checks.append(Check("present", "archive/", False, "no WARC in the package"))
    return checks


def check_warcs(wacz: zipfile.ZipFile) -> list[Check]:
    checks, payloads, revisits, unreadable = [], {}, [], False
    names = wacz.namelist()
    for name in sorted(n for n in names if n.endswith((".warc", ".warc.gz"))):
        try:
            data = wacz.read(name)
            problems, count = [], 0
            iterator = ArchiveIterator(io.BytesIO(data), check_digests=True)
            for record in iterator:
                count += 1
                h = record.rec_headers
                rid = h.get_header("WARC-Record-ID")
                body = record.content_stream().read()
                if record.digest_checker.passed is False:
                    problems += [f"{rid}: {p}" for p in record.digest_checker.problems]
                if record.rec_type == "response":
                    payloads[rid] = (h.get_header("WARC-Payload-Digest"), len(body))
                elif record.rec_type == "revisit":
                    revisits.append((name, rid, h))
        except (*WARC_ERRORS, zipfile.BadZipFile) as exc:  # zip CRC, gzip, warcio
            why = str(exc).splitlines()[0][:80].encode("ascii", "replace").decode()
            checks.append(Check("warc", name, False, f"unreadable: {why}"))
            unreadable = True
            continue
        checks.append(
            Check(
                "warc-digest",
                name,
                not problems and count > 0,
                "; ".join(problems[:3]) if problems else f"{count} records",
            )
        )
    for name, rid, h in revisits:
        original = payloads.get(h.get_header("WARC-Refers-To"))
        if original is None and unreadable:
            continue  # its file is reported unreadable already
        if original is None or original[0] != h.get_header("WARC-Payload-Digest"):
            checks.append(
                Check("revisit", name, False, f"{rid}: original missing or different")
            )
    return checks


def verify_package(path, expected_key: str | None = None) -> list[Check]:
    """Every check run on the package; the package is valid when all are ok."""
    try:
        wacz = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return [Check("zip", str(path), False, f"not a readable zip file ({exc})")]
    with wacz:
        checks: list[Check] = []
        package_bytes = _read(wacz, "datapackage.json", checks)
        package = _json(package_bytes, "datapackage.json", checks)
        digest = _json(
            _read(wacz, "datapackage-digest.json", checks), DIGEST_FILES[1], checks
        )
        if package is not None and digest is not None:
            checks += check_signature(package_bytes, digest, package, expected_key)
        if package is not None:
            checks += check_resources(wacz, package)
        checks += check_warcs(wacz)
    return checks
