"""Tokopedia product values as the pages show them, and the product detail page.

``Listing.extra`` keys read: ``partner_slug``, ``sample``, ``payment_note``,
``description`` (see ``replica.platforms.tokopedia``).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from replica.model import Listing
from replica.platforms._pagekit import (
    CHANGE,
    dotted,
    esc,
    page_url,
    sample_text,
    slashed,
    slugify,
)

DETAIL_PREFIX = "/kartu-prakerja/pelatihan/"
PRAKERJA_GROUP = "Program Pemerintah"
PAYMENT_NOTE = "Produk paket tidak dapat dibayar menggunakan Kartu Prakerja."
VOUCHER_TEXT = (
    "Setelah pembayaran berhasil, kode voucher akan dikirim ke email dan dapat "
    "dilihat di halaman Histori Transaksi Top Up dan Tagihan. Tukarkan kode voucher "
    "di situs lembaga pelatihan."
)

# Layout v2 renames every data-testid to a kebab-case "pdp-" / "prakerja-" name.
V2_TESTIDS = {
    "txtPrakerjaTotal": "prakerja-total",
    "divPrakerjaProductList": "prakerja-product-list",
    "divPrakerjaCard": "prakerja-card",
    "spnPrakerjaName": "prakerja-name",
    "spnPrakerjaPrice": "prakerja-price",
    "spnPrakerjaPartner": "prakerja-partner",
    "divPrakerjaEmptyState": "prakerja-empty-state",
    "lnkPDPBreadcrumb": "pdp-breadcrumb",
    "lnkPDPCategory": "pdp-category-link",
    "lblPDPDetailProductName": "pdp-product-name",
    "lblPDPDetailProductRatingNumber": "pdp-rating-number",
    "lblPDPDetailProductRatingCounter": "pdp-rating-counter",
    "lblPDPDetailProductPrice": "pdp-product-price",
    "lblPDPDetailDiscountPercentage": "pdp-discount-percentage",
    "lblPDPDetailOriginalPrice": "pdp-original-price",
    "lblPDPPartnerName": "pdp-partner-name",
    "pdpBundleSection": "pdp-bundle-section",
    "lblPDPBundleLabel": "pdp-bundle-label",
    "pdpBundleItem": "pdp-bundle-item",
    "lblBundleItemName": "pdp-bundle-item-name",
    "lblPDPDescription": "pdp-description",
    "pdpPaymentSection": "pdp-payment-section",
    "paymentGroup": "pdp-payment-group",
    "paymentGroupName": "pdp-payment-group-name",
    "paymentMethodName": "pdp-payment-method-name",
    "lblPaymentNote": "pdp-payment-note",
    "btnSeeAllPayment": "pdp-see-all-payment",
    "btnPDPBuy": "pdp-buy-button",
}


def price_text(amount: int) -> str:
    return "Gratis" if amount == 0 else f"Rp{dotted(amount)}"


def discount(listing: Listing) -> int:
    original = slashed(listing)
    if not original or original < listing.price_idr:
        return 0
    return (100 * (original - listing.price_idr) + original // 2) // original


@lru_cache(maxsize=1)
def _sample_partners() -> dict[str, str]:
    """Product id -> partner slug on the shipped sample listing page."""
    text = sample_text("tokopedia", "listing_p1.html")
    cache = json.loads(re.search(r"window\.__cache=(\{.*\});</script>", text)[1])
    return {
        product["id"]: cache[product["partner"]["id"]]["slug"]
        for key, product in cache.items()
        if key.startswith("PrakerjaProduct:") and product.get("partner")
    }


def partner_slug(listing: Listing) -> str:
    if listing.extra.get("partner_slug"):
        return listing.extra["partner_slug"]
    if listing.extra.get("sample") and listing.listing_id in _sample_partners():
        return _sample_partners()[listing.listing_id]
    return slugify(listing.provider or "")


def tid(name: str, v2: bool) -> str:
    return V2_TESTIDS[name] if v2 else name


def listing_url(ctx, number: int) -> str:
    return page_url(f"{ctx.base}/discovery/kartu-prakerja/", number)


def detail_url(ctx, listing: Listing) -> str:
    return f"{ctx.base}{DETAIL_PREFIX}{listing.listing_id}"


def detail_page(ctx, listing: Listing) -> str:
    v2 = ctx.variant == "v2"

    def t(name: str) -> str:
        return tid(name, v2)

    title = esc(listing.title)
    crumbs = (
        f'<li><a href="{esc(ctx.base)}/">Home</a></li><li><a href="'
        f'{esc(listing_url(ctx, 1))}">Kartu Prakerja</a></li>'
    )
    if listing.category is not None:
        category = esc(listing.category)
        crumbs += (
            f'<li><a href="{esc(listing_url(ctx, 1))}?kategori={category}" '
            f'data-testid="{t("lnkPDPCategory")}">{category}</a></li>'
        )
    price = (
        f'<div class="price" data-testid="{t("lblPDPDetailProductPrice")}">'
        f"{price_text(listing.price_idr)}</div>"
    )
    if slashed(listing):
        price += (
            f'<div class="css-1a2o8lr"><span data-testid="'
            f'{t("lblPDPDetailDiscountPercentage")}">{discount(listing)}%</span>'
            f'<s data-testid="{t("lblPDPDetailOriginalPrice")}">'
            f"{price_text(slashed(listing))}</s></div>"
        )
    partner = ""
    if listing.provider is not None:
        partner = (
            '<div class="css-1ohqm1s">Lembaga pelatihan: <a href="'
            f'{esc(ctx.base)}/kartu-prakerja/partner/{esc(partner_slug(listing))}" '
            f'data-testid="{t("lblPDPPartnerName")}">{esc(listing.provider)}</a></div>\n'
        )
    description = listing.extra.get("description") or listing.description
    return (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8"/>'
        f"<title>{title} | Kartu Prakerja | Tokopedia</title>\n"
        f'<link rel="canonical" href="{esc(detail_url(ctx, listing))}"/>'
        '<meta property="og:type" content="product"/></head>\n'
        '<body><div id="zeus-root"><main class="css-1c82svt" '
        f'data-product-id="{esc(listing.listing_id)}">\n'
        f'<ol data-testid="{t("lnkPDPBreadcrumb")}" class="css-1cd0a4a">{crumbs}</ol>\n'
        '<div class="css-856ghu">'
        f'<h1 data-testid="{t("lblPDPDetailProductName")}" class="css-1320e6c">'
        f"{title}</h1>\n{_rating(listing, t)}{price}\n{partner}{_bundle(listing, t)}\n"
        f'<div data-testid="{t("lblPDPDescription")}" class="css-168ydy0">'
        f"<h2>Deskripsi</h2><p>{esc(description or VOUCHER_TEXT)}</p></div>\n"
        f"{_payment(ctx, listing, t)}{_buy(listing, t)}\n"
        "</div></main></div></body></html>\n"
    )


def _rating(listing: Listing, t) -> str:
    if listing.rating_count is None:
        return ""
    if listing.rating_count == 0 or listing.rating is None:
        inner = f'<span data-testid="{t("lblPDPDetailProductRatingCounter")}">'
        inner += "Belum ada ulasan</span>"
    else:
        inner = (
            f'<span data-testid="{t("lblPDPDetailProductRatingNumber")}">'
            f"{listing.rating}</span> <span data-testid="
            f'"{t("lblPDPDetailProductRatingCounter")}">({listing.rating_count}'
            " ulasan)</span>"
        )
    return f'<div class="css-1k0e0tn">{inner}</div>\n'


def _bundle(listing: Listing, t) -> str:
    if not listing.bundle_label and not listing.components:
        return ""
    label = ""
    if listing.bundle_label:
        label = (
            f'<span data-testid="{t("lblPDPBundleLabel")}" class="css-1eyc7ny">'
            f"{esc(listing.bundle_label)}</span>"
        )
    items = "".join(
        f'<li data-testid="{t("pdpBundleItem")}"><span data-testid='
        f'"{t("lblBundleItemName")}">{esc(name)}</span></li>'
        for name in listing.components
    )
    return (
        f'<div data-testid="{t("pdpBundleSection")}" class="css-1y5a13">{label}\n'
        f'<h2 class="css-1dq1dix">Isi paket ({len(listing.components)} pelatihan)</h2>'
        f'<ol class="css-q9wnub">{items}</ol></div>'
    )


def _groups(listing: Listing) -> list[tuple[str, list[str]]]:
    """Consecutive methods of one group form one block, in page order."""
    groups: list[tuple[str, list[str]]] = []
    for group, name in listing.payment_methods:
        if not group:
            group = PRAKERJA_GROUP if name == "Kartu Prakerja" else "Metode Lainnya"
        if groups and groups[-1][0] == group:
            groups[-1][1].append(name)
        else:
            groups.append((group, [name]))
    return groups


def _payment(ctx, listing: Listing, t) -> str:
    if not listing.payment_methods and listing.prakerja_payment is None:
        return ""
    blocks = "".join(
        f'<div data-testid="{t("paymentGroup")}" class="css-17mz0ob"><h3 data-testid='
        f'"{t("paymentGroupName")}">{esc(group)}</h3><ul>'
        + "".join(
            f'<li data-testid="{t("paymentMethodName")}">{esc(name)}</li>'
            for name in names
        )
        + "</ul></div>"
        for group, names in _groups(listing)
    )
    note = listing.extra.get("payment_note")
    if note is None and listing.is_bundle and listing.prakerja_payment is False:
        note = PAYMENT_NOTE if ctx.as_of >= CHANGE else None
    if note:
        blocks += (
            f'<p data-testid="{t("lblPaymentNote")}" class="css-ie0ejv">{esc(note)}</p>'
        )
    return (
        f'<section id="pdp-payment" data-testid="{t("pdpPaymentSection")}" '
        'class="css-gh76a3"><h2 class="css-1dq1dix">Metode Pembayaran</h2>'
        f'{blocks}<a href="#" class="css-kq5u2f" data-testid="'
        f'{t("btnSeeAllPayment")}">Lihat semua</a></section>\n'
    )


def _buy(listing: Listing, t) -> str:
    if listing.available:
        return (
            f'<button data-testid="{t("btnPDPBuy")}" class="css-1i6hh6q">Beli</button>'
        )
    return (
        f'<button data-testid="{t("btnPDPBuy")}" class="css-1i6hh6q" disabled>'
        "Stok Habis</button>"
    )
