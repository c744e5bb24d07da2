"""Sekolah.mu Kartu Prakerja listing: Nuxt 2 SSR cards plus ``window.__NUXT__`` state.

``Listing.extra`` keys read (all optional; defaults are derived deterministically):
- ``sample``: set on sample listings; their ``provider.id`` and ``courses[].id``
  are then read from ``replica/data/sekolahmu/listing_p1.html``.
- ``provider_id`` (int): ``provider.id`` in the state.
- ``provider_slug``: ``provider.slug`` (default: the provider name slugified).
- ``course_ids`` (list of int): ``courses[].id`` in page order (one id for a single).
- ``thumbnail``: the card image URL (default: the CDN path from the slug).
- ``prakerja_option``: ``"disabled"`` (default) or ``"absent"``: how a listing that
  is not payable shows the ``PRAKERJA`` payment option (present with
  ``enabled:false``, or missing).

The program ``type`` is ``"bundle"`` iff ``Listing.bundle_label`` is set (the core
should set it to ``"bundle"``); ``paymentOptions`` is ``null`` iff
``prakerja_payment`` is None and no payment method is shown.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import json5

from replica.model import Listing, Page, Response
from replica.platforms._pagekit import (
    dotted,
    esc,
    listing_response,
    page_numbers,
    page_url,
    pagination,
    sample_text,
    slugify,
    split,
    stable_int,
)

SLUG = "sekolahmu"
PAGE_SIZE = 8

LISTING_PATHS = ("/kartuprakerja/", "/kartuprakerja")
PAYMENT_CODES = {
    "Kartu Prakerja": "PRAKERJA",
    "BCA Virtual Account": "VA_BCA",
    "Mandiri Virtual Account": "VA_MANDIRI",
    "BNI Virtual Account": "VA_BNI",
    "BRI Virtual Account": "VA_BRI",
    "GoPay": "GOPAY",
    "OVO": "OVO",
}
IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
V = "data-v-3b8f6a1e"  # the scoped-style attribute of the card component
HEAD = (
    '<!doctype html>\n<html data-n-head-ssr lang="id" data-n-head="%7B%22lang%22:'
    '%7B%22ssr%22:%22id%22%7D%7D">\n<head><title>Kartu Prakerja - Sekolah.mu'
    '</title><meta data-n-head="ssr" charset="utf-8"><meta data-n-head="ssr" '
    'name="viewport" content="width=device-width, initial-scale=1">\n'
    '<link rel="preload" href="/_nuxt/2d1c3a7.js" as="script"><link rel="preload" '
    'href="/_nuxt/8f4e0b2.js" as="script"></head>\n<body><div '
    'data-server-rendered="true" id="__nuxt"><div id="__layout"><div class="sm-app">'
    '\n<header class="sm-header">'
)
# Layout v2 hoists repeated values into IIFE parameters, as newer Nuxt does.
HOISTED = ((False, "a"), (None, "b"), ("Kartu Prakerja", "c"), (True, "d"))


def page_kind(path_qs: str) -> str | None:
    path, _ = split(path_qs)
    return "listing" if path in LISTING_PATHS else None


def render(path_qs: str, ctx) -> Response | None:
    path, params = split(path_qs)
    if path not in LISTING_PATHS:
        return None
    return listing_response(ctx, params, PAGE_SIZE, _page)


# -- devalue-style JavaScript literals ---------------------------------------------


def js_string(text: str) -> str:
    """A double-quoted JS string escaped the way devalue does it."""
    quoted = json.dumps(text, ensure_ascii=False)
    for char, escape in (("<", "\\u003C"), (">", "\\u003E"), ("/", "\\u002F")):
        quoted = quoted.replace(char, escape)
    return quoted.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def js_value(value: object, hoist: bool = False) -> str:
    """Serialize ``value`` as a JS literal with unquoted identifier keys."""
    if hoist:
        for constant, name in HOISTED:
            if value is constant or (isinstance(value, str) and value == constant):
                return name
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return js_string(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(js_value(v, hoist) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(
                (key if IDENTIFIER.match(key) else js_string(key))
                + ":"
                + js_value(item, hoist)
                for key, item in value.items()
            )
            + "}"
        )
    raise TypeError(f"cannot serialize {type(value).__name__}")


# -- state -----------------------------------------------------------------------


def _payment_code(name: str) -> str:
    return PAYMENT_CODES.get(name) or re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip(
        "_"
    )


def _payment_options(listing: Listing) -> list[dict] | None:
    if not listing.payment_methods and listing.prakerja_payment is None:
        return None
    options = [
        {"code": _payment_code(name), "label": name, "enabled": True}
        for _, name in listing.payment_methods
    ]
    shown = {option["code"] for option in options}
    hide = listing.extra.get("prakerja_option") == "absent"
    if not listing.prakerja_payment and "PRAKERJA" not in shown and not hide:
        options.insert(
            0, {"code": "PRAKERJA", "label": "Kartu Prakerja", "enabled": False}
        )
    return options


@lru_cache(maxsize=1)
def _sample_programs() -> dict[str, dict]:
    """The programs of the shipped sample page, for their raw ids."""
    text = sample_text(SLUG, "listing_p1.html")
    state = json5.loads(re.search(r"window\.__NUXT__=(\{.*\});</script>", text)[1])
    return {str(p["id"]): p for p in state["state"]["prakerja"]["programs"]}


def _raw(listing: Listing, key: str):
    """An extra value, else the sample program's (for sample listings), else None."""
    if key in listing.extra:
        return listing.extra[key]
    if not listing.extra.get("sample"):
        return None
    program = _sample_programs().get(listing.listing_id)
    if program is None:
        return None
    if key == "provider_id":
        return (program.get("provider") or {}).get("id")
    return [course["id"] for course in program["courses"]]


def _courses(listing: Listing) -> list[dict]:
    titles = list(listing.components) if _is_bundle(listing) else [listing.title]
    ids = list(_raw(listing, "course_ids") or [])[: len(titles)]
    for n in range(len(ids), len(titles)):
        ids.append(88000 + stable_int(f"{listing.listing_id}/{n}/{titles[n]}", 1000))
    return [{"id": i, "title": t} for i, t in zip(ids, titles, strict=True)]


def _is_bundle(listing: Listing) -> bool:
    return listing.bundle_label is not None


def _program(listing: Listing) -> dict:
    provider = None
    if listing.provider is not None:
        provider = {
            "id": _raw(listing, "provider_id")
            or 300 + stable_int(listing.provider, 100),
            "name": listing.provider,
            "slug": listing.extra.get("provider_slug") or slugify(listing.provider),
        }
    listing_id = listing.listing_id
    return {
        "id": int(listing_id) if listing_id.isdigit() else listing_id,
        "slug": listing.slug,
        "name": listing.title,
        "type": "bundle" if _is_bundle(listing) else "single",
        "provider": provider,
        "price": listing.price_idr,
        "normalPrice": listing.list_price_idr or listing.price_idr,
        "courses": _courses(listing),
        "paymentOptions": _payment_options(listing),
        "isActive": listing.available,
        "category": None if listing.category is None else {"name": listing.category},
        "rating": listing.rating or 0,
        "reviewCount": listing.rating_count or 0,
        "thumbnail": _thumbnail(listing),
    }


def _thumbnail(listing: Listing) -> str:
    default = f"https://cdn.sekolah.mu/assets/program/{listing.slug}/thumbnail.jpg"
    return listing.extra.get("thumbnail") or default


def _nuxt(page: Page) -> dict:
    prakerja = {
        "filter": {
            "page": page.number,
            "perPage": page.size,
            "kategori": None,
            "urutan": "terbaru",
        },
        "pagination": {
            "page": page.number,
            "perPage": page.size,
            "total": page.total,
            "lastPage": page.last,
        },
        "programs": [_program(listing) for listing in page.listings],
    }
    return {
        "layout": "default",
        "data": [{}],
        "fetch": [],
        "error": None,
        "state": {"auth": {"loggedIn": False, "user": None}, "prakerja": prakerja},
        "serverRendered": True,
        "routePath": "/kartuprakerja/",
        "config": {
            "apiBaseUrl": "https://api.sekolah.mu",
            "_app": {"basePath": "/", "assetsPath": "/_nuxt/"},
        },
    }


def _state_script(ctx, page: Page) -> str:
    state = _nuxt(page)
    if ctx.variant != "v2":
        return f"window.__NUXT__={js_value(state)};"
    params = ",".join(name for _, name in HOISTED)
    args = ",".join(js_value(constant) for constant, _ in HOISTED)
    body = js_value(state, hoist=True)
    return f"window.__NUXT__=(function({params}){{return {body}}}({args}));"


# -- HTML ------------------------------------------------------------------------


def short_price(amount: int) -> str:
    """Card prices: "Gratis", "Rp700.000", "Rp1 jt", "Rp1,5 jt" (tenths, cut)."""
    if amount == 0:
        return "Gratis"
    if amount < 1_000_000:
        return f"Rp{dotted(amount)}"
    whole, tenths = divmod(amount // 100_000, 10)
    return f"Rp{whole},{tenths} jt" if tenths else f"Rp{whole} jt"


def _listing_url(ctx, number: int) -> str:
    return page_url(f"{ctx.base}/kartuprakerja/", number)


def _card(ctx, listing: Listing) -> str:
    name = esc(listing.title)
    modifier = " program-card--bundle" if _is_bundle(listing) else ""
    chip = (
        f'<span {V} class="sm-chip sm-chip--bundle">Bundling</span>' if modifier else ""
    )
    price = short_price(listing.price_idr)
    if listing.list_price_idr and listing.list_price_idr > listing.price_idr:
        price = f"<s {V}>{short_price(listing.list_price_idr)}</s> {price}"
    provider = ""
    if listing.provider is not None:
        provider = f'<p {V} class="program-card__provider">{esc(listing.provider)}</p>'
    return (
        f'<div {V} class="program-card{modifier}"><a {V} href="'
        f'{esc(ctx.base)}/program/{esc(listing.slug)}" class="program-card__link">'
        f'<img {V} src="{esc(_thumbnail(listing))}" alt="{name}"><div {V} '
        f'class="program-card__body">{chip}<h3 {V} class="program-card__title">{name}'
        f'</h3>{provider}<p {V} class="program-card__price">{price}</p></div></a></div>'
    )


def _pagination(ctx, page: Page) -> str:
    if page.last <= 1:
        return ""
    items = pagination(
        page,
        lambda n: _listing_url(ctx, n),
        page_numbers(page.number, page.last),
        back='<a href="{url}" class="sm-pagination__prev" rel="prev">&lsaquo;</a>',
        current='<span class="sm-pagination__item sm-pagination__item--active">{n}'
        "</span>",
        link='<a href="{url}" class="sm-pagination__item">{n}</a>',
        forward='<a href="{url}" class="sm-pagination__next" rel="next">&rsaquo;</a>',
    )
    return f'<nav class="sm-pagination">{"".join(items)}</nav>\n'


def _page(ctx, page: Page) -> str:
    cards = "".join(_card(ctx, listing) + "\n" for listing in page.listings)
    if not page.listings:
        cards = (
            '<p class="prakerja-page__empty">Belum ada program pelatihan '
            "Kartu Prakerja.</p>\n"
        )
    return (
        f"{HEAD}"
        f'<a href="{esc(ctx.base)}/" class="sm-header__logo">sekolah.mu</a></header>\n'
        '<main class="prakerja-page"><h1 class="prakerja-page__title">Pelatihan Kartu '
        f'Prakerja</h1>\n<p class="prakerja-page__count">{page.total} program '
        f'pelatihan</p>\n<div class="program-grid">\n{cards}</div>\n'
        f"{_pagination(ctx, page)}</main></div></div></div>\n"
        f"<script>{_state_script(ctx, page)}</script>"
        '<script src="/_nuxt/2d1c3a7.js" defer></script>'
        '<script src="/_nuxt/8f4e0b2.js" defer></script>\n</body></html>\n'
    )
