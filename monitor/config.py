"""The configuration: a TOML file, laptop-friendly defaults, environment overrides."""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from monitor.platforms import (  # noqa: F401 - re-exported
    DISPLAY_NAMES,
    HALT,
    PARTNER_EXITS,
    PROGRAMME_START,
    REAL_BASES,
    SLUGS,
    TIMEZONE,
)
from storage.facts import CONFIGURABLE_TRUST, TRUST_DEFAULTS

DEFAULTS: dict = {
    "database": "prakerja.db",
    "outbox": "outbox",
    "evidence_dir": "evidence",
    "halt": HALT,
    "platforms": {
        slug: {"enabled": True, "base_url": REAL_BASES[slug], "schedule": None}
        for slug in SLUGS
    },
    "partners": {
        slug: {"from": PROGRAMME_START, "until": PARTNER_EXITS.get(slug)}
        for slug in SLUGS
    },
    "schedule": {
        "cron": "0 */6 * * *",
        "timezone": TIMEZONE,
        "misfire_grace_time": 3600,
        "interval_seconds": 0,  # > 0: every N seconds instead of cron (tests)
    },
    "crawl": {"parallel": 4, "timeout": 6 * 3600},
    "trust": {name: TRUST_DEFAULTS[name] for name in CONFIGURABLE_TRUST},
    "removal": {"missing_crawls": 2, "confirm_by_http": True},
    "smtp": {
        "host": "",
        "port": 587,
        "security": "starttls",
        "user": "",
        "sender": "prakerja-monitor@localhost",
        "recipients": ["kepatuhan@prakerja.go.id"],
        "timeout": 30,
    },
    "evidence": {"retention_days": 90},
    "query": {"timeout": 5.0, "max_rows": 1000},
}

# Environment variables that override settings: name -> (section, key, type).
ENVIRONMENT = {
    "PRAKERJA_MONITOR_DB": (None, "database", str),
    "PRAKERJA_MONITOR_OUTBOX": (None, "outbox", str),
    "PRAKERJA_MONITOR_EVIDENCE_DIR": (None, "evidence_dir", str),
    "PRAKERJA_MONITOR_HALT": (None, "halt", str),
    "PRAKERJA_MONITOR_SMTP_HOST": ("smtp", "host", str),
    "PRAKERJA_MONITOR_SMTP_PORT": ("smtp", "port", int),
    "PRAKERJA_MONITOR_SMTP_SECURITY": ("smtp", "security", str),
    "PRAKERJA_MONITOR_SMTP_USER": ("smtp", "user", str),
    "PRAKERJA_MONITOR_SMTP_SENDER": ("smtp", "sender", str),
    "PRAKERJA_MONITOR_RECIPIENTS": ("smtp", "recipients", "list"),
    "PRAKERJA_MONITOR_SCHEDULE": ("schedule", "cron", str),
    "PRAKERJA_MONITOR_PARALLEL": ("crawl", "parallel", int),
}
SECRET_ENV = "PRAKERJA_MONITOR_SMTP_PASSWORD"


class ConfigError(ValueError):
    """A configuration problem, worded for the person who wrote the file."""


@dataclass
class Config:
    data: dict
    source: str  # the file read, or "defaults"

    def __getitem__(self, key):
        return self.data[key]

    @property
    def database(self) -> str:
        return self.data["database"]

    def enabled_platforms(self) -> list[str]:
        return [s for s in SLUGS if self.data["platforms"][s]["enabled"]]

    def base_urls(self) -> dict[str, str]:
        return {s: self.data["platforms"][s]["base_url"] for s in SLUGS}

    def smtp_password(self) -> str | None:
        return os.environ.get(SECRET_ENV) or None

    def masked(self) -> dict:
        """The effective configuration with secrets masked, for display."""
        shown = copy.deepcopy(self.data)
        shown["smtp"]["password"] = "***" if self.smtp_password() else "(not set)"
        return shown


def _merge(base: dict, extra: dict, where: str) -> None:
    for key, value in extra.items():
        if key == "password":
            raise ConfigError(f"setting {where}password: put secrets in ${SECRET_ENV}")
        if key not in base:
            raise ConfigError(f"unknown setting {where}{key!r}")
        if isinstance(base[key], dict) and not isinstance(value, dict):
            raise ConfigError(f"setting {where}{key!r} must be a table")
        if isinstance(base[key], dict):
            _merge(base[key], value, f"{where}{key}.")
        else:
            base[key] = value


def load_config(path: str | os.PathLike | None = None, env=None) -> Config:
    """Defaults, then the TOML file (``path`` or $PRAKERJA_MONITOR_CONFIG, or
    ./prakerja-monitor.toml when present), then environment overrides; validated."""
    env = os.environ if env is None else env
    data = copy.deepcopy(DEFAULTS)
    path = path or env.get("PRAKERJA_MONITOR_CONFIG")
    source = "defaults"
    if not path and Path("prakerja-monitor.toml").is_file():
        path = "prakerja-monitor.toml"
    if path:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ConfigError(
                f"cannot read configuration {path}: {exc.strerror}"
            ) from None
        try:
            parsed = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        for slug in parsed.get("platforms", {}):
            if slug not in SLUGS:
                raise ConfigError(
                    f"{path}: unknown platform {slug!r}; known: {', '.join(SLUGS)}"
                )
        for slug in parsed.get("partners", {}):
            if slug not in SLUGS:
                raise ConfigError(f"{path}: unknown platform {slug!r} in [partners]")
        _merge(data, parsed, "")
        source = str(path)
    for name, (section, key, kind) in ENVIRONMENT.items():
        if name in env and env[name] != "":
            value = env[name]
            if kind is int:
                try:
                    value = int(value)
                except ValueError:
                    raise ConfigError(f"${name} must be a whole number") from None
            elif kind == "list":
                value = [v.strip() for v in value.split(",") if v.strip()]
            (data[section] if section else data)[key] = value
    validate(data, source)
    return Config(data, source)


def _check_time(value, what: str) -> None:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{what}: {value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise ConfigError(f"{what}: {value!r} needs a UTC offset, e.g. +07:00")


def check_cron(expression: str, timezone: str, what: str) -> None:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(expression, timezone=timezone)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"{what}: bad cron expression {expression!r}: {exc}"
        ) from None


def validate(data: dict, source: str) -> None:
    where = f"{source}: " if source != "defaults" else ""
    _check_time(data["halt"], f"{where}halt")
    tz = data["schedule"]["timezone"]
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(tz)
    except Exception:
        raise ConfigError(
            f"{where}schedule.timezone: unknown time zone {tz!r}"
        ) from None
    check_cron(data["schedule"]["cron"], tz, f"{where}schedule.cron")
    for slug, platform in data["platforms"].items():
        url = platform["base_url"]
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"{where}platforms.{slug}.base_url: {url!r} is not an http(s) URL"
            )
        if parts.query or parts.fragment:
            raise ConfigError(f"{where}platforms.{slug}.base_url: no query or fragment")
        platform["base_url"] = str(url).rstrip("/")
        if platform.get("schedule"):
            check_cron(platform["schedule"], tz, f"{where}platforms.{slug}.schedule")
    for slug, window in data["partners"].items():
        for key in ("from", "until"):
            if window.get(key):
                _check_time(window[key], f"{where}partners.{slug}.{key}")
    smtp = data["smtp"]
    if smtp["security"] not in ("starttls", "ssl", "none"):
        raise ConfigError(f"{where}smtp.security must be starttls, ssl or none")
    if smtp["host"] and not smtp["recipients"]:
        raise ConfigError(f"{where}smtp.recipients is empty but smtp.host is set")
    if "password" in smtp:
        raise ConfigError(f"{where}smtp.password: put secrets in ${SECRET_ENV} only")
    if int(data["crawl"]["parallel"]) < 1:
        raise ConfigError(f"{where}crawl.parallel must be at least 1")
