"""MauBelajarApa pages: a WordPress archive and WooCommerce single-product pages."""

from __future__ import annotations

import re

from replica.model import Listing, Page, Response
from replica.platforms._pagekit import (
    dotted,
    error_page,
    esc,
    html_response,
    listing_page,
    lookup_error,
    page_numbers,
    pagination,
    redirect,
    slugify,
    split,
)

SLUG = "maubelajarapa"
PAGE_SIZE = 6
ARCHIVE = re.compile(r"^/kartuprakerja/(?:page/(\d+)/)?$")
DETAIL = re.compile(r"^/kelas/([^/]+)(/?)$")
SHORT = "Pelatihan daring program Kartu Prakerja. Kode voucher dikirim melalui email "
SHORT += "setelah pembayaran."
EMPTY = "Tidak ditemukan produk yang sesuai dengan pilihan Anda."
HEAD = (
    '<meta name="generator" content="WordPress 5.4.2" />'
    '<meta name="generator" content="WooCommerce 4.2.0" />'
)


def page_kind(path_qs: str) -> str | None:
    path, _ = split(path_qs)
    if ARCHIVE.match(path):
        return "listing"
    return "detail" if DETAIL.match(path) else None


def render(path_qs: str, ctx) -> Response | None:
    path, _ = split(path_qs)
    archive = ARCHIVE.match(path)
    if archive:
        number = int(archive.group(1) or 1)
        if archive.group(1) is not None and number <= 1:
            return redirect(archive_url(ctx.base, 1))  # WordPress canonical redirect
        page = listing_page(ctx, number, PAGE_SIZE)
        if number > page.last:
            return error_page(404)
        return html_response(_archive(ctx, page))
    found = DETAIL.match(path)
    if not found:
        return None
    if not found.group(2):
        return redirect(f"{ctx.base}/kelas/{found.group(1)}/")
    item = ctx.lookup_slug(found.group(1))
    if not isinstance(item, Listing):
        return lookup_error(item)
    return html_response(_detail(ctx, item))


def archive_url(base: str, number: int) -> str:
    return f"{base}/kartuprakerja/" + (f"page/{number}/" if number > 1 else "")


def detail_url(base: str, item: Listing) -> str:
    return f"{base}/kelas/{item.slug}/"


def _amount(value: int) -> str:
    return (
        '<span class="woocommerce-Price-amount amount"><bdi><span class="woocommerce-'
        f'Price-currencySymbol">Rp</span>{dotted(value)}</bdi></span>'
    )


def _price(item: Listing) -> str:
    if item.list_price_idr and item.list_price_idr != item.price_idr:
        return (
            f'<del aria-hidden="true">{_amount(item.list_price_idr)}</del> '
            f"<ins>{_amount(item.price_idr)}</ins>"
        )
    return _amount(item.price_idr)


def _category_slug(item: Listing) -> str:
    return slugify(item.category or "lainnya")


def _is_bundle_product(item: Listing) -> bool:
    return len(item.components) >= 2


def _badge(item: Listing) -> str:
    if not item.bundle_label:
        return ""
    return f'<span class="mba-badge mba-badge--bundle">{esc(item.bundle_label)}</span>'


def _archive(ctx, page: Page) -> str:
    base, v2 = ctx.base, ctx.variant == "v2"
    links = ""
    if page.number > 1:
        links += f'<link rel="prev" href="{esc(archive_url(base, page.number - 1))}" />'
    if page.has_next:
        links += f'<link rel="next" href="{esc(archive_url(base, page.number + 1))}" />'
    if page.total:
        first, last = page.span
        count = (
            f'<p class="woocommerce-result-count">Menampilkan {first}&ndash;{last} '
            f"dari {page.total} hasil</p>\n"
        )
        posts = "".join(
            (_loop_product if v2 else _post)(item, base) for item in page.listings
        )
        wrap = ('<ul class="products columns-3">\n', "</ul>\n") if v2 else None
        wrap = wrap or ('<div class="mba-archive-grid">\n', "</div>\n")
        content = f"{count}{wrap[0]}{posts}{wrap[1]}{_pagination(page, base)}"
    else:
        content = f'<p class="woocommerce-info">{EMPTY}</p>\n'
    return (
        '<!DOCTYPE html>\n<html lang="id-ID"><head><meta charset="UTF-8"><meta '
        'name="viewport" content="width=device-width, initial-scale=1">\n<title>Kartu '
        "Prakerja &#8211; MauBelajarApa</title>\n<link rel='stylesheet' id='mba-style-"
        "css' href='https://cdn.maubelajarapa.com/wp-content/themes/mba/style.css?ver="
        f"2.3.1' type='text/css' media='all' />\n{links}\n{HEAD}</head>\n"
        '<body class="archive post-type-archive post-type-archive-product woocommerce '
        'woocommerce-page">\n<header id="masthead" class="site-header"><a href="'
        f'{esc(base)}/" rel="home" class="site-title">MauBelajarApa</a></header>\n'
        '<main id="main" class="site-main">\n<header class="page-header"><h1 class='
        f'"page-title">Kartu Prakerja</h1></header>\n{content}</main></body></html>\n'
    )


def _classes(item: Listing) -> str:
    kind = "bundle" if _is_bundle_product(item) else "simple"
    stock = "instock" if item.available else "outofstock"
    return (
        f"post-{item.listing_id} product type-product status-publish "
        "has-post-thumbnail "
        f"product_cat-kartu-prakerja product_cat-{_category_slug(item)} "
        f"product-type-{kind} {stock}"
    )


def _thumb(item: Listing) -> str:
    month = item.created_at[5:7]
    return (
        f"https://cdn.maubelajarapa.com/wp-content/uploads/2020/{month}/kelas-"
        f"{item.listing_id}-300x200.jpg"
    )


def _post(item: Listing, base: str) -> str:
    url, title = esc(detail_url(base, item)), esc(item.title)
    return (
        f'<article id="post-{esc(item.listing_id)}" class="{_classes(item)}">\n'
        f' <a href="{url}" class="post-thumbnail"><img width="300" height="200" '
        f'src="{_thumb(item)}" class="attachment-medium size-medium wp-post-image" '
        f'alt=""></a>\n <div class="post-content">{_badge(item)}\n'
        f'  <h2 class="entry-title"><a class="post-title" href="{url}" rel="bookmark">'
        f"{title}</a></h2>\n"
        f'  <div class="mba-provider">oleh {esc(item.provider)}</div>\n'
        f'  <span class="price">{_price(item)}</span>\n </div>\n</article>\n'
    )


def _loop_product(item: Listing, base: str) -> str:
    """Layout v2: the stock WooCommerce loop item of a theme switch."""
    return (
        f'<li class="{_classes(item)}" data-product_id="{esc(item.listing_id)}">'
        f'<a href="{esc(detail_url(base, item))}" class="woocommerce-LoopProduct-link '
        f'woocommerce-loop-product__link"><img src="{_thumb(item)}" alt="">'
        f'<h2 class="woocommerce-loop-product__title">{esc(item.title)}</h2>'
        f'<span class="price">{_price(item)}</span></a></li>\n'
    )


def _pagination(page: Page, base: str) -> str:
    if page.last <= 1:
        return ""
    parts = pagination(
        page,
        lambda n: archive_url(base, n),
        page_numbers(page.number, page.last),
        back='<a class="prev page-numbers" href="{url}">&laquo; Sebelumnya</a>',
        current='<span aria-current="page" class="page-numbers current">{n}</span>',
        link='<a class="page-numbers" href="{url}">{n}</a>',
        gap='<span class="page-numbers dots">&hellip;</span>',
        forward='<a class="next page-numbers" href="{url}">Berikutnya &raquo;</a>',
    )
    return (
        '<nav class="navigation pagination" role="navigation" aria-label="Pos"><h2 '
        'class="screen-reader-text">Navigasi pos</h2><div class="nav-links">'
        + "\n".join(parts)
        + "</div></nav>\n"
    )


def _rating(item: Listing) -> str:
    if item.rating is None:
        return ""
    value = f"{item.rating:.2f}"
    width = f"{item.rating * 20:g}"
    return (
        '<div class="woocommerce-product-rating"><div class="star-rating" role="img" '
        f'aria-label="Nilai {value} dari 5"><span style="width:{width}%">Nilai <strong '
        f'class="rating">{value}</strong> dari 5 berdasarkan <span class="rating">'
        f'{item.rating_count}</span> rating pelanggan</span></div><a href="#reviews" '
        'class="woocommerce-review-link" rel="nofollow">(<span class="count">'
        f"{item.rating_count}</span> ulasan pelanggan)</a></div>"
    )


def _bundled(item: Listing) -> str:
    if not _is_bundle_product(item):
        return ""
    inner = "".join(
        '<div class="bundled_product bundled_product_summary product"><h4 class="'
        'bundled_product_title product_title"><span class="'
        'bundled_product_title_inner">'
        f"{esc(name)}</span></h4></div>"
        for name in item.components
    )
    heading = "Kelas dalam bundling ini"
    return (
        f'<div class="bundle_form"><h3 class="mba-bundle-heading">{heading}</h3>'
        f"{inner}</div>"
    )


def _payment(item: Listing) -> str:
    methods = "".join(f"<li>{esc(name)}</li>" for _, name in item.payment_methods)
    note = ""
    if item.prakerja_payment is False:
        what = "Bundling kelas" if item.is_bundle else "Kelas ini"
        note = (
            f'<p class="mba-payment-note">{what} tidak dapat dibayar dengan Kartu '
            "Prakerja.</p>"
        )
    return (
        '<div class="mba-payment-methods"><h3>Metode Pembayaran</h3><ul>'
        f"{methods}</ul>{note}</div>"
    )


def _detail(ctx, item: Listing) -> str:
    base, v2 = ctx.base, ctx.variant == "v2"
    url, title, lid = esc(detail_url(base, item)), esc(item.title), esc(item.listing_id)
    sale = item.list_price_idr is not None and item.list_price_idr != item.price_idr
    kind = "bundle" if _is_bundle_product(item) else "simple"
    stock = "instock" if item.available else "outofstock"
    classes = (
        f"product type-product post-{lid} status-publish first {stock} product_cat-"
        f"kartu-prakerja has-post-thumbnail{' sale' if sale else ''} "
        f"product-type-{kind}"
    )
    if item.available:
        action = (
            '<form class="cart" method="post"><button type="submit" '
            'name="add-to-cart" '
            f'value="{lid}" class="single_add_to_cart_button button alt">Beli Kelas'
            "</button></form>"
        )
    else:
        action = '<p class="stock out-of-stock">Kuota kelas habis</p>'
    short = esc(item.description) if item.description else SHORT
    category = esc(item.category or "Lainnya")
    return (
        '<!DOCTYPE html>\n<html lang="id-ID"><head><meta charset="UTF-8"><title>'
        f"{title} &#8211; MauBelajarApa</title>\n"
        f'<link rel="canonical" href="{url}" /><link rel=\'shortlink\' href=\''
        f"{esc(base)}/?p={lid}' /></head>\n"
        '<body class="product-template-default single single-product postid-'
        f'{lid} woocommerce woocommerce-page">\n<main id="main" class="site-main">\n'
        f'<nav class="woocommerce-breadcrumb"><a href="{esc(base)}">Beranda</a>&nbsp;'
        f'&#47;&nbsp;<a href="{esc(base)}/kartuprakerja/">Kartu Prakerja</a>&nbsp;'
        f"&#47;&nbsp;{title}</nav>\n"
        f'<div id="product-{lid}" class="{classes}">\n'
        + ('<span class="onsale">Promo!</span>\n' if sale else "\n")
        + f'<div class="summary entry-summary">\n{_badge(item)}\n'
        f'<h1 class="product_title entry-title">{title}</h1>\n{_rating(item)}\n'
        f'<p class="price">{_price(item)}</p>\n'
        '<div class="woocommerce-product-details__short-description"><p>'
        f"{short}</p></div>\n{_bundled(item)}\n"
        + ("" if v2 else _payment(item) + "\n")
        + f"{action}\n"
        '<div class="product_meta"><span class="sku_wrapper">SKU: <span class="sku">'
        f'MBA-PK-{lid}</span></span> <span class="posted_in">Kategori: <a href="'
        f'{esc(base)}/kategori/kartu-prakerja/" rel="tag">Kartu Prakerja</a>, <a href="'
        f'{esc(base)}/kategori/{_category_slug(item)}/" rel="tag">{category}</a></span>'
        "</div>\n</div>\n"
        '<div class="woocommerce-tabs wc-tabs-wrapper"><div class="woocommerce-Tabs-'
        'panel woocommerce-Tabs-panel--additional_information" id="tab-additional_'
        'information">'
        '\n<table class="woocommerce-product-attributes shop_attributes">\n'
        + _attribute("lembaga-pelatihan", "Lembaga Pelatihan", esc(item.provider))
        + _attribute("metode", "Metode", "Daring (video pembelajaran)")
        + "</table></div></div>\n</div></main></body></html>\n"
    )


def _attribute(key: str, label: str, value: str) -> str:
    return (
        '<tr class="woocommerce-product-attributes-item woocommerce-product-attributes-'
        f'item--attribute_pa_{key}"><th class="woocommerce-product-attributes-item__'
        f'label">{label}</th><td class="woocommerce-product-attributes-item__value"><p>'
        f"{value}</p></td></tr>\n"
    )
