"""The alert bookkeeping: store one digest with its claims, then deliver it.

A digest is stored (``pending``) together with the events it announces before any
delivery is tried, so nothing is lost and nothing is announced twice; delivery is
retried on the next run until the server accepts it (or it is in the outbox).
One ``alert`` runs at a time per database (a lease that a crashed run's expiry
frees); the digest is built and its events claimed in one write transaction.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import secrets
import socket
import sqlite3

import jinja2

from monitor.digest.data import build_digest
from monitor.digest.delivery import DeliveryError, SmtpSettings, deliver, write_outbox
from storage import alerts as store

LEASE_S = 300.0  # a crashed alert run blocks the next ones at most this long
# What building or storing a digest can fail with: the database, a template
# or catalogue (jinja2/babel raise these or their subclasses), malformed data.
DIGEST_ERRORS = (
    sqlite3.Error,
    jinja2.TemplateError,
    OSError,
    LookupError,
    ValueError,
    TypeError,
)


def deliver_stored(db, cfg, alert: dict) -> tuple[str, bool]:
    """Deliver one stored digest: (where it went or why not, delivered?).
    Failures stay retryable.

    The attempt is recorded first: after a crash between the server's acceptance
    and ``mark_sent`` the next run resends it once, with the same Message-ID."""
    message = email.message_from_bytes(alert["message"], policy=email.policy.default)
    smtp = cfg["smtp"]
    resend = store.begin_attempt(db, alert["id"])
    note = " (resent with the same Message-ID: outcome of the last try unknown)"
    note = note if resend else ""
    try:
        if smtp["host"]:
            settings = SmtpSettings.from_config(smtp, cfg.smtp_password())
            deliver(message, settings)
            store.mark_sent(db, alert["id"])
            return (
                f"alert {alert['id']} sent to {', '.join(smtp['recipients'])}{note}",
                True,
            )
        path = write_outbox(message, cfg["outbox"])
    except (DeliveryError, OSError) as exc:
        store.mark_failed(db, alert["id"], str(exc))
        return f"alert {alert['id']} NOT delivered (will retry): {exc}", False
    store.mark_sent(db, alert["id"], str(path))
    return str(path), True


def store_digest(db, cfg, now=None, evidence=None) -> int | None:
    """Build the digest of what nobody has claimed and store it with its claims,
    in one write transaction (so its counts are exactly what it claims)."""
    with store.immediate(db):
        built = build_digest(db, cfg, now, evidence)
        if not built:
            return None
        message, event_ids, crawl_ids = built
        return store.create_alert(
            db,
            str(message["Subject"]),
            list(cfg["smtp"]["recipients"]),
            message.as_bytes(policy=email.policy.SMTP),
            str(message["Message-ID"]),
            event_ids,
            crawl_ids,
        )


def lease_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class Delivery(list):
    """What an alert run did: one line per digest (where it went, or why not),
    and ``failed`` when some digest was NOT delivered and stays pending."""

    failed = False

    def fail(self, line: str) -> Delivery:
        self.failed = True
        self.append(line)
        return self


def send_alerts(db, cfg, dry_run: bool = False, now=None, evidence=None) -> Delivery:
    """Store a digest of what is new, then deliver every undelivered digest.

    Never raises for a database or delivery problem: a line says what stays
    pending and why (``NOT delivered``), and ``failed`` is set."""
    done = Delivery()
    if dry_run:
        built = build_digest(db, cfg, now, evidence)
        done.extend([built[0].as_string()] if built else [])
        return done
    owner = lease_owner()
    try:
        holder = store.claim_lease(db, owner, LEASE_S)
    except sqlite3.Error as exc:
        return done.fail(f"alerts NOT delivered (will retry): database: {exc}")
    if holder:
        done.append(f"another alert run ({holder['owner']}) is delivering: left to it")
        return done
    try:
        return _store_and_deliver(db, cfg, owner, now, evidence, done)
    finally:
        with contextlib.suppress(sqlite3.Error):  # else it expires by itself
            store.release_lease(db, owner)


def _store_and_deliver(db, cfg, owner, now, evidence, done: Delivery) -> Delivery:
    try:
        store_digest(db, cfg, now, evidence)
    except DIGEST_ERRORS as exc:  # a digest problem never loses events
        done.fail(f"new digest NOT delivered, not stored (will retry): {exc}")
    try:
        pending = store.undelivered_alerts(db)
    except sqlite3.Error as exc:
        return done.fail(f"alerts NOT delivered (will retry): database: {exc}")
    for alert in pending:
        try:
            if store.claim_lease(db, owner, LEASE_S):
                done.fail(f"alert {alert['id']} NOT delivered: lease lost")
                break
            where, ok = deliver_stored(db, cfg, alert)
            if ok:
                done.append(where)
            else:
                done.fail(where)
        except sqlite3.Error as exc:
            done.fail(
                f"alert {alert['id']} NOT delivered (will retry): database: {exc}"
            )
    return done
