"""Makes one generated catalog listing from (seed, platform, index) and its role."""

from __future__ import annotations

import math
import random
from typing import Protocol

from replica import names
from replica import scenario as sc
from replica.ids import generated_id, slugify
from replica.model import Listing


class Catalog(Protocol):
    """What generation reads of ``replica.catalog.Catalog`` (named here: no cycle)."""

    seed: int
    samples: dict[str, list[sc.Entry]]

    def entry(self, slug: str, index: int) -> sc.Entry: ...

    def provider(self, rng: random.Random) -> str: ...


LABELS = {  # each platform's explicit bundle marker
    "bukalapak": "Paket Hemat",
    "maubelajarapa": "Bundling",
    "pijarmahir": "Paket Pembelajaran Mandiri",
    "pintaria": "PAKET",
    "sekolahmu": "bundle",
    "sisnaker": "Paket",
    "skillacademy": None,
    "tokopedia": "Paket Bundling",
}
OPTIONAL_LABEL = {"bukalapak", "maubelajarapa", "pintaria", "tokopedia"}
NO_REVIEWS_COUNT_NULL = {"bukalapak", "maubelajarapa", "sisnaker"}
METHODS = {  # other payment methods per platform, page order: (group, name)
    "bukalapak": [("", n) for n in ("Saldo Bukalapak", "DANA", "Transfer Bank")]
    + [("", "Indomaret"), ("", "Kartu Kredit")],
    "maubelajarapa": [
        ("", n) for n in ("Transfer Bank BCA", "Transfer Bank Mandiri", "OVO", "GoPay")
    ],
    "pijarmahir": [
        ("Uang Elektronik", "LinkAja"),
        ("Virtual Account", "Mandiri Virtual Account"),
        ("Virtual Account", "BNI Virtual Account"),
        ("Kartu Kredit", "Kartu Kredit"),
    ],
    "pintaria": [
        ("", n)
        for n in ("BCA Virtual Account", "Mandiri Bill Payment", "GoPay")
        + ("Kartu Kredit",)
    ],
    "sekolahmu": [
        ("", n)
        for n in ("BCA Virtual Account", "Mandiri Virtual Account", "GoPay", "OVO")
    ],
    "sisnaker": [("", "Transfer Bank BNI"), ("", "Transfer Bank BRI")],
    "skillacademy": [],
    "tokopedia": [
        ("Transfer Bank", "BCA Virtual Account"),
        ("Transfer Bank", "Mandiri Virtual Account"),
        ("Transfer Bank", "BNI Virtual Account"),
        ("Dompet Digital", "OVO"),
        ("Kartu Kredit/Debit", "Kartu Kredit/Cicilan 0%"),
    ],
}
ODD_PRICES = (99_000, 149_000, 199_000, 249_000, 299_000, 349_000, 399_000, 499_000)


def generate(cat: Catalog, slug: str, i: int, role: int, created: str, source):
    """The catalog entry of listing ``i`` (its state before the halt)."""
    g = i - len(cat.samples[slug])
    listing_id = generated_id(slug, g)
    rng = random.Random(f"{cat.seed}/{slug}/{g}")
    if role == sc.RELISTED:
        return _relisted(cat, slug, listing_id, cat.entry(slug, source).listing, rng)
    category = rng.choice(tuple(names.CATEGORIES))
    extra: dict = {}
    components: tuple[str, ...] = ()
    label = None
    list_price = None
    description = rng.choice(names.DESCRIPTIONS)
    if role in sc.BUNDLE_ROLES:
        title, components, prices, label, theme = _bundle(slug, category, rng)
        list_price = sum(prices)
        if rng.random() < 0.3:
            list_price = round(list_price / 50_000) * 50_000
        share = rng.uniform(0.35, 0.7)
        price = round(list_price * share / 50_000) * 50_000
        price = max(100_000, min(1_000_000, price))
        extra = {"component_prices": prices, "theme": theme}
    else:
        if role == sc.TRAP:
            title, category = rng.choice(names.TRAPS)
        else:
            title = _single_title(slug, category, rng)
        if rng.random() < 0.08:
            description += " " + rng.choice(names.TRAP_DESCRIPTIONS)
        price = _single_price(rng)
        if price and rng.random() < 0.18:
            list_price = math.ceil(price * rng.uniform(1.2, 1.7) / 50_000) * 50_000
    methods, payable = _payment(slug, role, rng)
    count = 0 if rng.random() < 0.15 else int(math.exp(rng.uniform(0, 7.3)))
    digits = 2 if slug == "maubelajarapa" else 1
    rating = round(rng.uniform(3.8, 5.0), digits) if count else None
    if not count and slug in NO_REVIEWS_COUNT_NULL:
        count = None
    item = Listing(
        platform=slug,
        listing_id=listing_id,
        slug=_url_slug(slug, title, listing_id),
        title=title,
        provider=cat.provider(rng),
        price_idr=price,
        list_price_idr=list_price,
        is_bundle=role in sc.BUNDLE_ROLES,
        bundle_label=label,
        components=components,
        payment_methods=methods,
        prakerja_payment=payable,
        available=role != sc.SINGLE_OFF,
        category=_category(slug, category),
        rating=rating,
        rating_count=count,
        description=description,
        created_at=created,
        updated_at=created,
        extra=extra,
    )
    return sc.Entry(item, role)


def _single_title(slug: str, category: str, rng: random.Random) -> str:
    skill = rng.choice(names.CATEGORIES[category][0])
    prefix = "Pelatihan" if slug == "sisnaker" else rng.choice(names.SINGLE_PREFIXES)
    first = skill.split()[0]
    if first in names.SINGLE_PREFIXES or (prefix == "Menguasai" and first[:2] == "Me"):
        prefix = ""
    audience = rng.choice(names.AUDIENCES) if " untuk " not in skill else ""
    return " ".join(part for part in (prefix, skill, audience) if part)


def _bundle(slug: str, category: str, rng: random.Random):
    skills, themes = names.CATEGORIES[category]
    theme = rng.choice(themes)
    n = min(rng.choice((2, 2, 3, 3, 3, 4, 4, 5, 6)), len(skills))
    components = tuple(rng.sample(skills, n))
    prices = [
        rng.choice(ODD_PRICES) if rng.random() < 0.3 else rng.randrange(30, 121) * 5_000
        for _ in components
    ]
    label = LABELS[slug]
    if slug == "pijarmahir" and rng.random() < 0.3:
        label = "Paket Webinar"
    if rng.random() < 0.12:
        title = f"{rng.choice(names.PLAIN_BUNDLE_PREFIXES)} {theme}"
        if slug in OPTIONAL_LABEL and rng.random() < 0.5:
            label = None
        return title, components, prices, label, theme
    prefix = rng.choice(names.BUNDLE_PREFIXES)
    title = f"{prefix} {theme}"
    if prefix == "Paket" or rng.random() < 0.35:
        title += f" ({n} Kelas)"
    return title, components, prices, label, theme


def _relisted(cat: Catalog, slug: str, listing_id: str, old: Listing, rng):
    """The withdrawn bundle ``old`` under a new id and a title without bundle words."""
    title = f"Program Intensif {old.extra['theme']}: Dari Dasar sampai Mahir"
    others = tuple(m for m in METHODS[slug] if rng.random() < 0.8)
    others = others or tuple(METHODS[slug])
    item = Listing(
        platform=slug,
        listing_id=listing_id,
        slug=_url_slug(slug, title, listing_id),
        title=title,
        provider=old.provider,
        price_idr=old.price_idr,
        list_price_idr=old.list_price_idr,
        is_bundle=True,
        bundle_label=None,
        components=old.components,
        payment_methods=(sc.PRAKERJA_METHOD[slug], *others),
        prakerja_payment=True,
        available=True,
        category=old.category,
        rating=None,
        rating_count=None,
        description=old.description,
        created_at=sc.RELIST,
        updated_at=sc.RELIST,
        extra={**old.extra, "relisted_from": old.listing_id},
    )
    return sc.Entry(item, sc.RELISTED, relisted_from=old.listing_id)


def _single_price(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.04:
        return 0
    if r < 0.25:
        return rng.choice(ODD_PRICES)
    if r < 0.93:
        return rng.randrange(20, 121) * 5_000
    return rng.randrange(13, 21) * 50_000


def _payment(slug: str, role: int, rng: random.Random):
    if role == sc.SINGLE_UNKNOWN:
        return (), None
    others = [m for m in _methods(slug) if rng.random() < 0.75]
    if len(others) < 2:
        others = _methods(slug)[:2]
    method = sc.PRAKERJA_METHOD[slug]
    if role == sc.SINGLE_NOPAY:
        return tuple(others), False
    return ((method,) if method else ()) + tuple(others), True


def _methods(slug: str) -> list[tuple[str, str]]:
    return METHODS[slug]


def _category(slug: str, category: str) -> str | None:
    if slug == "skillacademy":
        return None  # the real API's categories are always []
    return names.PLATFORM_CATEGORIES.get(slug, {}).get(category, category)


def _url_slug(slug: str, title: str, listing_id: str) -> str:
    if slug in ("pijarmahir", "sisnaker"):
        return listing_id
    if slug == "bukalapak":
        return slugify(title, amp="")
    if slug == "skillacademy":
        return f"{slugify(title)}-{listing_id[5:].lower()}"
    if slug in ("maubelajarapa", "sekolahmu"):
        return f"{slugify(title)}-{listing_id}"
    return slugify(title)
