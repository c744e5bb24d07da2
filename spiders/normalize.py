"""Pure value parsers used by the pipelines: Rupiah, text, ratings, bundle keywords."""

from __future__ import annotations

import html
import re
from decimal import Decimal, InvalidOperation

# R-KW of the platform contracts: the letter's wording as weak title evidence.
KW = re.compile(
    r"(?i)\bpaket\s+(?:pelatihan|kelas|kursus|belajar|hemat|lengkap|komplit)\b"
    r"|\bbundl(?:e|ing)\b|^\s*paket\b"
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_UNIT = re.compile(r"^([\d.,]+)\s*(jt|juta|rb|ribu)$")
_PLAIN = re.compile(r"^\d{1,3}(?:\.\d{3})+$|^\d+$")
_MULTIPLIER = {"jt": 10**6, "juta": 10**6, "rb": 10**3, "ribu": 10**3}
_UNSTORABLE = re.compile("[\ud800-\udfff\x00]")
MAX_INT = 2**63 - 1  # the largest INTEGER SQLite stores


class ParseError(ValueError):
    """A value that cannot be read; the message quotes it."""


def valid_text(text: str) -> str:
    """Lone surrogates (a JSON "\\ud800" escape decodes to one) and NUL as U+FFFD,
    as an HTML parser reads a NUL: SQLite stores UTF-8, which cannot encode a lone
    surrogate, and its JSON functions (storage passes listing ids and urls through
    ``json_each``) end a text at its first NUL."""
    return _UNSTORABLE.sub("\ufffd", text)


def _bounded(number: int, value: object) -> int:
    if abs(number) > MAX_INT:
        raise ParseError(f"number out of range: {value!r:.80}")
    return number


def clean_text(value: object) -> str | None:
    """HTML-unescape, drop tags, collapse whitespace runs, strip; None stays None."""
    if value is None:
        return None
    text = html.unescape(_TAG.sub(" ", valid_text(str(value))))
    return _SPACE.sub(" ", text).strip()


def parse_idr(value: object) -> int:
    """Read a Rupiah amount: "Rp1.500.000", "Rp1,5 jt", "Gratis", 1000000."""
    if isinstance(value, bool) or value is None:
        raise ParseError(f"not a Rupiah amount: {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ParseError(f"negative Rupiah amount: {value!r}")
        return _bounded(value, value)
    if isinstance(value, float):
        if value < 0 or value != value or value in (float("inf"), float("-inf")):
            raise ParseError(f"not a Rupiah amount: {value!r}")
        return _bounded(round(value), value)
    text = _SPACE.sub(" ", str(value).replace("\xa0", " ")).strip().lower()
    if text == "gratis":
        return 0
    text = re.sub(r"^rp\.?\s*", "", text)
    text = re.sub(r"(?:,-|,00)$", "", text).strip()
    unit = _UNIT.match(text)
    if unit:
        number = unit.group(1).replace(".", "").replace(",", ".")
        try:
            amount = Decimal(number) * _MULTIPLIER[unit.group(2)]
        except InvalidOperation:
            raise ParseError(f"not a Rupiah amount: {value!r}") from None
        return _bounded(int(amount.to_integral_value()), value)
    if not _PLAIN.match(text) or len(text) > 40:  # int() reads 4300 digits at most
        raise ParseError(f"not a Rupiah amount: {value!r:.80}")
    return _bounded(int(text.replace(".", "")), value)


def parse_rating(value: object) -> float | None:
    """Read an average rating: 4.5, "4,8", "4.75"; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ParseError(f"not a rating: {value!r}")
    try:
        if isinstance(value, int | float):
            rating = float(value)
        else:
            rating = float(str(value).strip().replace(",", "."))
    except (ValueError, OverflowError):
        raise ParseError(f"not a rating: {value!r:.80}") from None
    if not 0 <= rating <= 5:  # also rejects NaN
        raise ParseError(f"rating out of range: {value!r}")
    return rating


def parse_count(value: object) -> int | None:
    """Read a count of ratings: 56, "56", "(56 ulasan)"; None when absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ParseError(f"not a count: {value!r}")
    if isinstance(value, int):
        return _bounded(value, value)
    digits = re.search(r"\d[\d.]*", str(value))
    if not digits or len(digits.group(0)) > 40:
        raise ParseError(f"not a count: {value!r:.80}")
    return _bounded(int(digits.group(0).replace(".", "")), value)


def bundle_keywords(title: str) -> list[str]:
    """The R-KW matches on a title, in order, as written, stripped."""
    return [m.group(0).strip() for m in KW.finditer(title)]


# Payment method names seen on the platforms mapped to one canonical list.
CANONICAL_PAYMENTS = {
    "kartu prakerja": "kartu_prakerja",
    "program pemerintah/kartu prakerja": "kartu_prakerja",
    "prakerja": "kartu_prakerja",
    "ovo": "ovo",
    "gopay": "gopay",
    "dana": "dana",
    "linkaja": "linkaja",
    "shopeepay": "shopeepay",
    "kartu kredit": "credit_card",
    "kartu kredit/cicilan 0%": "credit_card",
    "credit card": "credit_card",
    "transfer bank": "bank_transfer",
    "bank transfer": "bank_transfer",
    "atm": "bank_transfer",
    "indomaret": "retail_outlet",
    "alfamart": "retail_outlet",
    "bukadompet": "wallet",
    "saldo bukalapak": "wallet",
}


def canonical_payment(name: str) -> str:
    """Map a raw payment method name to a canonical one ("other:<name>" if unknown)."""
    key = name.strip().lower()
    if key in CANONICAL_PAYMENTS:
        return CANONICAL_PAYMENTS[key]
    if "prakerja" in key:
        return "kartu_prakerja"
    if "virtual account" in key or "transfer" in key or "bill payment" in key:
        return "bank_transfer"
    if "kredit" in key or "credit" in key:
        return "credit_card"
    return "other:" + key
