"""Delivery of a rendered digest: SMTP (smtplib) or an ``.eml`` file in an outbox.

``monitor.digest.render`` re-exports these names; this module holds the side effects.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid, parsedate_to_datetime
from pathlib import Path

from storage import fs

log = logging.getLogger(__name__)

DIGEST_HEADER = "X-Prakerja-Digest"
DEFAULT_MSGID_DOMAIN = "prakerja-monitor.local"
PASSWORD_ENV = "PRAKERJA_MONITOR_SMTP_PASSWORD"  # read by the caller, never here
SECURITIES = {"starttls": 587, "ssl": 465, "none": 25}  # default port of each
SAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")


class DeliveryError(RuntimeError):
    """The digest could not be handed to the SMTP server; it stays pending."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int | None = None  # None: the default port of ``security``
    security: str = "starttls"  # "starttls", "ssl" or "none"
    user: str | None = None
    password: str | None = None  # from $PRAKERJA_MONITOR_SMTP_PASSWORD
    timeout: float = 30.0

    @classmethod
    def from_config(cls, smtp: Mapping, password: str | None = None):
        """From the config's ``[smtp]`` table; unknown keys are ignored."""
        return cls(
            host=smtp.get("host") or "",
            port=int(smtp["port"]) if smtp.get("port") else None,
            security=smtp.get("security") or "starttls",
            user=smtp.get("user") or None,
            password=password if password is not None else smtp.get("password"),
            timeout=float(smtp.get("timeout") or 30.0),
        )


def deliver(message: EmailMessage, settings: SmtpSettings | Mapping) -> str:
    """Send ``message`` by SMTP; its Message-ID. Raises DeliveryError."""
    if not isinstance(settings, SmtpSettings):
        settings = SmtpSettings.from_config(settings)
    if not settings.host:
        raise DeliveryError("no SMTP host configured")
    if settings.security not in SECURITIES:
        raise DeliveryError(f"unknown SMTP security {settings.security!r}")
    if settings.user and settings.password is None:
        raise DeliveryError(f"SMTP user set but ${PASSWORD_ENV} is empty")
    if message["Message-ID"] is None:
        message["Message-ID"] = make_msgid(domain=DEFAULT_MSGID_DOMAIN)
    port = settings.port or SECURITIES[settings.security]
    where = f"{settings.host}:{port} ({settings.security})"
    try:
        client = _connect(settings, port)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"cannot connect to SMTP server {where}: {exc}") from exc
    try:
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.user:
            client.login(settings.user, settings.password)
        refused = client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP delivery via {where} failed: {exc}") from exc
    finally:
        _close(client)
    if refused:  # accepted for the others; resending would duplicate theirs
        log.warning("SMTP server refused recipients: %s", ", ".join(refused))
    return str(message["Message-ID"])


def _connect(settings: SmtpSettings, port: int) -> smtplib.SMTP:
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(
            settings.host,
            port,
            timeout=settings.timeout,
            context=ssl.create_default_context(),
        )
    return smtplib.SMTP(settings.host, port, timeout=settings.timeout)


def _close(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


def write_outbox(message: EmailMessage, folder: str | os.PathLike) -> Path:
    """Write ``<timestamp>-<digest id>.eml`` into ``folder`` atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        moment = parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        moment = datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    stamp = moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    digest = safe_id(message[DIGEST_HEADER]) or "digest"
    path = folder / f"{stamp}-{digest}.eml"
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(message.as_bytes(policy=SMTP))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        fs.remove_file(temporary, within=folder)
        raise
    return path


def safe_id(value) -> str:
    """An id fit for a header value and a file name (or "" for none)."""
    return SAFE_ID.sub("-", str(value)).strip("-")[:64] if value else ""
