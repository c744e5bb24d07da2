"""Reason codes, resolutions and crawl-health reasons put into words, per language."""

from __future__ import annotations

import re
from collections.abc import Mapping

from monitor.i18n import N_, gettext, ngettext

RESOLUTIONS = {
    "removed": N_("removed from the platform"),
    "prakerja-payment-dropped": N_("no longer payable with Kartu Prakerja"),
    "unbundled": N_("no longer sold as a bundle"),
    "unavailable": N_("no longer available for purchase"),
    "partnership-ended": N_("the platform's Kartu Prakerja partnership ended"),
}


def _ints(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def bundle_reason(reason: str, lang: str) -> str | None:
    """One classifier reason in words; None for reasons that speak against a
    bundle (they are no reason for a finding)."""
    code, _, value = str(reason).partition(":")
    if code == "label":
        return gettext("platform label '%(label)s'", lang, label=value)
    if code == "components" and value.isdecimal():
        n = int(value)
        return ngettext("%(n)d class listed", "%(n)d classes listed", n, lang)
    if code == "title":
        return gettext("the word '%(word)s' in the title", lang, word=value)
    if code == "list_price~sum_of_parts":
        return gettext("the struck-through price equals the sum of its classes", lang)
    if code == "description":
        return gettext("the description lists several courses", lang)
    if code == "relisted-from":
        return gettext("relisted from listing %(listing)s", lang, listing=value)
    if code == "negative":
        return None
    return str(reason)


def bundle_reasons(reasons, lang: str) -> str:
    words = [w for w in (bundle_reason(r, lang) for r in reasons) if w]
    return "; ".join(words) or "-"


def resolution(code, lang: str) -> str | None:
    if not code:
        return None
    text = RESOLUTIONS.get(code)
    return gettext(text, lang) if text else str(code)


def health_reason(reason, lang: str) -> str:
    """One crawl-health reason ({code, message} or a message) in words."""
    if isinstance(reason, Mapping):
        code, message = str(reason.get("code") or ""), str(reason.get("message") or "")
    else:
        code, message = "", str(reason)
    n = _ints(message)
    if code == "layout_mismatch":
        return gettext(
            "the pages changed their layout: %(n)s page(s) no longer match",
            lang,
            n=n[0] if n else "?",
        )
    if code == "pages_missing" and len(n) >= 2:
        return gettext(
            "only %(a)d of %(b)d listing pages could be read", lang, a=n[0], b=n[1]
        )
    if code == "errors" and len(n) >= 2:
        return gettext("%(a)d of %(b)d responses failed", lang, a=n[0], b=n[1])
    if code == "coverage" and len(n) >= 2:
        return gettext(
            "only %(a)d of %(b)d listings showed title, price and payment methods",
            lang,
            a=n[0],
            b=n[1],
        )
    if code == "shrink" and len(n) >= 2:
        return gettext(
            "the catalogue shrank from %(a)d to %(b)d listings, consistent with"
            " the platform's own count",
            lang,
            a=n[0],
            b=n[1],
        )
    if code == "new_baseline" and n:
        return gettext(
            "%(a)d listings in consecutive crawls that agree: the new baseline",
            lang,
            a=n[0],
        )
    if code == "item_count":
        median = re.search(r"median ([\d.]+)", message)
        if n and median:
            return gettext(
                "only %(a)d listings, fewer than usual (recent median %(m)s)",
                lang,
                a=n[0],
                m=median.group(1),
            )
        return gettext("the crawl found no listings", lang)
    return _simple_health(code, message, lang)


def _simple_health(code: str, message: str, lang: str) -> str:
    simple = {
        "listing_empty": N_("the listing page showed no trainings at all"),
        "no_listing": N_("no listing page could be read"),
        "truncated": N_("some responses stayed truncated after retries"),
        "finish_reason": N_("the crawl ended before it was finished"),
        "crashed": N_("the crawl process stopped unexpectedly"),
        "interrupted": N_("stopped by the scheduler's shutdown; retried next round"),
    }
    if code in simple:
        return gettext(simple[code], lang)
    if message.startswith("layout changed"):
        return gettext("the pages changed their layout", lang) + _detail(message)
    if message.startswith("interrupted"):
        return gettext(simple["crashed"], lang)
    return message or gettext("the crawl could not be trusted", lang)


def _detail(message: str) -> str:
    _, sep, rest = message.partition(":")
    return f" ({rest.strip()})" if sep and rest.strip() else ""


def health_reasons(reasons, lang: str) -> str:
    words: list[str] = []
    for reason in reasons:
        text = health_reason(reason, lang)
        if text not in words:
            words.append(text)
    return "; ".join(words)
