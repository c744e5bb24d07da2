"""``evidence``: extract, package, sign, verify and replay a finding's archived
evidence (the work itself is in ``monitor.evidence``)."""

from __future__ import annotations

from monitor.cli.options import DAYS, PORT, common, settings
from monitor.preconditions import UserError, open_database

NAME = "evidence"
SUMMARY = "extract, package, sign, verify and replay a finding's archived evidence"
EXAMPLE = (
    "prakerja-monitor evidence 12 --db prakerja-demo/prakerja.db"
    " --package finding-12.wacz"
)
DESCRIPTION = """
FINDING_ID: print the finding, write the archived response of the crawl
that opened it to a file (--out) and verify its SHA-256. --package OUT:
write a signed WACZ with every archived record of the finding's life
(listing and detail pages, requests, revisits and their originals), a
summary page and screenshots; --replay: serve it with pywb on 127.0.0.1.
`evidence keygen` creates the signing key (evidence.signing_key);
`evidence verify PACKAGE.wacz` checks it offline. --prune drops archived
records older than the retention that no finding or package cites.
"""


def add_arguments(p) -> None:
    p.add_argument("finding", nargs="?", metavar="FINDING_ID|keygen|verify")
    p.add_argument("target", nargs="?", metavar="PACKAGE", help="for verify")
    common(p)
    p.add_argument("--out", default=".", help="folder for the extracted body")
    p.add_argument("--package", metavar="OUT.wacz", help="write a signed WACZ")
    p.add_argument("--replay", action="store_true", help="replay it with pywb")
    p.add_argument("--port", type=PORT, help="replay port (default: a free one)")
    p.add_argument("--key", help="signing key (default: evidence.signing_key)")
    p.add_argument("--no-screenshots", action="store_true", help="skip chromium")
    p.add_argument("-v", "--verbose", action="store_true", help="every check")
    p.add_argument("--prune", action="store_true", help="apply the retention")
    p.add_argument("--days", type=DAYS, help="retention in days (default 90)")


def check_usage(parser, args) -> None:
    """Combinations of options that make no sense: a usage error (exit 2)."""
    if args.prune and args.finding is not None:
        parser.error("evidence: give a FINDING_ID or --prune, not both")
    if args.days is not None and not args.prune:
        parser.error("evidence: --days goes with --prune")


MISSING_HINT = (
    "; restore the evidence folder (evidence_dir) from a backup,"
    " or give --config with the evidence_dir the crawl used"
)


def run(args) -> int:
    from monitor.evidence import actions
    from monitor.evidence.records import EvidenceError, extract
    from storage.findings import get_finding

    cfg = settings(args)
    if actions.handles(args):
        return actions.run(args, cfg)
    finding_id = actions.finding_id(args)
    db = open_database(cfg)
    try:
        finding = get_finding(db, finding_id)
        if finding is None:
            raise UserError(f"no finding {finding_id}")
        try:
            found = extract(db, finding_id, args.out)
        except EvidenceError as exc:
            hint = MISSING_HINT if "missing" in str(exc) else ""
            raise UserError(f"{exc}{hint}") from None
    finally:
        db.close()
    return show(finding, found)


def show(f: dict, found: dict) -> int:
    """Print the finding and its extracted record; 1 on a digest mismatch."""
    print(f"finding {f['id']}: {f['platform']} {f['listing_id']} ({f['status']},")
    print(f"  rule {f['rule']} v{f['rule_version']})")
    print(f"  opened {f['opened_at']}, last seen {f['last_seen_at']}")
    print(f"  archived response: {found['url']} at {found['date']}")
    print(f"  record {found['record_id']} (crawl {found['crawl_id']})")
    print(f"  in {found['warc_file']}")
    print(f"  written to {found['path']}")
    if not found["verified"]:
        print(
            f"  DIGEST MISMATCH: stored sha256 {found['sha256']},"
            f" archive has {found['actual_sha256']}"
        )
        return 1
    print(f"  sha256 {found['sha256']} verified")
    return 0
