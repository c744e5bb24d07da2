"""The tokopedia renderer reproduces the contract samples and its page shapes."""

from __future__ import annotations

import dataclasses
import json
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
from replica.platforms import tokopedia

SLUG = "tokopedia"
BASE = "http://127.0.0.1:8400/tokopedia"
GROUPS = {
    "Kartu Prakerja": "Program Pemerintah",
    "BCA Virtual Account": "Transfer Bank",
    "Mandiri Virtual Account": "Transfer Bank",
    "BNI Virtual Account": "Transfer Bank",
    "OVO": "Dompet Digital",
    "Kartu Kredit/Cicilan 0%": "Kartu Kredit/Debit",
}
DETAIL_FILES = {
    "1188241562": "detail_single.html",
    "1190387725": "detail_bundle_prakerja.html",
    "1190402219": "detail_bundle_nonprakerja.html",
}


def apollo_cache(body: str) -> dict | None:
    for text in Selector(text=body).css("script::text").getall():
        if "window.__cache=" in text:
            found = re.search(r"window\.__cache\s*=\s*(\{.*\})\s*;?\s*$", text, re.S)
            return json.loads(found.group(1))
    return None


def parse_listing(body: str, base: str) -> dict | None:
    """The contract's listing steps 1-4; None on a layout mismatch."""
    cache = apollo_cache(body)
    if cache is None:
        return None
    (key,) = [k for k in cache["ROOT_QUERY"] if k.startswith("prakerjaProductList(")]
    page = cache[cache["ROOT_QUERY"][key]["id"]]
    next_url = None
    if page["hasNext"]:
        next_url = f"{base}/discovery/kartu-prakerja/?page={page['page'] + 1}"
    return {
        "page": page["page"],
        "page_size": page["perPage"],
        "total_count": page["totalData"],
        "total_pages": math.ceil(page["totalData"] / page["perPage"]),
        "next_page_url": next_url,
        "listing_ids": [cache[ref["id"]]["id"] for ref in page["products"]],
    }


def parse_detail(body: str, url: str) -> dict | None:
    """The contract's detail table; None when the v1 selectors are missing."""
    sel = Selector(text=body)
    if not sel.css("h1[data-testid=lblPDPDetailProductName]"):
        return None

    def text(css: str) -> str | None:
        found = sel.css(css)
        return clean(found[0].get()) if found else None

    methods = [
        clean(m)
        for m in sel.css(
            "section[data-testid=pdpPaymentSection] li[data-testid=paymentMethodName]"
        ).getall()
    ]
    prakerja = None
    if sel.css("section[data-testid=pdpPaymentSection]"):
        prakerja = any(
            clean(g.css("h3[data-testid=paymentGroupName]").get())
            == "Program Pemerintah"
            and "Kartu Prakerja"
            in [clean(li) for li in g.css("li[data-testid=paymentMethodName]").getall()]
            for g in sel.css("div[data-testid=paymentGroup]")
        )
    counter = text("span[data-testid=lblPDPDetailProductRatingCounter]")
    count = None
    if counter == "Belum ada ulasan":
        count = 0
    elif counter:
        count = int(re.search(r"\((\d+) ulasan\)", counter).group(1))
    rating = text("span[data-testid=lblPDPDetailProductRatingNumber]")
    original = text("s[data-testid=lblPDPDetailOriginalPrice]")
    buy = sel.css("button[data-testid=btnPDPBuy]")
    return item(
        SLUG,
        sel.css("main::attr(data-product-id)").get(),
        url,
        title=text("h1[data-testid=lblPDPDetailProductName]"),
        provider=text("a[data-testid=lblPDPPartnerName]"),
        price_idr=parse_idr(text("div[data-testid=lblPDPDetailProductPrice]")),
        list_price_idr=parse_idr(original) if original else None,
        bundle_label=text("span[data-testid=lblPDPBundleLabel]"),
        components=[
            clean(c)
            for c in sel.css(
                "div[data-testid=pdpBundleSection] span[data-testid=lblBundleItemName]"
            ).getall()
        ],
        payment_methods=methods,
        prakerja_payment=prakerja,
        prakerja_evidence=["payment_method:Program Pemerintah/Kartu Prakerja"]
        if prakerja
        else [],
        available=bool(buy) and buy.attrib.get("disabled") is None,
        category=text("a[data-testid=lnkPDPCategory]"),
        rating=float(rating) if rating else None,
        rating_count=count,
    )


@pytest.fixture(scope="module")
def listings() -> list[Listing]:
    """The 8 listings of listing_p1.html, detail values from expected.json."""
    cache = apollo_cache(fixture_text(SLUG, "listing_p1.html"))
    items = {i["listing_id"]: i for i in expected(SLUG)["items"]}
    listings = []
    for key, product in cache.items():
        if not key.startswith("PrakerjaProduct:"):
            continue
        partner = cache[product["partner"]["id"]]
        data = items.get(product["id"])
        if data is None:
            labels = product["labelGroups"]
            data = {
                "platform": SLUG,
                "listing_id": product["id"],
                "title": product["name"],
                "provider": partner["name"],
                "price_idr": product["priceInt"],
                "list_price_idr": product["slashedPriceInt"] or None,
                "is_bundle": bool(labels),
                "bundle_label": labels[0]["title"] if labels else None,
                "components": [],
                "payment_methods": ["Kartu Prakerja", "OVO"],
                "prakerja_payment": True,
                "available": product["isAvailable"],
                "category": product["categoryName"],
                "rating": product["rating"] if product["countReview"] else None,
                "rating_count": product["countReview"],
            }
        methods = [(GROUPS[name], name) for name in data["payment_methods"]]
        listings.append(
            listing_from_item(
                data, methods, product["id"], partner_slug=partner["slug"]
            )
        )
    return listings


context = partial(FakeContext, base=BASE, total=83)
get = partial(render_html, tokopedia)


def detail_path(listing_id: str) -> str:
    return f"/kartu-prakerja/pelatihan/{listing_id}"


@pytest.mark.parametrize("data", expected(SLUG)["items"], ids=lambda d: d["listing_id"])
def test_detail_reproduces_the_sample_and_parses_to_its_item(listings, data):
    name = DETAIL_FILES[data["listing_id"]]
    check_rendered_sample(tokopedia, context(listings), data, name, parse_detail)


def test_listing_page_one_gives_the_expected_shape(listings):
    body = get("/discovery/kartu-prakerja/", context(listings))
    assert (
        parse_listing(body, BASE) == expected(SLUG)["listing_pages"]["listing_p1.html"]
    )
    assert body == fixture_text(SLUG, "listing_p1.html")


def test_last_page_has_no_next(listings):
    ctx = context(listings * 3, total=None)  # 24 listings: pages 8, 8, 8
    body = get("/discovery/kartu-prakerja/?page=3", ctx)
    parsed = parse_listing(body, BASE)
    assert parsed["next_page_url"] is None
    assert parsed["total_count"] == 24 and len(parsed["listing_ids"]) == 8
    assert 'rel="next"' not in body and 'rel="prev"' in body
    assert "Menampilkan 17 - 24 dari 24 pelatihan" in body


def test_past_the_last_page_lists_nothing(listings):
    body = get("/discovery/kartu-prakerja/?page=12", context(listings))
    parsed = parse_listing(body, BASE)
    assert parsed["listing_ids"] == [] and parsed["total_count"] == 83


def test_empty_state(listings):
    body = get("/discovery/kartu-prakerja/", context(listings, empty=True))
    parsed = parse_listing(body, BASE)
    assert parsed["listing_ids"] == [] and parsed["total_count"] == 0
    assert parsed["next_page_url"] is None
    sel = Selector(text=body)
    assert not sel.css("div[data-testid=divPrakerjaCard]")
    assert sel.css("[data-testid=divPrakerjaEmptyState]")


def test_layout_v2_lacks_the_v1_selectors(listings):
    ctx = context(listings, variant="v2")
    listing_body = get("/discovery/kartu-prakerja/", ctx)
    assert parse_listing(listing_body, BASE) is None
    assert "window.__APOLLO_STATE__=" in listing_body
    assert not Selector(text=listing_body).css("div[data-testid=divPrakerjaCard]")
    detail_body = get(detail_path("1190387725"), ctx)
    assert parse_detail(detail_body, "x") is None
    sel = Selector(text=detail_body)
    assert sel.css("h1[data-testid=pdp-product-name]::text").get().startswith("Paket")
    assert len(sel.css("div[data-testid=pdp-payment-group]")) == 3
    assert 'data-testid="paymentGroup"' not in detail_body


def test_listing_without_prakerja_is_not_payable(listings):
    plain = dataclasses.replace(
        listings[0],
        payment_methods=(("Transfer Bank", "BCA Virtual Account"),),
        prakerja_payment=False,
    )
    body = get(detail_path(plain.listing_id), context([plain]))
    parsed = parse_detail(body, "x")
    assert parsed["prakerja_payment"] is False and parsed["prakerja_evidence"] == []
    assert parsed["payment_methods"] == ["BCA Virtual Account"]
    assert "lblPaymentNote" not in body  # a single gets no bundle note


def test_kartu_prakerja_outside_program_pemerintah_is_not_payable(listings):
    odd = dataclasses.replace(
        listings[0], payment_methods=(("Lainnya", "Kartu Prakerja"),)
    )
    parsed = parse_detail(get(detail_path(odd.listing_id), context([odd])), "x")
    assert parsed["payment_methods"] == ["Kartu Prakerja"]
    assert parsed["prakerja_payment"] is False


def test_no_payment_section_means_unknown(listings):
    unknown = dataclasses.replace(
        listings[0], payment_methods=(), prakerja_payment=None
    )
    parsed = parse_detail(get(detail_path(unknown.listing_id), context([unknown])), "x")
    assert parsed["prakerja_payment"] is None and parsed["payment_methods"] == []


def test_unavailable_listing(listings):
    sold_out = dataclasses.replace(listings[0], available=False)
    ctx = context([sold_out])
    body = get(detail_path(sold_out.listing_id), ctx)
    assert parse_detail(body, "x")["available"] is False
    assert "Stok Habis" in body
    cache = apollo_cache(get("/discovery/kartu-prakerja/", ctx))
    assert cache[f"PrakerjaProduct:{sold_out.listing_id}"]["isAvailable"] is False


def test_payment_note_follows_the_halt(listings):
    bundle = next(x for x in listings if x.listing_id == "1190402219")
    after = get(detail_path(bundle.listing_id), context(listings))
    assert "Produk paket tidak dapat dibayar" in after
    before = get(detail_path(bundle.listing_id), context(listings, as_of="2020-06-29"))
    assert "lblPaymentNote" not in before


def test_special_characters_round_trip(listings):
    tricky = dataclasses.replace(listings[1], title=TRICKY_TITLE, category="A & B")
    ctx = context([tricky])
    body = get(detail_path(tricky.listing_id), ctx)
    sel = Selector(text=body)
    assert (
        sel.css("h1[data-testid=lblPDPDetailProductName]::text").get() == TRICKY_TITLE
    )
    assert sel.css("a[data-testid=lnkPDPCategory]::text").get() == "A & B"
    listing_body = get("/discovery/kartu-prakerja/", ctx)
    cache = apollo_cache(listing_body)
    assert cache[f"PrakerjaProduct:{tricky.listing_id}"]["name"] == TRICKY_TITLE
    assert "</script>\u2028" not in listing_body
    card = Selector(text=listing_body).css("span[data-testid=spnPrakerjaName]::text")
    assert card.get() == TRICKY_TITLE


def test_gone_and_unknown_details(listings):
    ctx = context(listings, gone={"1190402219": 410})
    response = tokopedia.render(detail_path("1190402219"), ctx)
    assert response.status == 410
    assert tokopedia.render(detail_path("1000000000"), ctx) is None


def test_base_is_used_for_links(listings):
    ctx = context(listings, base="http://127.0.0.1:8408")
    body = get("/discovery/kartu-prakerja/", ctx)
    assert "127.0.0.1:8400" not in body
    assert parse_listing(body, ctx.base)["next_page_url"] == (
        "http://127.0.0.1:8408/discovery/kartu-prakerja/?page=2"
    )


def test_output_is_deterministic(listings):
    first = tokopedia.render("/discovery/kartu-prakerja/?page=1", context(listings))
    second = tokopedia.render("/discovery/kartu-prakerja/?page=1", context(listings))
    assert first == second


@pytest.mark.parametrize(
    ("path_qs", "kind"),
    [
        ("/discovery/kartu-prakerja/", "listing"),
        ("/discovery/kartu-prakerja/?page=4", "listing"),
        ("/kartu-prakerja/pelatihan/1188241562", "detail"),
        ("/kartu-prakerja/pelatihan/abc", None),
        ("/cart", None),
    ],
)
def test_page_kind(path_qs, kind):
    assert tokopedia.page_kind(path_qs) == kind


def test_unknown_paths_and_bad_pages(listings):
    ctx = context(listings)
    assert tokopedia.render("/cart", ctx) is None
    assert tokopedia.render("/discovery/kartu-prakerja/?page=0", ctx) is None


def test_sample_extra_alone_reproduces_the_listing(listings):
    # The core marks sample listings with extra["sample"] only.
    marked = [
        dataclasses.replace(x, extra={"sample": "listing_p1.html"}) for x in listings
    ]
    body = get("/discovery/kartu-prakerja/", context(marked))
    assert body == fixture_text(SLUG, "listing_p1.html")
