"""The one bundle classifier (spiders' exported items and ``check`` both use it).

Pure and versioned; it lives in ``storage`` so that spiders and monitor can both
import it. The input is a normalized item
or a snapshot row as a plain dict (``replica/data/CONTRACTS.md`` §2): ``title``,
``bundle_label``, ``components``, ``price_idr``, ``list_price_idr`` and,
optionally, ``description`` and ``component_prices_idr`` (or components given
as ``{"title", "price_idr"}`` dicts).

Evidence, strongest first:

* ``label:<text>``  the platform's own bundle label or type (strong). Values that
  name a single training ("single", "tunggal", ...) are not labels.
* ``components:<n>``  two or more distinct component classes listed (strong).
* ``title:<keyword>``  a bundle word in the title (weak): the R-KW words, "Paket"
  at the start, and "<n> Kelas" / "<n> Pelatihan" for n >= 2. It makes
  ``is_bundle`` true, as the contracts' R-BUNDLE does, but with strength WEAK:
  words only raise a question, so the rule sends such a payable listing to
  "needs review" and structure (label or listed classes) opens findings.
* ``list_price~sum_of_parts`` / ``description:lists-courses``  supporting only.

Hard negatives discount the title word they explain (other evidence still counts):
a leading "Paket" naming a data/internet package (``negative:paket-data``), a tour
(``negative:paket-wisata``) or a software suite (``negative:paket-aplikasi``), or in a
course about parcel deliveries (``negative:paket-pengiriman``); "bundle" as a pricing
topic (``negative:bundle-topic``). A description mentioning "paket" is no evidence.
Every text is compared after ``storage.fold.fold`` (entities, Unicode spaces,
zero-width characters, NFKC, letter case), so none of these changes the result.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from storage.fold import fold

CLASSIFIER_VERSION = "2020.07-3"

STRONG = "strong"
WEAK = "weak"
NONE = "none"

MAX_TEXT = 4000  # characters of title/description examined; keeps input bounded
MAX_LABEL = 60  # characters of a label kept in a reason

# Folded-title keywords (R-KW words) with their stable reason spelling.
TITLE_WORDS = re.compile(
    r"\bpaket\s+(pelatihan|kelas|kursus|belajar|hemat|lengkap|komplit)\b"
    r"|\b(bundle|bundling)\b"
)
# The contracts' R-KW, on the title as written (for ``bundle_keywords``).
R_KW = re.compile(
    r"(?i)\bpaket\s+(?:pelatihan|kelas|kursus|belajar|hemat|lengkap|komplit)\b"
    r"|\bbundl(?:e|ing)\b|^\s*paket\b"
)
LEADING_PAKET = re.compile(r"^paket\b")
COUNT_WORDS = re.compile(r"(?<![\w.,])(\d{1,2})\s+(kelas|pelatihan|kursus)\b")
# A leading "Paket" that names something other than a training package.
PAKET_NEGATIVES = (
    (r"^paket\s+(?:data|internet|kuota|pulsa)\b", "negative:paket-data"),
    (
        r"^paket\s+(?:wisata|tour|tur|liburan|perjalanan|umroh|umrah|haji)\b",
        "negative:paket-wisata",
    ),
    (
        r"^paket\s+(?:aplikasi|software|perangkat\s+lunak|office)\b",
        "negative:paket-aplikasi",
    ),
    (
        r"\b(?:pengiriman|kiriman|kurir|ekspedisi|logistik|ongkir|resi)\b",
        "negative:paket-pengiriman",
    ),
)
PAKET_NEGATIVES = tuple((re.compile(p), reason) for p, reason in PAKET_NEGATIVES)
# "Bundle"/"Bundling" as a pricing or product topic, not a bundle of classes.
BUNDLE_TOPIC = re.compile(
    r"\bbundl(?:e|ing)\s+(?:pricing|harga|produk|product)\b"
    r"|\b(?:strategi|teknik)\s+bundl(?:e|ing)\b"
)
DESCRIPTION_COURSES = re.compile(
    r"terdiri\s+(?:dari|atas)\s+(?:beberapa|\d+)\s+(?:course|kelas|pelatihan)"
)
NOT_A_LABEL = frozenset(
    {"", "single", "tunggal", "eceran", "satuan", "course", "kelas", "none", "false"}
)

SUM_TOLERANCE = 0.05  # struck-through total within 5% of the parts' sum


@dataclass(frozen=True)
class Classification:
    """The verdict with its evidence; ``strength`` is STRONG, WEAK or NONE."""

    is_bundle: bool
    reasons: list[str] = field(default_factory=list)
    strength: str = NONE
    version: str = CLASSIFIER_VERSION


def classify(listing: dict | None) -> Classification:
    """Classify one listing (a normalized item or snapshot row dict)."""
    row = listing if isinstance(listing, dict) else {}
    strong: list[str] = []
    weak: list[str] = []
    support: list[str] = []
    negative: list[str] = []

    label = _label(row.get("bundle_label"))
    if label is not None:
        strong.append(f"label:{label}")
    titles, prices = _components(row.get("components"))
    if len(titles) >= 2:
        strong.append(f"components:{len(titles)}")

    title = _fold(row.get("title"))
    if not title:
        title = _fold(" ".join(_strings(row.get("bundle_keywords"))))
    weak_title, negative = _title_evidence(title)
    weak.extend(weak_title)

    prices = prices or _ints(row.get("component_prices_idr"))
    if len(prices) >= 2:  # the list price is read only when there are parts to sum
        list_price = _int(row.get("list_price_idr"))
        if list_price and _near(list_price, sum(prices)):
            support.append("list_price~sum_of_parts")
    if DESCRIPTION_COURSES.search(_fold(row.get("description"))):
        support.append("description:lists-courses")

    is_bundle = bool(strong or weak)
    strength = STRONG if strong else WEAK if weak else NONE
    reasons = strong + weak + (support if is_bundle else []) + negative
    return Classification(is_bundle, reasons, strength)


def title_keywords(title: str | None) -> list[str]:
    """The contracts' R-KW matches on a title, as written and stripped, except a
    match a hard negative explains (a "Paket Data ..." is no bundle word): the
    ``bundle_keywords`` of exported items, so they agree with ``classify``."""
    text = fold(title)
    found = [m.group(0).strip() for m in R_KW.finditer(text)]
    if not found:
        return []
    _, negative = _title_evidence(_fold(text))
    if "negative:bundle-topic" in negative:
        found = [k for k in found if not k.casefold().startswith("bundl")]
    if any(n.startswith("negative:paket-") for n in negative):
        found = [k for k in found if k.casefold() != "paket"]
    return found


def is_strong(reasons) -> bool:
    """True when stored bundle reasons hold structural evidence (label, classes)."""
    return any(
        isinstance(r, str) and r.startswith(("label:", "components:"))
        for r in reasons or ()
    )


def _title_evidence(title: str) -> tuple[list[str], list[str]]:
    """Weak title reasons and hard-negative reasons of a folded title.

    A hard negative discounts the one keyword it explains; others still count.
    """
    found, negative = [], []
    first = TITLE_WORDS.match(title)
    if LEADING_PAKET.match(title) and not (first and first.group(1)):
        discount = next((r for p, r in PAKET_NEGATIVES if p.search(title)), None)
        (negative if discount else found).append(discount or "title:Paket")
    for match in TITLE_WORDS.finditer(title):
        if match.group(1):
            found.append(f"title:Paket {match.group(1).capitalize()}")
        elif BUNDLE_TOPIC.search(title):
            negative.append("negative:bundle-topic")
        else:
            found.append(f"title:{match.group(2).capitalize()}")
    for match in COUNT_WORDS.finditer(title):
        count = int(match.group(1))
        if count >= 2:
            found.append(f"title:{count} {match.group(2).capitalize()}")
    return _unique(found), _unique(negative)


def _fold(value) -> str:
    """Whitespace-collapsed, case-folded, bounded text of any value."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = _str(value)
    return fold(value[: MAX_TEXT * 2].upper(), casefold=True)[:MAX_TEXT]


def _label(value) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = fold(_str(value)[:1000])[:MAX_LABEL]
    if text.casefold() in NOT_A_LABEL:
        return None
    return text


def _components(value) -> tuple[list[str], list[int]]:
    """Distinct non-empty component titles and, when all are given, their prices."""
    if isinstance(value, str | bytes):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return [], []
    if not isinstance(value, list | tuple):
        return [], []
    titles, prices, seen = [], [], set()
    for entry in value[:500]:
        price = None
        if isinstance(entry, dict):
            price = _int(entry.get("price_idr"))
            entry = entry.get("title")
        key = _fold(entry)
        if not key or key in seen:
            continue
        seen.add(key)
        titles.append(key)
        prices.append(price)
    if any(p is None for p in prices):
        prices = []
    return titles, prices


def _strings(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [v for v in value[:100] if isinstance(v, str)]
    return []


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 1e15:
        return int(value)
    if isinstance(value, str) and value.strip().isdecimal() and len(value) < 16:
        return int(value.strip())
    return None


def _ints(value) -> list[int]:
    if not isinstance(value, list | tuple):
        return []
    out = [_int(v) for v in value[:500]]
    return [] if any(v is None for v in out) else out


def _near(total: int, parts: int) -> bool:
    return parts > 0 and abs(total - parts) <= SUM_TOLERANCE * parts


def _str(value) -> str:
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - a hostile __str__ must not crash a check
        return ""


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
