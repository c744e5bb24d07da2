"""The sisnaker renderer reproduces the contract samples and its page shapes."""

from __future__ import annotations

import dataclasses
import math
import re
from functools import partial

import pytest
from parsel import Selector
from replica_parse import (
    TRICKY_TITLE,
    FakeContext,
    check_rendered_sample,
    clean,
    expected,
    fixture_text,
    item,
    listing_from_item,
    parse_idr,
    render_html,
)

from replica.model import Listing
from replica.platforms import sisnaker

SLUG = "sisnaker"
BASE = "http://127.0.0.1:8400/sisnaker"
DETAIL_FILES = {
    "PK-2020-00117": "detail_single.html",
    "PK-2020-00142": "detail_bundle_prakerja.html",
    "PK-2020-00156": "detail_bundle_nonprakerja.html",
}


def table_rows(body: str) -> list[dict[str, str]] | None:
    """Rows of table#tabel-pelatihan as {header: cell text}; None when absent."""
    table = Selector(text=body).css("table#tabel-pelatihan")
    if not table:
        return None
    headers = [clean(th) for th in table.css("thead th").getall()]
    rows = []
    for tr in table.css("tbody > tr"):
        cells = tr.css("td")
        if len(cells) != len(headers):
            continue  # the empty-state row
        row = {h: clean(td.get()) for h, td in zip(headers, cells, strict=True)}
        row["href"] = tr.css('td a[href*="/pelatihan/detail/"]::attr(href)').get()
        rows.append(row)
    return rows


def parse_listing(body: str, base: str, page: int) -> dict | None:
    rows = table_rows(body)
    if rows is None:
        return None
    sel = Selector(text=body)
    total = int(re.search(r"dari (\d+) data", sel.css("div.dataTables_info").get())[1])
    for row in rows:
        kode = re.search(r"/pelatihan/detail/([A-Z0-9-]+)$", row["href"]).group(1)
        assert kode == row["Kode"]
    has_next = bool(sel.css("ul.pagination a[rel=next]"))
    return {
        "page": page,
        "page_size": sisnaker.PAGE_SIZE,
        "total_count": total,
        "total_pages": math.ceil(total / sisnaker.PAGE_SIZE),
        "next_page_url": f"{base}/pelatihan?page={page + 1}" if has_next else None,
        "listing_ids": [row["Kode"] for row in rows],
    }


def parse_detail(body: str, url: str) -> dict | None:
    facts = Selector(text=body).css("dl#detail-pelatihan")
    if not facts:
        return None
    dd = {
        clean(dt.get()): dt.xpath("following-sibling::dd[1]") for dt in facts.css("dt")
    }

    def text(key: str) -> str | None:
        return clean(dd[key].get()) if key in dd else None

    methods = None
    if "Metode Pembayaran" in dd:
        methods = [m.strip() for m in text("Metode Pembayaran").split(",") if m.strip()]
    rating = count = None
    found = re.match(r"^(\d+,\d+) \((\d+) penilaian\)$", text("Penilaian") or "")
    if found:
        rating, count = float(found[1].replace(",", ".")), int(found[2])
    prakerja = None if methods is None else "Kartu Prakerja" in methods
    original = text("Harga Normal")
    return item(
        SLUG,
        text("Kode Pelatihan"),
        url,
        title=text("Nama Pelatihan"),
        provider=text("Lembaga Pelatihan"),
        price_idr=parse_idr(text("Harga")),
        list_price_idr=parse_idr(original) if original else None,
        bundle_label="Paket" if text("Jenis") == "Paket" else None,
        components=[clean(li) for li in dd["Daftar Kelas"].css("ol > li").getall()]
        if "Daftar Kelas" in dd
        else [],
        payment_methods=methods or [],
        prakerja_payment=prakerja,
        prakerja_evidence=["payment_method:Kartu Prakerja"] if prakerja else [],
        available=text("Status") == "Aktif",
        category=text("Bidang"),
        rating=rating,
        rating_count=count,
    )


@pytest.fixture(scope="module")
def listings() -> list[Listing]:
    """The 10 rows of listing_p1.html, detail values from expected.json."""
    items = {i["listing_id"]: i for i in expected(SLUG)["items"]}
    listings = []
    for row in table_rows(fixture_text(SLUG, "listing_p1.html")):
        data = items.get(row["Kode"]) or {
            "platform": SLUG,
            "listing_id": row["Kode"],
            "title": row["Nama Pelatihan"],
            "provider": row["Lembaga Pelatihan"],
            "price_idr": parse_idr(row["Harga"]),
            "list_price_idr": None,
            "is_bundle": row["Jenis"] == "Paket",
            "bundle_label": "Paket" if row["Jenis"] == "Paket" else None,
            "components": [],
            "payment_methods": ["Kartu Prakerja"],
            "prakerja_payment": True,
            "available": row["Status"] == "Aktif",
            "category": "Umum",
            "rating": None,
            "rating_count": None,
        }
        methods = [("", name) for name in data["payment_methods"]]
        listings.append(listing_from_item(data, methods, data["listing_id"]))
    return listings


context = partial(FakeContext, base=BASE, total=38)
get = partial(render_html, sisnaker)


def detail_path(kode: str) -> str:
    return f"/pelatihan/detail/{kode}"


@pytest.mark.parametrize("data", expected(SLUG)["items"], ids=lambda d: d["listing_id"])
def test_detail_reproduces_the_sample_and_parses_to_its_item(listings, data):
    name = DETAIL_FILES[data["listing_id"]]
    check_rendered_sample(sisnaker, context(listings), data, name, parse_detail)


def test_listing_page_one_gives_the_expected_shape(listings):
    body = get("/pelatihan", context(listings))
    shape = expected(SLUG)["listing_pages"]["listing_p1.html"]
    assert parse_listing(body, BASE, 1) == shape
    assert body == fixture_text(SLUG, "listing_p1.html")


def test_last_page_has_no_next(listings):
    ctx = context(listings * 3, total=None)  # 30 rows: pages 10, 10, 10
    body = get("/pelatihan?page=3", ctx)
    parsed = parse_listing(body, BASE, 3)
    assert parsed["next_page_url"] is None and len(parsed["listing_ids"]) == 10
    assert "Menampilkan 21 sampai 30 dari 30 data" in body
    assert table_rows(body)[0]["No"] == "21"


def test_empty_state(listings):
    body = get("/pelatihan", context(listings, empty=True))
    parsed = parse_listing(body, BASE, 1)
    assert parsed["listing_ids"] == [] and parsed["total_count"] == 0
    assert parsed["next_page_url"] is None
    assert Selector(text=body).css("tbody tr td[colspan]::text").get() == (
        "Tidak ada data pelatihan"
    )
    assert "Menampilkan 0 sampai 0 dari 0 data" in body


def test_layout_v2_lacks_the_v1_selectors(listings):
    ctx = context(listings, variant="v2")
    body = get("/pelatihan", ctx)
    assert parse_listing(body, BASE, 1) is None
    headers = Selector(text=body).css("table#tbl-pelatihan thead th::text").getall()
    assert headers[-2:] == ["Jenis", "Aksi"]
    detail = get(detail_path("PK-2020-00142"), ctx)
    assert parse_detail(detail, "x") is None
    cells = Selector(text=detail).css("table.table-detail tr > th + td::text").getall()
    assert "PK-2020-00142" in cells


def test_listing_without_prakerja_is_not_payable(listings):
    plain = dataclasses.replace(
        listings[0],
        payment_methods=(("", "Transfer Bank BNI"),),
        prakerja_payment=False,
    )
    parsed = parse_detail(get(detail_path(plain.listing_id), context([plain])), "x")
    assert parsed["prakerja_payment"] is False and parsed["prakerja_evidence"] == []
    assert parsed["payment_methods"] == ["Transfer Bank BNI"]


def test_unknown_payment_omits_the_field(listings):
    unknown = dataclasses.replace(
        listings[0], payment_methods=(), prakerja_payment=None
    )
    body = get(detail_path(unknown.listing_id), context([unknown]))
    assert "Metode Pembayaran" not in body
    assert parse_detail(body, "x")["prakerja_payment"] is None


def test_unavailable_listing(listings):
    inactive = dataclasses.replace(listings[1], available=False)
    ctx = context([inactive])
    assert (
        parse_detail(get(detail_path(inactive.listing_id), ctx), "x")["available"]
        is False
    )
    assert table_rows(get("/pelatihan", ctx))[0]["Status"] == "Tidak Aktif"


def test_special_characters_round_trip(listings):
    tricky = dataclasses.replace(listings[1], title=TRICKY_TITLE, provider="A & B")
    ctx = context([tricky])
    body = get(detail_path(tricky.listing_id), ctx)
    dd = Selector(text=body).xpath("//dt[.='Nama Pelatihan']/following-sibling::dd[1]")
    assert dd.xpath("string()").get() == TRICKY_TITLE
    row = table_rows(get("/pelatihan", ctx))[0]
    assert row["Lembaga Pelatihan"] == "A & B"
    cell = Selector(text=get("/pelatihan", ctx)).css("tbody td:nth-child(3)")
    assert cell.xpath("string()").get() == TRICKY_TITLE


def test_rating_formats(listings):
    listing = listings[0]
    ratings = [(4.0, 3, "4,0 (3 penilaian)"), (4.75, 8, "4,75 (8 penilaian)")]
    ratings.append((None, 0, "0,0 (0 penilaian)"))
    for rating, count, text in ratings:
        changed = dataclasses.replace(listing, rating=rating, rating_count=count)
        assert sisnaker._rating(changed) == text


def test_gone_and_unknown_details(listings):
    ctx = context(listings, gone={"PK-2020-00156": 404})
    assert sisnaker.render(detail_path("PK-2020-00156"), ctx).status == 404
    assert sisnaker.render(detail_path("PK-2020-99999"), ctx) is None


def test_base_is_used_for_links(listings):
    ctx = context(listings, base="http://127.0.0.1:8406")
    body = get("/pelatihan", ctx)
    assert "127.0.0.1:8400" not in body
    assert parse_listing(body, ctx.base, 1)["next_page_url"] == (
        "http://127.0.0.1:8406/pelatihan?page=2"
    )


@pytest.mark.parametrize(
    ("path_qs", "kind"),
    [
        ("/pelatihan", "listing"),
        ("/pelatihan?page=2", "listing"),
        ("/pelatihan/detail/PK-2020-00117", "detail"),
        ("/admin/", None),
    ],
)
def test_page_kind(path_qs, kind):
    assert sisnaker.page_kind(path_qs) == kind
