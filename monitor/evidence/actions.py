"""The ``evidence`` sub-commands beyond extraction: keygen, verify, --package,
--replay and --prune."""

from __future__ import annotations

import signal
import sys
import tempfile
from pathlib import Path

from monitor.preconditions import UserError, open_database

MODES = ("keygen", "verify")


def handles(args) -> bool:
    """Whether this module runs the command (else the plain extraction does)."""
    return bool(args.finding in MODES or args.package or args.replay or args.prune)


def run(args, cfg) -> int:
    from monitor.evidence import signing

    key_path = args.key or cfg["evidence"]["signing_key"]
    if args.finding == "keygen":
        try:
            made = signing.keygen(key_path)
        except signing.SigningError as exc:
            raise UserError(str(exc)) from None
        print(f"signing key written to {made['key']} (keep it private)")
        print(f"public key: {made['public_key']}")
        print(f"fingerprint (SHA-256 of the public key): {made['fingerprint']}")
        return 0
    if args.finding == "verify":
        return verify(args, key_path)
    db = open_database(cfg)
    try:
        if args.prune:
            return prune(args, cfg, db)
        finding = finding_id(args)
        with tempfile.TemporaryDirectory(prefix="prakerja-replay-") as tmp:
            out = args.package or str(Path(tmp) / f"finding-{finding}.wacz")
            package(db, finding, out, key_path, args)
            db.close()
            return replay(out, args.port, Path(tmp)) if args.replay else 0
    finally:
        db.close()


def finding_id(args) -> int:
    if args.finding is None:
        raise UserError("give a FINDING_ID, keygen, verify PACKAGE, or --prune")
    try:
        return int(args.finding)
    except ValueError:
        raise UserError(f"not a finding id: {args.finding!r}") from None


def package(db, finding: int, out: str, key_path: str, args) -> None:
    from monitor.evidence import signing
    from monitor.evidence.package import PackageError, build_package
    from monitor.evidence.screenshot import ScreenshotError

    if not Path(key_path).exists():
        made = signing.keygen(key_path)
        print(f"no signing key yet: created {made['key']} ({made['fingerprint']})")
    try:
        done = build_package(db, finding, out, key_path, not args.no_screenshots)
    except (PackageError, ScreenshotError, signing.SigningError) as exc:
        raise UserError(str(exc)) from None
    records = ", ".join(f"{n} {kind}" for kind, n in sorted(done["records"].items()))
    print(f"package written: {done['path']} ({records})")
    for page, uri, crawl, kind in done["pages"]:
        print(f"  {page:<7} crawl {crawl:<4} {kind:<8} {uri}")
    for shot in done["screenshots"]:
        where = (
            "payment section in view"
            if (shot["payment"] or {}).get("in_view")
            else ("payment section not found")
        )
        print(f"  screenshot screenshots/{shot['name']} ({where})")
    print(f"  signed with key {done['fingerprint']}")


def verify(args, key_path: str) -> int:
    from monitor.evidence import signing
    from monitor.evidence.verify import verify_package

    if not args.target:
        raise UserError("give the package: evidence verify PACKAGE.wacz")
    if not Path(args.target).is_file():
        raise UserError(f"no such file: {args.target}")
    expected = None
    if Path(key_path).is_file():
        expected = signing.public_key_b64(signing.load_key(key_path))
    checks = verify_package(args.target, expected)
    failed = [c for c in checks if not c.ok]
    for check in checks if args.verbose else failed:
        print(check.line())
    hashes = sum(1 for c in checks if c.name == "hash" and c.ok)
    if failed:
        names = sorted({c.target for c in failed})
        print(f"{args.target}: NOT VERIFIED ({len(failed)} failed: {', '.join(names)})")
        return 1
    print(
        f"{args.target}: verified (signature, {hashes} hashes, every WARC record"
        " digest)"
    )
    return 0


def prune(args, cfg, db) -> int:
    from monitor.evidence.records import prune as prune_archive

    days = cfg["evidence"]["retention_days"] if args.days is None else args.days
    if days <= 0:
        raise UserError(f"--days must be a positive number of days, not {days}")
    done = prune_archive(db, cfg["evidence_dir"], days)
    print(
        f"kept {done['kept']} cited records, dropped {done['dropped']},"
        f" removed {done['files_removed']} archive files (older than {days} d)"
    )
    return 0


def replay(out: str, port: int | None, tmp: Path) -> int:
    from monitor.evidence import replay as pywb

    root = pywb.prepare(out, tmp / "pywb")
    try:
        proc, port = pywb.start(root, port)
    except pywb.ReplayError as exc:
        print(f"replay: {exc}", file=sys.stderr)
        return 2
    import json

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # a kill stops pywb too
    pages = json.loads((root / "pages.json").read_text())
    print(f"replaying {out} with pywb at http://127.0.0.1:{port}/ (Ctrl-C stops)")
    for page in pages:
        print(f"  {page['title']}\n    {pywb.replay_url(port, page)}")
    try:
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        pywb.stop(proc)
    return 0
