"""The bukalapak replica pages parse, by the contract's selectors, to the samples."""

from __future__ import annotations

import json
import math
import re

import pytest
from parsel import Selector
from replica_parse import (
    check_listing_page_one,
    check_pages_list_the_catalog_once,
    check_sample_detail,
    clean,
    expected,
    fetch,
    fetch_no_redirect,
    html_item,
    parse_idr,
)

SLUG = "bukalapak"
EXPECTED = expected(SLUG)
CARD_HREF = re.compile(r"/([0-9a-z]+)-jual-([a-z0-9-]+)$")


def parse_listing(body: bytes, base: str) -> dict:
    sel = Selector(text=body.decode())
    ids, paths = [], []
    for card in sel.css("div.bl-product-card"):
        href = card.css("p.bl-product-card__description-name a::attr(href)").get()
        found = CARD_HREF.search(href)
        assert found.group(1) == card.attrib["data-product-id"]
        ids.append(found.group(1))
        paths.append(
            f"/p/kartu-prakerja/pelatihan/{found.group(1)}-jual-{found.group(2)}"
        )
    text = sel.css("p.c-prakerja-page__result::text").get()
    total = int(re.search(r"dari (\d+) pelatihan", text).group(1))
    return {
        "listing_ids": ids,
        "paths": paths,
        "total_count": total,
        "total_pages": math.ceil(total / 8),
        "has_next": bool(sel.css("a.bl-pagination__next")),
        "empty": sel.css("p.c-prakerja-page__empty::text").get(),
    }


def parse_detail(body: bytes, base: str) -> dict | None:
    sel = Selector(text=body.decode())
    products = [
        json.loads(s)
        for s in sel.css('script[type="application/ld+json"]::text').getall()
    ]
    ld = next((p for p in products if p.get("@type") == "Product"), None)
    if ld is None:
        return None
    canonical = sel.css("link[rel=canonical]::attr(href)").get()
    lid, slug = CARD_HREF.search(canonical).groups()
    assert (
        lid == ld["sku"] == sel.css("main.c-main-product::attr(data-product-id)").get()
    )
    badge = sel.css(".c-prakerja-badge .c-prakerja-badge__text::text").get()
    methods = [
        clean(m)
        for m in sel.css(
            "ul.c-product-payment-info__methods li.c-product-payment-info__method"
        ).getall()
    ]
    listed = "Kartu Prakerja" in methods
    payable = bool(badge and "Kartu Prakerja" in badge) or listed
    if not payable and not sel.css("div.c-product-payment-info"):
        payable = None
    evidence = ([f"badge:{clean(badge)}"] if badge else []) + (
        ["payment_method:Kartu Prakerja"] if listed else []
    )
    original = sel.css("del.c-product-price__original::text").get()
    rating = ld.get("aggregateRating")
    return html_item(
        SLUG,
        listing_id=ld["sku"],
        url=f"{base}/p/kartu-prakerja/pelatihan/{lid}-jual-{slug}",
        title=ld["name"],
        provider=ld["offers"]["seller"]["name"],
        price_idr=int(ld["offers"]["price"]),
        list_price_idr=parse_idr(original) if original else None,
        bundle_label=clean(sel.css("span.c-product-label--bundle").get()),
        components=sel.css(
            "li.c-bundle-items__item span.c-bundle-items__name"
        ).getall(),
        payment_methods=methods,
        prakerja_payment=payable,
        prakerja_evidence=evidence if payable else [],
        available=ld["offers"]["availability"].endswith("/InStock"),
        category=ld["category"],
        rating=float(rating["ratingValue"]) if rating else None,
        rating_count=int(rating["reviewCount"]) if rating else None,
    )


def get(replica, path: str):
    return fetch(replica.base_urls[SLUG] + path)


def listing(replica, number: int, base: str = "") -> dict:
    suffix = f"?page={number}" if number > 1 else ""
    return parse_listing(get(replica, "/kartu-prakerja" + suffix)[2], base)


@pytest.mark.parametrize("want", EXPECTED["items"], ids=lambda i: i["listing_id"])
def test_sample_detail_parses_to_expected_item(replica, want):
    check_sample_detail(replica, SLUG, want, parse_detail)


def test_listing_page_one_has_the_sample_ids_and_the_totals(replica):
    base = replica.base_urls[SLUG]
    page, want, _ = check_listing_page_one(
        replica, SLUG, "/kartu-prakerja", lambda body: parse_listing(body, base)
    )
    assert page["total_pages"] == math.ceil(page["total_count"] / want["page_size"])
    assert page["has_next"]


def test_every_page_together_lists_the_visible_catalog_once(replica):
    check_pages_list_the_catalog_once(replica, SLUG, lambda n: listing(replica, n))


def test_generated_details_agree_with_the_truth(replica):
    base = replica.base_urls[SLUG]
    truth = {row["listing_id"]: row for row in replica.truth()[SLUG]}
    page = listing(replica, 3, base)
    for path in page["paths"]:
        parsed = parse_detail(get(replica, path)[2], base)
        row = truth[parsed["listing_id"]]
        assert parsed["prakerja_payment"] == row["prakerja_payment"]
        assert parsed["available"] == row["available"]
        if row["is_bundle"]:
            assert parsed["is_bundle"] and parsed["components"]


def test_before_the_halt_the_compliant_bundle_is_payable(replica):
    replica.set_clock("2020-06-29")
    status, _, body = get(
        replica,
        "/p/kartu-prakerja/pelatihan/4g1n7ty-jual-bundling-"
        "kelas-digital-marketing-seo-facebook-ads-copywriting",
    )
    parsed = parse_detail(body, "")
    assert status == 200
    assert parsed["payment_methods"][0] == "Kartu Prakerja"
    assert parsed["prakerja_evidence"][0] == "badge:Bisa bayar pakai Kartu Prakerja"
    assert b"tidak dapat dibayar" not in body


def test_layout_v2_drops_the_contract_selectors(replica):
    replica.set_faults(SLUG, [{"kind": "layout", "variant": "v2", "match": "any"}])
    listing = Selector(text=get(replica, "/kartu-prakerja")[2].decode())
    path = EXPECTED["items"][1]["url"].removeprefix(EXPECTED["base_url"])
    detail = get(replica, path)[2]
    assert not listing.css("div.bl-product-card")
    assert len(listing.css('div.bl-product-card-new[data-testid="product-card"]')) == 8
    assert parse_detail(detail, "") is None
    assert b'"@graph"' in detail and b"prakerja-tag" in detail


def test_empty_fault_shows_the_empty_state(replica):
    replica.set_faults(SLUG, [{"kind": "empty", "match": "listing"}])
    page = listing(replica, 1)
    assert page["listing_ids"] == [] and page["total_count"] == 0
    assert page["empty"] == "Pelatihan tidak ditemukan" and not page["has_next"]


def test_unknown_and_wrong_slug_paths(replica):
    assert get(replica, "/p/kartu-prakerja/pelatihan/zzzzzzz-jual-x")[0] == 404
    assert get(replica, "/kartu-prakerja?page=abc")[0] == 404
    status, headers = fetch_no_redirect(
        replica.base_urls[SLUG] + "/p/kartu-prakerja/pelatihan/4fz9kqa-jual-x"
    )
    assert status == 301 and headers["Location"].endswith(
        "4fz9kqa-jual-belajar-desain-grafis-dengan-canva-untuk-konten-media-sosial"
    )
