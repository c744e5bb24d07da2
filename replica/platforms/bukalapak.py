"""Bukalapak pages: BEM listing cards and a detail page with JSON-LD and badge."""

from __future__ import annotations

import json
import re

from replica.model import Listing, Page, Response
from replica.platforms._pagekit import (
    dotted,
    esc,
    listing_response,
    page_numbers,
    page_url,
    pagination,
    slashed,
    slugged_detail,
    split,
)

SLUG = "bukalapak"
PAGE_SIZE = 8
LISTING = "/kartu-prakerja"
DETAIL = re.compile(r"^/p/kartu-prakerja/pelatihan/([0-9a-z]+)-jual-([a-z0-9-]+)$")
BADGE = "Bisa bayar pakai Kartu Prakerja"
SAMPLE_TEXT = (
    "Pelatihan online program Kartu Prakerja. "
    "Kode voucher dikirim setelah pembayaran berhasil."
)
HOWTO = (
    "Setelah pembayaran berhasil, kode voucher dapat dilihat di halaman Transaksi. "
    "Tukarkan kode voucher di situs lembaga pelatihan."
)


def page_kind(path_qs: str) -> str | None:
    path, _ = split(path_qs)
    if path == LISTING:
        return "listing"
    return "detail" if DETAIL.match(path) else None


def render(path_qs: str, ctx) -> Response | None:
    path, params = split(path_qs)
    if path == LISTING:
        return listing_response(ctx, params, PAGE_SIZE, _listing)
    found = DETAIL.match(path)
    return slugged_detail(ctx, found, detail_url, _detail) if found else None


def detail_url(base: str, item: Listing) -> str:
    return f"{base}/p/kartu-prakerja/pelatihan/{item.listing_id}-jual-{item.slug}"


def listing_url(base: str, page_no: int) -> str:
    return page_url(f"{base}{LISTING}", page_no)


def _rupiah(amount: int) -> str:
    return f"Rp{dotted(amount)}"


def _discount(price: int, original: int) -> int:
    return round(100 * (1 - price / original))


def _script_json(value: object) -> str:
    """JSON for a ``<script>`` element: no ``</`` and no raw line separators."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028")


def _listing(ctx, page: Page) -> str:
    base = ctx.base
    v2 = ctx.variant == "v2"
    first, last = page.span
    links = f'<link rel="canonical" href="{esc(listing_url(base, page.number))}">'
    if page.number > 1:
        links += f'<link rel="prev" href="{esc(listing_url(base, page.number - 1))}">'
    if page.has_next:
        links += f'<link rel="next" href="{esc(listing_url(base, page.number + 1))}">'
    cards = "".join(_card(item, base, v2) for item in page.listings)
    empty = ""
    if not page.total:
        empty = (
            '<p class="c-prakerja-page__empty bl-text">Pelatihan tidak ditemukan</p>\n'
        )
    return (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"><title>Kartu '
        "Prakerja - Pelatihan Online Bayar Pakai Kartu Prakerja | Bukalapak</title>\n"
        f'{links}</head>\n<body class="bl-body"><div id="vm__white-header-dweb">'
        f'<a class="bl-link" href="{esc(base)}/">Bukalapak</a></div>\n'
        '<main class="c-prakerja-page">\n <section class="c-prakerja-hero"><h1 '
        'class="bl-text bl-text--heading-32">Kartu Prakerja</h1><p class="bl-text">'
        "Pilih pelatihan, bayar pakai Kartu Prakerja, dapatkan kode voucher.</p>"
        '</section>\n <p class="c-prakerja-page__result bl-text bl-text--caption">'
        f"Menampilkan {first} - {last} dari {page.total} pelatihan</p>\n{empty}"
        ' <div class="bl-flex-container flex-wrap c-prakerja-page__products">\n'
        f"{cards} </div>\n{_pagination(page, base)}</main></body></html>\n"
    )


def _card(item: Listing, base: str, v2: bool) -> str:
    url = esc(detail_url(base, item))
    title = esc(item.title)
    thumb = (
        f"https://s1.bukalapak.com/img/prakerja/{item.listing_id}/s-194-194/thumb.jpg"
    )
    label = ""
    if item.bundle_label:
        label = (
            '<span class="bl-product-card__label bl-product-card__label--bundle">'
            f"{esc(item.bundle_label)}</span>"
        )
    original = ""
    if slashed(item):
        original = (
            '<p class="bl-product-card__description-price--original bl-text '
            f'bl-text--caption"><del>{_rupiah(slashed(item))}</del></p>'
        )
    rating = ""
    if item.rating is not None:
        value = f"{item.rating:.1f}".replace(".", ",")
        rating = (
            '<div class="bl-product-card__description-rating"><p class="bl-text '
            f'bl-text--body-12">{value} ({item.rating_count})</p></div>'
        )
    badge = ""
    if item.prakerja_payment:
        badge = (
            '<div class="bl-product-card__prakerja"><span class="c-prakerja-badge '
            'c-prakerja-badge--small">Kartu Prakerja</span></div>'
        )
    price = _rupiah(item.price_idr) if item.price_idr else "Gratis"
    card = (
        'class="bl-product-card-new" data-testid="product-card"'
        if v2
        else 'class="bl-product-card"'
    )
    return (
        f'<div {card} data-product-id="{esc(item.listing_id)}">\n'
        f' <div class="bl-product-card__thumbnail"><a href="{url}"><img src="{thumb}" '
        f'alt="{title}"></a>{label}</div>\n'
        ' <div class="bl-product-card__description">\n'
        '  <p class="bl-product-card__description-name bl-text bl-text--body-14">'
        f'<a href="{url}" title="{title}">{title}</a></p>\n'
        '  <div class="bl-product-card__description-price"><p class="bl-text '
        'bl-text--subheading-20 bl-text--semi-bold bl-text--ellipsis__1">'
        f"{price}</p>{original}</div>\n  {rating}\n"
        '  <div class="bl-product-card__description-store"><span class="bl-product-'
        f'card__store-name bl-text bl-text--caption">{esc(item.provider)}</span></div>'
        f"\n  {badge}\n </div>\n</div>\n"
    )


def _pagination(page: Page, base: str) -> str:
    if page.last <= 1 and not page.has_next:
        return ""
    items = pagination(
        page,
        lambda n: listing_url(base, n),
        page_numbers(page.number, page.last),
        back='<li class="bl-pagination__item bl-pagination__item--prev"><a class="bl-'
        'pagination__link bl-pagination__prev" href="{url}">Sebelumnya</a></li>',
        current='<li class="bl-pagination__item bl-pagination__item--active">'
        '<span class="bl-pagination__link">{n}</span></li>',
        link='<li class="bl-pagination__item"><a class="bl-pagination__link" '
        'href="{url}">{n}</a></li>',
        forward='<li class="bl-pagination__item bl-pagination__item--next"><a class='
        '"bl-pagination__link bl-pagination__next" href="{url}" aria-label="Halaman '
        'berikutnya">Berikutnya</a></li>',
    )
    joined = "\n  ".join(items)
    return (
        ' <nav class="bl-pagination"><ul class="bl-pagination__list">\n  '
        f"{joined}\n </ul></nav>\n"
    )


def _json_ld(item: Listing, url: str, v2: bool) -> str:
    stock = "InStock" if item.available else "OutOfStock"
    product = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": item.title,
        "sku": item.listing_id,
        "productID": item.listing_id,
        "category": item.category,
        "image": f"https://s1.bukalapak.com/img/prakerja/{item.listing_id}/w-500/main.jpg",
        "description": SAMPLE_TEXT,
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": str(item.price_idr),
            "priceCurrency": "IDR",
            "availability": f"https://schema.org/{stock}",
            "seller": {"@type": "Organization", "name": item.provider},
        },
    }
    if item.rating is not None:
        product["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": str(item.rating),
            "reviewCount": str(item.rating_count),
        }
    if v2:
        del product["@context"]
        product = {"@context": "https://schema.org", "@graph": [product]}
    return _script_json(product)


def _detail(ctx, item: Listing) -> str:
    base, v2 = ctx.base, ctx.variant == "v2"
    url = detail_url(base, item)
    title, provider = esc(item.title), esc(item.provider)
    price = f'<span class="c-product-price__reduced">{_rupiah(item.price_idr)}</span>'
    if slashed(item):
        price += (
            f'<del class="c-product-price__original">{_rupiah(slashed(item))}'
            '</del><span class="c-product-price__discount">'
            f"-{_discount(item.price_idr, slashed(item))}%</span>"
        )
    buy = "Beli Sekarang" if item.available else "Stok Habis"
    disabled = "" if item.available else " disabled"
    text = esc(item.description) if item.description else HOWTO
    return (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"><title>Jual '
        f"{title} - {provider} | Bukalapak</title>\n"
        f'<link rel="canonical" href="{esc(url)}">\n<script type="application/ld+json">'
        f"{_json_ld(item, url, v2)}</script></head>\n"
        '<body class="bl-body"><main class="c-main-product" data-product-id="'
        f'{esc(item.listing_id)}">\n <nav class="c-breadcrumb"><a href="{esc(base)}/">'
        f'Beranda</a> / <a href="{esc(base)}{LISTING}">Kartu Prakerja</a> / <span>'
        f"{esc(item.category or '')}</span></nav>\n"
        ' <h1 class="c-main-product__title bl-text bl-text--subheading-20">'
        f"{title}</h1>\n"
        f' <div class="c-main-product__price"><div class="c-product-price">{price}'
        "</div></div>\n"
        ' <div class="c-main-product__seller"><a class="c-seller__name" href="'
        f'{esc(base)}/u/{esc(item.slug[:12])}">{provider}</a></div>\n'
        f" {_bundle(item)}\n {_payment(item, v2)}\n"
        ' <div class="c-main-product__action"><button class="bl-button '
        f'bl-button--primary c-main-product__buy"{disabled}>{buy}</button></div>\n'
        ' <section class="c-information__description"><h2>Deskripsi</h2>'
        f"<p>{text}</p></section>\n</main></body></html>\n"
    )


def _bundle(item: Listing) -> str:
    if not item.components and not item.bundle_label:
        return ""
    label = ""
    if item.bundle_label:
        label = (
            '<span class="c-product-label c-product-label--bundle">'
            f"{esc(item.bundle_label)}</span>"
        )
    names = "".join(
        '<li class="c-bundle-items__item"><span class="c-bundle-items__name">'
        f"{esc(name)}</span></li>"
        for name in item.components
    )
    return (
        f'<div class="c-bundle-items">{label}<h2 class="c-bundle-items__heading '
        'bl-text bl-text--subheading-16">Pelatihan dalam paket ini '
        f"({len(item.components)})"
        f'</h2><ul class="c-bundle-items__list">{names}</ul></div>'
    )


def _payment(item: Listing, v2: bool) -> str:
    badge = ""
    if item.prakerja_payment:
        css = "prakerja-tag" if v2 else "c-prakerja-badge"
        text = "prakerja-tag__text" if v2 else "c-prakerja-badge__text"
        badge = (
            f'<div class="{css}"><img src="https://s1.bukalapak.com/ast/prakerja/'
            f'logo-prakerja.png" alt="" width="24"><span class="{text}">{BADGE}'
            "</span></div>"
        )
    methods = "".join(
        f'<li class="c-product-payment-info__method">{esc(name)}</li>'
        for _, name in item.payment_methods
    )
    note = ""
    if item.prakerja_payment is False:
        note = (
            '<p class="c-product-payment-info__note bl-text bl-text--caption">Produk '
            "ini tidak dapat dibayar menggunakan Kartu Prakerja.</p>"
        )
    return (
        f'<div class="c-product-payment-info">{badge}<p class="c-product-payment-info'
        '__title bl-text bl-text--semi-bold">Metode pembayaran</p><ul class="c-product'
        f'-payment-info__methods">{methods}</ul>{note}</div>'
    )
