"""Tokopedia Kartu Prakerja pages: SSR cards with an Apollo cache, and detail pages.

The detail page and the value formats live in ``_tokopedia_pdp``.

``Listing.extra`` keys read (all optional):
- ``partner_slug``: the ``PrakerjaPartner:<slug>`` id and partner URL slug
  (default: the sample page's slug for a listing with ``sample`` set, else the
  provider name slugified).
- ``sample``: marks a sample listing (its partner slug comes from
  ``replica/data/tokopedia/listing_p1.html``).
- ``payment_note``: the ``lblPaymentNote`` text. Without it, a bundle that is not
  payable with Kartu Prakerja shows the standard note from the halt on.
- ``description``: the description paragraph text (default: ``Listing.description``,
  else the voucher boilerplate).
"""

from __future__ import annotations

import json

from replica.model import Listing, Page, Response
from replica.platforms._pagekit import (
    esc,
    html_response,
    listing_response,
    lookup_error,
    pagination,
    script_json,
    slashed,
    split,
)
from replica.platforms._tokopedia_pdp import (
    DETAIL_PREFIX,
    detail_page,
    detail_url,
    discount,
    listing_url,
    partner_slug,
    price_text,
    tid,
)

SLUG = "tokopedia"
PAGE_SIZE = 8

LISTING_PATHS = ("/discovery/kartu-prakerja/", "/discovery/kartu-prakerja")
CDN = "https://assets.tokopedia.net/assets-tokopedia-lite/v2/zeus/kratos"


def page_kind(path_qs: str) -> str | None:
    path, _ = split(path_qs)
    if path in LISTING_PATHS:
        return "listing"
    if path.startswith(DETAIL_PREFIX) and path[len(DETAIL_PREFIX) :].isdigit():
        return "detail"
    return None


def render(path_qs: str, ctx) -> Response | None:
    kind = page_kind(path_qs)
    path, params = split(path_qs)
    if kind == "listing":
        return listing_response(ctx, params, PAGE_SIZE, _listing)
    if kind != "detail":
        return None
    listing = ctx.lookup(path[len(DETAIL_PREFIX) :])
    if not isinstance(listing, Listing):
        return lookup_error(listing, signature=None)
    return html_response(detail_page(ctx, listing))


# -- listing ---------------------------------------------------------------------


def _listing(ctx, page: Page) -> str:
    v2 = ctx.variant == "v2"
    links = f'<link rel="canonical" href="{esc(listing_url(ctx, page.number))}"/>'
    if page.number > 1:
        links += f'<link rel="prev" href="{esc(listing_url(ctx, page.number - 1))}"/>'
    if page.has_next:
        links += f'<link rel="next" href="{esc(listing_url(ctx, page.number + 1))}"/>'
    start, end = page.span
    total_id = tid("txtPrakerjaTotal", v2)
    cards = "".join(_card(ctx, listing, v2) + "\n" for listing in page.listings)
    if not page.listings:
        empty_id = tid("divPrakerjaEmptyState", v2)
        cards = (
            f'<div class="css-1m3b0o2" data-testid="{empty_id}">'
            "<p>Oops, pelatihan Kartu Prakerja belum tersedia</p></div>\n"
        )
    state = _apollo_v2(ctx, page) if v2 else _apollo(ctx, page)
    return (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"/>'
        "<title>Kartu Prakerja - Beli Pelatihan Kartu Prakerja | Tokopedia</title>\n"
        '<meta name="description" content="Beli pelatihan Kartu Prakerja di Tokopedia.'
        ' Pilih lembaga pelatihan dan bayar pakai Kartu Prakerja."/>\n'
        f'{links}\n<link rel="stylesheet" href="{CDN}/main.css"/></head>\n'
        '<body><div id="zeus-root"><header class="css-1xh4fq3">'
        f'<a href="{esc(ctx.base)}/" class="css-1bdjx6e">Tokopedia</a></header>\n'
        '<main class="css-1c82svt"><h1 class="css-1o2d7wf">Kartu Prakerja</h1>\n'
        f'<p class="css-1qzt6w0" data-testid="{total_id}">Menampilkan {start} - {end}'
        f" dari {page.total} pelatihan</p>\n"
        f'<div class="css-jza1fo" data-testid="{tid("divPrakerjaProductList", v2)}">\n'
        f"{cards}</div>\n{_pagination(ctx, page)}</main></div>\n"
        f"<script>{state};</script>\n"
        f'<script src="{CDN}/main.js" defer></script>\n</body></html>\n'
    )


def _card(ctx, listing: Listing, v2: bool) -> str:
    name = esc(listing.title)
    label = ""
    if listing.bundle_label:
        label = f'<span class="css-1eyc7ny">{esc(listing.bundle_label)}</span>'
    struck = ""
    if slashed(listing):
        struck = (
            f'<span class="css-1u1q9rx"><s>{price_text(slashed(listing))}</s></span>'
        )
    partner = ""
    if listing.provider is not None:
        partner = (
            f'<span data-testid="{tid("spnPrakerjaPartner", v2)}" class="css-1kr22w3">'
            f"{esc(listing.provider)}</span>"
        )
    return (
        f'<div class="css-bk6tzz e1nlzfl3" data-testid="{tid("divPrakerjaCard", v2)}">'
        f'<a href="{esc(detail_url(ctx, listing))}" class="css-89jnbj">'
        '<div class="css-1f4mp12"><img src="https://images.tokopedia.net/img/cache/'
        f'200-square/prakerja/{esc(listing.listing_id)}.jpg" alt="{name}"/></div>'
        f'<div class="css-11s9vse"><span data-testid="{tid("spnPrakerjaName", v2)}"'
        f' class="css-1bjwylw">{name}</span>{label}'
        f'<span data-testid="{tid("spnPrakerjaPrice", v2)}" class="css-o5uqvq">'
        f"{price_text(listing.price_idr)}</span>{struck}{partner}</div></a></div>"
    )


def _pagination(ctx, page: Page) -> str:
    if page.last <= 1:
        return ""
    items = pagination(
        page,
        lambda n: listing_url(ctx, n),
        range(max(1, page.number - 2), min(page.last, page.number + 2) + 1),
        back='<li><a href="{url}" data-testid="btnPaginationPrev" aria-label="Laman '
        'sebelumnya">&lt;</a></li>',
        current='<li><span aria-current="page" class="css-1l3j6mt">{n}</span></li>',
        link='<li><a href="{url}" data-testid="btnPagination{n}">{n}</a></li>',
        forward='<li><a href="{url}" data-testid="btnPaginationNext" aria-label="Laman '
        'berikutnya">&gt;</a></li>',
    )
    return (
        '<nav class="css-txlndr" aria-label="Navigasi halaman"><ul class="css-1ni9y5x">'
        f"{''.join(items)}</ul></nav>\n"
    )


def _products(ctx, page: Page) -> tuple[list[dict], dict[str, dict]]:
    """Product refs in page order, and the normalized cache entries they point to."""
    refs: list[dict] = []
    entries: dict[str, dict] = {}
    for listing in page.listings:
        key = f"PrakerjaProduct:{listing.listing_id}"
        refs.append({"type": "id", "id": key, "generated": False})
        labels = []
        if listing.bundle_label:
            labels.append(
                {
                    "position": "bundle",
                    "title": listing.bundle_label,
                    "type": "lightGreen",
                    "__typename": "LabelGroup",
                }
            )
        partner_key = f"PrakerjaPartner:{partner_slug(listing)}"
        partner = None
        if listing.provider is not None:
            partner = {"type": "id", "id": partner_key, "generated": False}
        entries[key] = {
            "id": listing.listing_id,
            "name": listing.title,
            "url": detail_url(ctx, listing),
            "price": price_text(listing.price_idr),
            "priceInt": listing.price_idr,
            "slashedPrice": price_text(slashed(listing)) if slashed(listing) else "",
            "slashedPriceInt": slashed(listing),
            "discountPercentage": discount(listing),
            "labelGroups": labels,
            "partner": partner,
            "categoryName": listing.category,
            "rating": listing.rating if listing.rating is not None else 0,
            "countReview": listing.rating_count or 0,
            "isAvailable": listing.available,
            "__typename": "PrakerjaProduct",
        }
        if partner is not None and partner_key not in entries:
            slug = partner_slug(listing)
            entries[partner_key] = {
                "slug": slug,
                "name": listing.provider,
                "url": f"{ctx.base}/kartu-prakerja/partner/{slug}",
                "__typename": "PrakerjaPartner",
            }
    return refs, entries


def _root_args(page: Page) -> str:
    args = {"categoryID": 0, "page": page.number, "perPage": page.size}
    args["sort"] = "relevance"
    return json.dumps(args, separators=(",", ":"))


def _apollo(ctx, page: Page) -> str:
    field = f"prakerjaProductList({_root_args(page)})"
    ref_id = f"$ROOT_QUERY.{field}"
    refs, entries = _products(ctx, page)
    cache = {
        "ROOT_QUERY": {field: {"type": "id", "id": ref_id, "generated": True}},
        ref_id: {
            "totalData": page.total,
            "page": page.number,
            "perPage": page.size,
            "hasNext": page.has_next,
            "products": refs,
            "__typename": "PrakerjaProductList",
        },
    }
    cache.update(entries)
    return f"window.__cache={script_json(cache)}"


def _apollo_v2(ctx, page: Page) -> str:
    field = f"searchPrakerja({_root_args(page)})"
    refs, entries = _products(ctx, page)
    data = {"totalData": page.total, "page": page.number, "perPage": page.size}
    data.update(hasNext=page.has_next, products=refs)
    state = {"ROOT_QUERY": {field: {"data": data, "__typename": "SearchPrakerja"}}}
    state.update(entries)
    return f"window.__APOLLO_STATE__={script_json(state)}"
