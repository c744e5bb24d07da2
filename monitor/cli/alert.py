"""``alert``: e-mail the digest of new findings to the PMO."""

from __future__ import annotations

from monitor.cli.options import common, lang_option, settings
from monitor.preconditions import open_database

NAME = "alert"
SUMMARY = "e-mail the digest of new findings to the PMO"
EXAMPLE = "prakerja-monitor alert --dry-run --db prakerja-demo/prakerja.db"
DESCRIPTION = """
Send one digest of what changed since the last alert: new, reopened and
resolved findings per platform, and crawls that could not be trusted. By
SMTP when smtp.host is set (password only from
$PRAKERJA_MONITOR_SMTP_PASSWORD), else as an .eml file in the outbox
folder. A digest that could not be delivered stays pending and is retried
by the next run; nothing is announced twice.
"""


def add_arguments(p) -> None:
    common(p)
    p.add_argument("--dry-run", action="store_true", help="print, store nothing")
    p.add_argument("--outbox", help="outbox folder (default from config: outbox)")
    lang_option(p)


def run(args) -> int:
    """Exits 1 when a digest was not delivered (it stays pending)."""
    from monitor.digest.send import send_alerts

    cfg = settings(args)
    if args.outbox:
        cfg.data["outbox"] = args.outbox
    db = open_database(cfg)
    try:
        delivery = send_alerts(db, cfg, dry_run=args.dry_run)
    finally:
        db.close()
    if not delivery:
        print("nothing to announce and nothing pending")
    for line in delivery:
        print(line)
    return 1 if delivery.failed else 0
