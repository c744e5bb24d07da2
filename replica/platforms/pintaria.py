"""Pintaria pages: Bootstrap-like course cards and a detail page with payment options.

Layout v2 (the layout fault, and the timeline from 2020-07-15): Vue-rendered
``div.pt-card[data-id]`` cards, the price in ``div[itemprop=offers]
meta[itemprop=price]``, and payment options behind a modal loaded from
``/api/kursus/{id}/payment-options`` instead of ``div#payment-options``.
"""

from __future__ import annotations

import re

from replica.model import Listing, Page, Response
from replica.platforms._pagekit import (
    dotted,
    esc,
    json_response,
    listing_response,
    lookup_error,
    page_numbers,
    page_url,
    pagination,
    slashed,
    slugged_detail,
    slugify,
    split,
)

SLUG = "pintaria"
PAGE_SIZE = 6
LISTING = "/kartuprakerja"
DETAIL = re.compile(r"^/kartuprakerja/kursus/(\d+)-([a-z0-9-]+)$")
OPTIONS = re.compile(r"^/api/kursus/(\d+)/payment-options$")
CDN = "https://storage.googleapis.com/cdn-1.pintaria.com"
ABOUT = (
    "Kelas daring mandiri. Setelah pembayaran, kode voucher dikirim ke email Anda "
    "untuk ditukarkan di laman lembaga pelatihan."
)


def page_kind(path_qs: str) -> str | None:
    path, _ = split(path_qs)
    if path == LISTING:
        return "listing"
    if DETAIL.match(path):
        return "detail"
    return "api" if OPTIONS.match(path) else None


def render(path_qs: str, ctx) -> Response | None:
    path, params = split(path_qs)
    if path == LISTING:
        return listing_response(ctx, params, PAGE_SIZE, _listing)
    options = OPTIONS.match(path)
    if options:
        item = ctx.lookup(options.group(1))
        if not isinstance(item, Listing):
            return lookup_error(item)
        value = {"course_id": int(item.listing_id), "options": _names(item)}
        return json_response(value)
    found = DETAIL.match(path)
    return slugged_detail(ctx, found, detail_url, _detail) if found else None


def detail_url(base: str, item: Listing) -> str:
    return f"{base}/kartuprakerja/kursus/{item.listing_id}-{item.slug}"


def listing_url(base: str, page_no: int) -> str:
    return page_url(f"{base}{LISTING}", page_no)


def rupiah(amount: int) -> str:
    return f"Rp {dotted(amount)}" if amount else "Gratis"


def compact(amount: int) -> str:
    """The card's short form of a struck-through price: "Rp1,15 jt"."""
    if amount < 1_000_000:
        return rupiah(amount)
    return (
        "Rp"
        + f"{amount / 1_000_000:.2f}".rstrip("0").rstrip(".").replace(".", ",")
        + " jt"
    )


def _names(item: Listing) -> list[str]:
    return [name for _, name in item.payment_methods]


def _listing(ctx, page: Page) -> str:
    base, v2 = ctx.base, ctx.variant == "v2"
    cards = "".join((_pt_card if v2 else _card)(item, base) for item in page.listings)
    empty = ""
    if not page.total:
        empty = '<p class="prakerja-listing__empty">Pelatihan tidak ditemukan</p>\n'
    return (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"><meta '
        'name="viewport" content="width=device-width, initial-scale=1">\n<title>Kartu '
        f'Prakerja | Pintaria</title><link rel="stylesheet" href="{CDN}/assets/'
        'application.css"></head>\n<body><nav class="navbar navbar-default"><a class='
        f'"navbar-brand" href="{esc(base)}/">Pintaria</a></nav>\n<div class="container '
        'prakerja-listing">\n <h1 class="prakerja-listing__title">Pelatihan Kartu '
        'Prakerja</h1>\n <form class="prakerja-search" action="'
        f'{esc(base)}/kartuprakerja/cari/hasil" method="get"><input type="text" '
        'name="keyword" placeholder="Cari pelatihan"></form>\n <p class="prakerja-'
        f'listing__count"><strong>{page.total}</strong> pelatihan ditemukan</p>\n'
        f'{empty} <div class="row course-list">\n{cards} </div>\n'
        f" {_pagination(page, base)}\n</div></body></html>\n"
    )


def _card_price(item: Listing) -> str:
    original = ""
    if slashed(item):
        original = (
            f'<del class="course-card__price--original">{compact(slashed(item))}</del> '
        )
    final = f'<span class="course-card__price--final">{rupiah(item.price_idr)}</span>'
    return f'<div class="course-card__price">{original}{final}</div>'


def _card(item: Listing, base: str) -> str:
    url, title = esc(detail_url(base, item)), esc(item.title)
    badge = '<span class="badge badge-paket">PAKET</span>' if item.bundle_label else ""
    return (
        '<div class="col-md-4 col-sm-6"><div class="course-card" data-course-id="'
        f'{esc(item.listing_id)}">\n <a class="course-card__link" href="{url}"><img '
        f'class="course-card__img" src="{CDN}/kursus/{esc(item.listing_id)}/thumb.jpg" '
        f'alt="{title}"></a>\n {badge}\n <div class="course-card__body"><h3 class="'
        f'course-card__title"><a href="{url}">{title}</a></h3>\n  <p class="course-'
        f'card__provider">{esc(item.provider)}</p>\n  {_card_price(item)}\n'
        " </div></div></div>\n"
    )


def _pt_card(item: Listing, base: str) -> str:
    url, title = esc(detail_url(base, item)), esc(item.title)
    badge = (
        '<span class="pt-chip pt-chip--paket">Paket</span>' if item.bundle_label else ""
    )
    return (
        f'<div class="pt-card" data-id="{esc(item.listing_id)}" data-v-7a1c2e>'
        f'<a href="{url}" class="pt-card__link"><img src="{CDN}/kursus/'
        f'{esc(item.listing_id)}/thumb.jpg" alt="{title}">{badge}<h3 class="pt-card__'
        f'name">{title}</h3><p class="pt-card__partner">{esc(item.provider)}</p><p '
        f'class="pt-card__price">{rupiah(item.price_idr)}</p></a></div>\n'
    )


def _pagination(page: Page, base: str) -> str:
    if page.last <= 1:
        return ""
    items = pagination(
        page,
        lambda n: listing_url(base, n),
        page_numbers(page.number, page.last),
        back='<li class="prev"><a href="{url}" rel="prev">&lsaquo;</a></li>',
        current='<li class="active"><span>{n}</span></li>',
        link='<li><a href="{url}">{n}</a></li>',
        forward='<li class="next"><a href="{url}" rel="next">Selanjutnya &rsaquo;</a>'
        "</li>",
    )
    return f'<ul class="pagination">{"".join(items)}</ul>'


def _detail(ctx, item: Listing) -> str:
    base, v2 = ctx.base, ctx.variant == "v2"
    url, title, lid = esc(detail_url(base, item)), esc(item.title), esc(item.listing_id)
    badge = '<span class="badge badge-paket">PAKET</span>' if item.bundle_label else ""
    category = slugify(item.category or "")
    if item.rating is not None:
        rating = (
            f'<span class="course-detail__rating-value">{item.rating}</span> '
            f'<span class="course-detail__rating-count">({item.rating_count} ulasan)'
            "</span>"
        )
    else:
        rating = '<span class="course-detail__rating-count">Belum ada ulasan</span>'
    if item.available:
        cta = f'<a class="btn btn-primary btn-beli" href="{esc(base)}/checkout/{lid}">'
        cta += "Beli Kelas</a>"
    else:
        cta = '<span class="course-detail__status--closed">Pendaftaran ditutup</span>'
    return (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"><title>'
        f"{title} | Kartu Prakerja | Pintaria</title>\n"
        f'<link rel="canonical" href="{url}"></head>\n'
        '<body><nav class="navbar navbar-default"><a class="navbar-brand" href="'
        f'{esc(base)}/">Pintaria</a></nav>\n'
        f'<div class="container course-detail" data-course-id="{lid}">\n'
        ' <ol class="breadcrumb"><li class="breadcrumb-item"><a href="'
        f'{esc(base)}/">Beranda</a></li><li class="breadcrumb-item"><a href="'
        f'{esc(base)}/kartuprakerja">Kartu Prakerja</a></li><li class="breadcrumb-item'
        f' active">{title}</li></ol>\n {badge}\n'
        f' <h1 class="course-detail__title">{title}</h1>\n'
        ' <div class="course-detail__category">Kategori: <a href="'
        f'{esc(base)}/kartuprakerja?kategori={category}">{esc(item.category or "")}'
        "</a></div>\n"
        ' <div class="course-detail__provider">Diselenggarakan oleh <a href="'
        f'{esc(base)}/kartuprakerja/lembaga/{lid}">{esc(item.provider)}</a></div>\n'
        f' <div class="course-detail__rating">{rating}</div>\n'
        f" {_price(item, v2)}\n {_contents(item)}\n {_payment(item, base, v2)}\n"
        f' <div class="course-detail__cta">{cta}</div>\n'
        ' <div class="course-detail__description"><h2>Tentang Kelas</h2><p>'
        f"{esc(item.description) if item.description else ABOUT}</p></div>\n"
        "</div></body></html>\n"
    )


def _price(item: Listing, v2: bool) -> str:
    if v2:
        return (
            '<div itemprop="offers" itemscope itemtype="https://schema.org/Offer" '
            f'class="pt-price"><meta itemprop="price" content="{item.price_idr}">'
            '<meta itemprop="priceCurrency" content="IDR"><span class="pt-price__now">'
            f"{rupiah(item.price_idr)}</span></div>"
        )
    original = ""
    if slashed(item):
        original = (
            f'<del class="course-detail__price--original">{rupiah(slashed(item))}'
            "</del> "
        )
    return (
        f'<div class="course-detail__price">{original}<span class="course-detail__'
        f'price--final">{rupiah(item.price_idr)}</span></div>'
    )


def _contents(item: Listing) -> str:
    if not item.components:
        return ""
    rows = "".join(
        '<li class="package-contents__item"><span class="package-contents__title">'
        f'{esc(name)}</span> <span class="package-contents__duration">± 3 jam</span>'
        "</li>"
        for name in item.components
    )
    return (
        '<div class="package-contents"><h2 class="package-contents__heading">Isi Paket '
        f'({len(item.components)} Kelas)</h2><ol class="package-contents__list">{rows}'
        "</ol></div>"
    )


def _payment(item: Listing, base: str, v2: bool) -> str:
    if v2:
        src = f"{esc(base)}/api/kursus/{esc(item.listing_id)}/payment-options"
        return (
            '<button type="button" class="pt-link" data-toggle="modal" data-src="'
            f'{src}">Lihat metode pembayaran</button>'
        )
    rows = "".join(
        f'<li class="payment-options__item"><span class="payment-options__name">'
        f"{esc(name)}</span></li>"
        for name in _names(item)
    )
    note = ""
    if item.prakerja_payment is False:
        what = "Paket kelas" if item.is_bundle else "Kelas ini"
        note = (
            f'<p class="payment-options__note">{what} tidak dapat dibeli menggunakan '
            "Kartu Prakerja.</p>"
        )
    return (
        '<div id="payment-options" class="payment-options"><h2 class="payment-options'
        '__heading">Pilihan Pembayaran</h2><ul class="payment-options__list">'
        f"{rows}</ul>{note}</div>"
    )
