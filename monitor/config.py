"""The configuration: a TOML file, laptop-friendly defaults, environment overrides."""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

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
    "language": "id",  # of the digest, report and Datasette texts: id or en
    "evidence_url": "",  # where the evidence folder is published (links in e-mails)
    "digest": {"detailed_per_platform": 5},  # then one compact row per finding
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
    "evidence": {
        "retention_days": 90,
        "operator": "prakerja-monitor operator",
        "contact": "",
        "signing_key": "prakerja-signing-key.pem",
    },
    "query": {"timeout": 5.0, "max_rows": 1000},
}

# Environment variables that override settings: name -> (section, key, type).
ENVIRONMENT = {
    "PRAKERJA_MONITOR_DB": (None, "database", str),
    "PRAKERJA_MONITOR_OUTBOX": (None, "outbox", str),
    "PRAKERJA_MONITOR_EVIDENCE_DIR": (None, "evidence_dir", str),
    "PRAKERJA_MONITOR_HALT": (None, "halt", str),
    "PRAKERJA_MONITOR_LANGUAGE": (None, "language", str),
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
    """Lay ``extra`` over ``base``; the schema judges the keys and values."""
    for key, value in extra.items():
        if key == "password":
            raise ConfigError(f"setting {where}password: put secrets in ${SECRET_ENV}")
        if isinstance(base.get(key), dict) and isinstance(value, dict):
            _merge(base[key], value, f"{where}{key}.")
        else:
            base[key] = value


def _read(path) -> dict:
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read configuration {path}: {exc.strerror}") from None
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    for table in ("platforms", "partners"):
        section = parsed.get(table, {})
        for slug in section if isinstance(section, dict) else ():
            if slug not in SLUGS:
                import difflib

                close = difflib.get_close_matches(slug, SLUGS, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ConfigError(
                    f"{path}: unknown platform {slug!r} in [{table}]{hint}"
                    f" (known: {', '.join(SLUGS)})"
                )
    return parsed


def _environment(data: dict, env) -> dict[str, str]:
    """Apply the environment overrides; returns setting key -> variable name."""
    applied = {}
    for name, (section, key, kind) in ENVIRONMENT.items():
        if name in env and env[name] != "":
            value = env[name]
            if kind is int:
                try:
                    value = int(value)
                except ValueError:
                    raise ConfigError(
                        f"${name}: expected a whole number, got {value!r}"
                    ) from None
            elif kind == "list":
                value = [v.strip() for v in value.split(",") if v.strip()]
            (data[section] if section else data)[key] = value
            applied[f"{section}.{key}" if section else key] = name
    return applied


def load_config(path: str | os.PathLike | None = None, env=None) -> Config:
    """Defaults, then the TOML file (``path`` or $PRAKERJA_MONITOR_CONFIG, or
    ./prakerja-monitor.toml when present), then environment overrides; validated
    against the schema (monitor/config_schema.py)."""
    env = os.environ if env is None else env
    data = copy.deepcopy(DEFAULTS)
    path = path or env.get("PRAKERJA_MONITOR_CONFIG")
    source = "defaults"
    if not path and Path("prakerja-monitor.toml").is_file():
        path = "prakerja-monitor.toml"
    if path:
        _merge(data, _read(path), "")
        source = str(path)
    applied = _environment(data, env)
    if path or applied:  # the defaults alone are known to be valid
        data = validate(data, source, applied)
    return Config(data, source)


def validate(data: dict, source: str, from_env: dict | None = None) -> dict:
    """The normalized settings, or ConfigError with one line per problem, each
    naming the file (or environment variable) and the key."""
    from monitor.config_schema import validate_settings

    normalized, problems = validate_settings(data)
    if not problems:
        smtp = normalized["smtp"]
        if smtp["host"] and not smtp["recipients"]:
            problems.append("smtp.recipients: empty, but smtp.host is set")
        if "password" in smtp:
            problems.append(f"smtp.password: put secrets in ${SECRET_ENV} only")
        if int(normalized["crawl"]["parallel"]) < 1:
            problems.append("crawl.parallel: must be at least 1")
    if problems:
        raise ConfigError(
            "\n".join(_where(p, source, from_env or {}) for p in problems)
        )
    return normalized


def _where(problem: str, source: str, from_env: dict) -> str:
    key = problem.split(":", 1)[0]
    if key in from_env:
        return f"${from_env[key]} (setting {problem})"
    return f"{source}: {problem}" if source != "defaults" else problem
