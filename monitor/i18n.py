"""Languages of the digest, report and metadata: gettext catalogues and Babel formats.

The catalogues are ``monitor/locale/<lang>/LC_MESSAGES/messages.po``; their compiled
``.mo`` files are committed next to them (``pybabel compile``, see the README), so a
fresh clone and ``pip install -e .`` read them without a build step, and a test
fails when a ``.mo`` is older than its ``.po``.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from monitor.platforms import TIMEZONE

LOCALE_DIR = Path(__file__).parent / "locale"
# Each room keeps its templates: the digest's and the report's.
TEMPLATES = [
    Path(__file__).parent / room / "templates" for room in ("digest", "outputs")
]
DOMAIN = "messages"
LANGUAGES = ("id", "en")
DEFAULT = "id"
LOCALES = {"id": "id_ID", "en": "en_ID"}
JAKARTA_ZONE = ZoneInfo(TIMEZONE)  # Babel reads times in it from the zone database
ZONE = "WIB"  # every time is shown in Asia/Jakarta, so its zone is always WIB
DATE_PATTERNS = {"id": "d MMMM y HH.mm", "en": "d MMMM y, HH:mm"}
DAY_PATTERNS = {"id": "d MMM y", "en": "d MMM y"}


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def language(value) -> str:
    """A supported language code; raises ValueError for anything else."""
    code = str(value or DEFAULT).strip().lower()
    if code not in LANGUAGES:
        raise ValueError(
            f"unknown language {value!r}; choose one of {', '.join(LANGUAGES)}"
        )
    return code


@functools.cache
def translations(lang: str = DEFAULT) -> NullTranslations:
    """The compiled catalogue of ``lang`` (English, the source, needs none)."""
    lang = language(lang)
    found = Translations.load(LOCALE_DIR, [lang], DOMAIN)
    if lang != "en" and not isinstance(found, Translations):
        raise RuntimeError(f"no compiled catalogue for {lang!r} in {LOCALE_DIR}")
    return found


def gettext(message: str, lang: str, **values) -> str:
    """``message`` in ``lang``, with ``%(name)s`` values filled in."""
    text = translations(lang).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, lang: str, **values) -> str:
    """The singular or plural form for ``n`` (``%(n)d``) in ``lang``."""
    text = translations(lang).ngettext(singular, plural, n)
    return text % {"n": n, **values}


def format_idr(value, lang: str = DEFAULT) -> str:
    """Rupiah as written in Indonesia (en_ID too): Rp1.500.000; None -> "-"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "-"
    if not abs(value) < 1e18:  # NaN, infinity, nonsense
        return "-"
    return format_currency(
        round(value),
        "IDR",
        format="¤#,##0" if lang == "id" else "Rp#,##0",
        locale=LOCALES[language(lang)],
        currency_digits=False,
    )


def format_number(value, lang: str = DEFAULT) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "-"
    return format_decimal(value, locale=LOCALES[language(lang)])


def jakarta(value) -> datetime | None:
    """An ISO 8601 text or a datetime, in Asia/Jakarta (naive counts as UTC)."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(JAKARTA_ZONE)


def format_when(value, lang: str = DEFAULT) -> str:
    """ "2020-07-02T03:00:00Z" -> "2 Juli 2020 10.00 WIB" (id) or
    "2 July 2020, 10:00 WIB" (en); None -> "-"; unparsable text -> "-"."""
    try:
        moment = jakarta(value)
    except (TypeError, ValueError):
        return "-"
    if moment is None:
        return "-"
    pattern = DATE_PATTERNS[language(lang)]
    text = format_datetime(moment, pattern, tzinfo=JAKARTA_ZONE, locale=LOCALES[lang])
    return f"{text} {ZONE}"


def format_day(value, lang: str = DEFAULT) -> str:
    """A short date in Asia/Jakarta for chart ticks: "2 Jul 2020"."""
    moment = jakarta(value)
    pattern = DAY_PATTERNS[language(lang)]
    return format_datetime(moment, pattern, tzinfo=JAKARTA_ZONE, locale=LOCALES[lang])


def join_names(names, lang: str = DEFAULT) -> str:
    """ "Bukalapak dan Sisnaker", "A, B, dan C" (id); "A, B, and C" (en)."""
    names = list(names)
    return format_list(names, locale=LOCALES[language(lang)]) if names else ""


def environment(lang: str, autoescape: bool, **options) -> Environment:
    """A Jinja2 environment with the i18n extension and ``lang``'s catalogue."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        **options,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.globals["lang"] = lang
    return env
