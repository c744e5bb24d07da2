"""The configuration's typed schema (pydantic): types, ranges, enums, addresses,
cron, time zone and URLs; errors as one line per key with a did-you-mean."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)

from monitor.platforms import SLUGS


def _iso_time(value) -> str:
    if isinstance(value, datetime):  # TOML's own datetimes
        parsed = value
    else:
        if not isinstance(value, str):
            raise ValueError(
                "expected an ISO 8601 time with offset, e.g."
                ' "2020-06-30T00:00:00+07:00"'
            )
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{str(value)!r} needs a UTC offset, e.g. +07:00")
    return parsed.isoformat() if isinstance(value, datetime) else value


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL")
    if parts.query or parts.fragment:
        raise ValueError(f"{value!r}: no query or fragment")
    return value.rstrip("/")


def _email(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    local, _, domain = value.rpartition("@")
    probe = f"{local}@example.org" if domain == "localhost" else value
    try:
        validate_email(probe, check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError as exc:
        raise ValueError(f"{value!r} is not an e-mail address: {exc}") from None
    return value


def _timezone(value: str) -> str:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(value)
    except (ValueError, LookupError, OSError):  # bad name, not found, a folder
        raise ValueError(f"unknown time zone {value!r}, e.g. Asia/Jakarta") from None
    return value


def _cron(value: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value, timezone="UTC")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"bad cron expression {value!r}: {exc}") from None
    return value


IsoTime = Annotated[str, BeforeValidator(_iso_time)]
Url = Annotated[str, AfterValidator(_url)]
Email = Annotated[str, AfterValidator(_email)]
Cron = Annotated[str, AfterValidator(_cron)]
TimeZone = Annotated[str, AfterValidator(_timezone)]
Share = Annotated[float, Field(ge=0, le=1)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class Platform(Section):
    enabled: bool
    base_url: Url
    schedule: Cron | None = None


class Partner(Section):
    from_: IsoTime | None = Field(alias="from")
    until: IsoTime | None = None


class Schedule(Section):
    cron: Cron
    timezone: TimeZone
    misfire_grace_time: int = Field(ge=1)
    interval_seconds: int = Field(ge=0)


class Crawl(Section):
    parallel: int = Field(ge=1, le=64)
    timeout: float = Field(gt=0)


class Trust(Section):
    min_share: Share
    min_coverage: Share
    max_error_rate: Share
    max_coverage_drop: Share
    baseline_crawls: int = Field(ge=1)
    agree: Share


class Removal(Section):
    missing_crawls: int = Field(ge=1)
    confirm_by_http: bool


class Smtp(Section):
    host: str
    port: int = Field(ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"]
    user: str
    sender: Email
    recipients: list[Email]
    timeout: float = Field(gt=0)


class Evidence(Section):
    retention_days: int = Field(ge=1)
    operator: str  # named in every archive's warcinfo record
    contact: str
    signing_key: str = Field(min_length=1)  # path of the operator's private key


def _optional_url(value: str) -> str:
    return _url(value) if value else value


class Digest(Section):
    detailed_per_platform: int = Field(ge=0)  # then one compact row per finding


class Query(Section):
    timeout: float = Field(gt=0, le=3600)
    max_rows: int = Field(ge=1)


class Settings(Section):
    database: str = Field(min_length=1)
    outbox: str = Field(min_length=1)
    evidence_dir: str = Field(min_length=1)
    halt: IsoTime
    language: Literal["id", "en"]
    evidence_url: Annotated[str, AfterValidator(_optional_url)]
    digest: Digest
    platforms: dict[Literal[SLUGS], Platform]  # type: ignore[valid-type]
    partners: dict[Literal[SLUGS], Partner]  # type: ignore[valid-type]
    schedule: Schedule
    crawl: Crawl
    trust: Trust
    removal: Removal
    smtp: Smtp
    evidence: Evidence
    query: Query


EXPECTED = {
    "bool_type": "true or false (no quotes)",
    "int_type": "a whole number (no quotes)",
    "float_type": "a number (no quotes)",
    "string_type": "a string in quotes",
    "list_type": 'a list, e.g. ["a@example.org"]',
    "dict_type": "a table",
    "model_type": "a table",
    "literal_error": None,
}


BOUNDS = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "less than"}


def _known_keys(loc: tuple) -> list[str]:
    """The keys allowed at the table holding ``loc``'s last key."""
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        if field is None:
            if model in (Settings,) or not isinstance(part, str):
                return []
            continue  # a platform slug inside platforms/partners
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        model = next((a for a in (annotation, *args) if isinstance(a, type)), model)
        if not issubclass(model, BaseModel):
            return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _line(error: dict) -> str:
    loc = tuple(str(p) for p in error["loc"] if not str(p).startswith("function-"))
    loc = tuple(p for p in loc if p not in ("str", "datetime"))
    key = ".".join("from" if p == "from_" else p for p in loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(loc[-1], _known_keys(loc), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        where = ".".join(loc[:-1])
        return (
            f"unknown setting {loc[-1]!r}{' in [' + where + ']' if where else ''}{hint}"
        )
    got = error.get("input")
    shown = f", got {got!r}" if not isinstance(got, dict | list) else ""
    if kind in EXPECTED and EXPECTED[kind]:
        return f"{key}: expected {EXPECTED[kind]}{shown}"
    ctx = error.get("ctx") or {}
    for bound, words in BOUNDS.items():
        if bound in ctx:
            return f"{key}: expected {words} {ctx[bound]}{shown}"
    if kind == "literal_error":
        return f"{key}: expected {ctx.get('expected')}{shown}"
    if kind == "value_error":  # our validators name the value themselves
        return f"{key}: {error['msg'].removeprefix('Value error, ')}"
    return f"{key}: {error['msg'].lower().removeprefix('input should be ')}{shown}"


def validate_settings(data: dict) -> tuple[dict, list[str]]:
    """(normalized data, []) or (data, one line per problem)."""
    try:
        model = Settings.model_validate(data)
    except ValidationError as exc:
        return data, [_line(e) for e in exc.errors(include_url=False)]
    return model.model_dump(by_alias=True), []


__all__ = ["SLUGS", "validate_settings"]
