"""Sisnaker (Kemnaker) Kartu Prakerja pages: a Bootstrap table and ``dl`` details.

``Listing.extra`` keys read: none. The ``Jenis`` shown is ``Listing.bundle_label``
(``"Paket"`` for a bundle), ``Tunggal`` when it is None, so the core should give
every sisnaker bundle the label ``"Paket"``. ``Penilaian`` is ``-`` when
``rating_count`` is None.
"""

from __future__ import annotations

import re

from replica.model import Listing, Page, Response
from replica.platforms._pagekit import (
    dotted,
    esc,
    html_response,
    listing_response,
    lookup_error,
    page_url,
    pagination,
    split,
)

SLUG = "sisnaker"
PAGE_SIZE = 10

LISTING_PATHS = ("/pelatihan", "/pelatihan/")
DETAIL_PATH = re.compile(r"^/pelatihan/detail/([A-Z0-9-]+)$")
COLUMNS_V1 = ("No", "Kode", "Nama Pelatihan", "Lembaga Pelatihan", "Jenis", "Harga")
COLUMNS_V1 += ("Status", "Aksi")
COLUMNS_V2 = ("No", "Kode", "Nama Pelatihan", "Lembaga Pelatihan", "Harga", "Status")
COLUMNS_V2 += ("Jenis", "Aksi")
OTP_NOTE = (
    "Pembelian dengan Kartu Prakerja: masukkan nomor Kartu Prakerja dan kode OTP "
    "yang dikirim melalui SMS."
)


def page_kind(path_qs: str) -> str | None:
    path, _ = split(path_qs)
    if path in LISTING_PATHS:
        return "listing"
    if DETAIL_PATH.match(path):
        return "detail"
    return None


def render(path_qs: str, ctx) -> Response | None:
    path, params = split(path_qs)
    if path in LISTING_PATHS:
        return listing_response(ctx, params, PAGE_SIZE, _listing)
    found = DETAIL_PATH.match(path)
    if not found:
        return None
    listing = ctx.lookup(found.group(1))
    if not isinstance(listing, Listing):
        return lookup_error(listing, signature=None)
    return html_response(_detail(ctx, listing))


def price_text(amount: int) -> str:
    return f"Rp. {dotted(amount)},-"


def _jenis(listing: Listing) -> str:
    return "Paket" if listing.bundle_label is not None else "Tunggal"


def _status(listing: Listing) -> str:
    return "Aktif" if listing.available else "Tidak Aktif"


def _rating(listing: Listing) -> str:
    if listing.rating_count is None:
        return "-"
    value = f"{listing.rating or 0:.2f}".rstrip("0")
    value = (value + "0" if value.endswith(".") else value).replace(".", ",")
    return f"{value} ({listing.rating_count} penilaian)"


def _detail_url(ctx, listing: Listing) -> str:
    return f"{ctx.base}/pelatihan/detail/{listing.listing_id}"


def _listing_url(ctx, number: int) -> str:
    return page_url(f"{ctx.base}/pelatihan", number)


def _head(ctx, title: str, compat: bool) -> str:
    meta = '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n' if compat else ""
    return (
        '<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n'
        f"{meta}<title>{title} - Prakerja Kemnaker</title>\n"
        f'<link href="{esc(ctx.base)}/assets/bootstrap/css/bootstrap.min.css" '
        'rel="stylesheet">\n</head>\n<body>\n'
        '<div class="navbar navbar-inverse navbar-static-top"><div class="container">'
        f'<a class="navbar-brand" href="{esc(ctx.base)}/">SISNAKER - Kartu Prakerja</a>'
        '</div></div>\n<div class="container">\n'
    )


# -- listing ---------------------------------------------------------------------


def _listing(ctx, page: Page) -> str:
    v2 = ctx.variant == "v2"
    columns = COLUMNS_V2 if v2 else COLUMNS_V1
    start = (page.number - 1) * page.size
    rows = "".join(
        _row(ctx, start + index + 1, listing, columns)
        for index, listing in enumerate(page.listings)
    )
    if not page.listings:
        rows = (
            f'<tr><td colspan="{len(columns)}" class="text-center">'
            "Tidak ada data pelatihan</td></tr>\n"
        )
    first, last = page.span
    head = "".join(f"<th>{name}</th>" for name in columns)
    table_id = "tbl-pelatihan" if v2 else "tabel-pelatihan"
    return (
        _head(ctx, "Daftar Pelatihan", compat=True)
        + f'<ol class="breadcrumb"><li><a href="{esc(ctx.base)}/">Beranda</a></li>'
        '<li class="active">Daftar Pelatihan</li></ol>\n'
        "<h3>Daftar Pelatihan Program Kartu Prakerja</h3>\n"
        '<form class="form-inline" method="get" action="'
        f'{esc(_listing_url(ctx, 1))}"><input type="text" name="cari" '
        'class="form-control input-sm" placeholder="Nama pelatihan"> '
        '<button class="btn btn-sm btn-primary">Cari</button></form>\n<br>\n'
        '<table class="table table-bordered table-striped table-hover" '
        f'id="{table_id}">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n'
        '</table>\n<div class="row"><div class="col-sm-5"><div class="dataTables_info" '
        f'id="{table_id}_info">Menampilkan {first} sampai {last} dari {page.total} '
        f'data</div></div>\n<div class="col-sm-7">{_pagination(ctx, page)}'
        "</div></div>\n"
        '</div>\n<footer class="text-center"><small>&copy; 2020 Kementerian '
        "Ketenagakerjaan Republik Indonesia</small></footer>\n</body>\n</html>\n"
    )


def _row(ctx, number: int, listing: Listing, columns: tuple[str, ...]) -> str:
    label = "label-success" if listing.available else "label-default"
    cells = {
        "No": f"<td>{number}</td>",
        "Kode": f"<td>{esc(listing.listing_id)}</td>",
        "Nama Pelatihan": f"<td>{esc(listing.title)}</td>",
        "Lembaga Pelatihan": f"<td>{esc(listing.provider or '-')}</td>",
        "Jenis": f"<td>{_jenis(listing)}</td>",
        "Harga": f'<td class="text-right">{price_text(listing.price_idr)}</td>',
        "Status": f'<td><span class="label {label}">{_status(listing)}</span></td>',
        "Aksi": f'<td><a href="{esc(_detail_url(ctx, listing))}" '
        'class="btn btn-xs btn-info">Detail</a></td>',
    }
    return "<tr>" + "".join(cells[name] for name in columns) + "</tr>\n"


def _pagination(ctx, page: Page) -> str:
    items = pagination(
        page,
        lambda n: _listing_url(ctx, n),
        range(max(1, page.number - 4), min(page.last, page.number + 4) + 1),
        back='<li><a href="{url}" rel="prev">&laquo; Sebelumnya</a></li>',
        no_back='<li class="disabled"><span>&laquo; Sebelumnya</span></li>',
        current='<li class="active"><span>{n}</span></li>',
        link='<li><a href="{url}">{n}</a></li>',
        forward='<li><a href="{url}" rel="next">Selanjutnya &raquo;</a></li>',
        no_forward='<li class="disabled"><span>Selanjutnya &raquo;</span></li>',
    )
    return '<ul class="pagination pagination-sm pull-right">' + "".join(items) + "</ul>"


# -- detail ----------------------------------------------------------------------


def _fields(listing: Listing) -> list[tuple[str, str]]:
    """(label, inner HTML) pairs in page order."""
    fields = [
        ("Kode Pelatihan", esc(listing.listing_id)),
        ("Nama Pelatihan", esc(listing.title)),
    ]
    if listing.provider is not None:
        fields.append(("Lembaga Pelatihan", esc(listing.provider)))
    fields.append(("Jenis", _jenis(listing)))
    if listing.category is not None:
        fields.append(("Bidang", esc(listing.category)))
    fields.append(("Harga", price_text(listing.price_idr)))
    original = listing.list_price_idr
    if original is not None and original != listing.price_idr:
        fields.append(("Harga Normal", f"<s>{price_text(original)}</s>"))
    if listing.components:
        names = "".join(f"<li>{esc(name)}</li>" for name in listing.components)
        fields.append(("Daftar Kelas", f"<ol>{names}</ol>"))
    if listing.payment_methods or listing.prakerja_payment is not None:
        methods = ", ".join(esc(name) for _, name in listing.payment_methods)
        fields.append(("Metode Pembayaran", methods))
    fields.append(("Penilaian", _rating(listing)))
    fields.append(("Status", _status(listing)))
    return fields


def _detail(ctx, listing: Listing) -> str:
    if ctx.variant == "v2":
        rows = "".join(
            f"<tr><th>{label}</th><td>{value}</td></tr>\n"
            for label, value in _fields(listing)
        )
        facts = f'<table class="table table-detail">\n{rows}</table>\n'
    else:
        rows = "".join(
            f"<dt>{label}</dt>\n<dd>{value}</dd>\n" for label, value in _fields(listing)
        )
        facts = f'<dl class="dl-horizontal" id="detail-pelatihan">\n{rows}</dl>\n'
    listing_url = esc(_listing_url(ctx, 1))
    return (
        _head(ctx, "Detail Pelatihan", compat=False)
        + f'<ol class="breadcrumb"><li><a href="{esc(ctx.base)}/">Beranda</a></li>'
        f'<li><a href="{listing_url}">Daftar Pelatihan</a></li>'
        '<li class="active">Detail</li></ol>\n<div class="panel panel-default">\n'
        '<div class="panel-heading"><h3 class="panel-title">Detail Pelatihan</h3></div>'
        f'\n<div class="panel-body">\n{facts}'
        f'<p class="text-muted"><small>{OTP_NOTE}</small></p>\n</div></div>\n'
        f'<a href="{listing_url}" class="btn btn-default">&laquo; Kembali</a>\n'
        "</div>\n</body>\n</html>\n"
    )
