"""The maubelajarapa replica pages parse, by the contract selectors, to the samples."""

from __future__ import annotations

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
    walk_pages,
)

SLUG = "maubelajarapa"
EXPECTED = expected(SLUG)
SLUG_RE = re.compile(r"/kelas/([^/]+)/?$")


def parse_archive(body: bytes) -> dict:
    sel = Selector(text=body.decode())
    ids, slugs = [], []
    for post in sel.css('article[id^="post-"]'):
        ids.append(re.sub(r"\D", "", post.attrib["id"]))
        href = post.css("h2.entry-title a.post-title::attr(href)").get()
        slugs.append(SLUG_RE.search(href).group(1))
    count = sel.css("p.woocommerce-result-count").get()
    total = int(re.search(r"dari (\d+) hasil", clean(count)).group(1)) if count else 0
    return {
        "listing_ids": ids,
        "slugs": slugs,
        "total_count": total,
        "has_next": bool(sel.css("nav.pagination a.next.page-numbers")),
        "empty": sel.css("p.woocommerce-info::text").get(),
    }


def amount(node) -> int:
    return parse_idr(clean(node.get()))


def parse_detail(body: bytes, base: str) -> dict | None:
    sel = Selector(text=body.decode())
    product = sel.css('div[id^="product-"]')
    if not product or not sel.css("div.mba-payment-methods"):
        return None
    lid = re.sub(r"\D", "", product.attrib["id"])
    canonical = sel.css("link[rel=canonical]::attr(href)").get()
    ins = sel.css("p.price ins .woocommerce-Price-amount")
    price = ins or sel.css("p.price > .woocommerce-Price-amount")
    original = sel.css("p.price del .woocommerce-Price-amount")
    bundle = "product-type-bundle" in product.attrib["class"].split()
    methods = [clean(m) for m in sel.css("div.mba-payment-methods li").getall()]
    payable = "Kartu Prakerja" in methods
    categories = [clean(a) for a in sel.css("span.posted_in a").getall()]
    rating = sel.css(".woocommerce-product-rating strong.rating::text").get()
    count = sel.css(
        ".woocommerce-product-rating a.woocommerce-review-link span.count::text"
    ).get()
    out_of_stock = bool(sel.css("p.stock.out-of-stock"))
    return html_item(
        SLUG,
        listing_id=lid,
        url=f"{base}/kelas/{SLUG_RE.search(canonical).group(1)}/",
        title=sel.css("h1.product_title").get(),
        provider=sel.css(
            "tr.woocommerce-product-attributes-item--attribute_pa_lembaga-pelatihan td"
        ).get(),
        price_idr=amount(price),
        list_price_idr=amount(original) if original else None,
        bundle_label=clean(sel.css("div.summary span.mba-badge--bundle").get()),
        components=sel.css(
            "div.bundled_product span.bundled_product_title_inner"
        ).getall()
        if bundle
        else [],
        payment_methods=methods,
        prakerja_payment=payable,
        prakerja_evidence=["payment_method:Kartu Prakerja"] if payable else [],
        available=not out_of_stock
        and bool(sel.css("button.single_add_to_cart_button")),
        category=next((c for c in categories if c != "Kartu Prakerja"), None),
        rating=float(rating) if rating else None,
        rating_count=int(count) if count else None,
    )


def get(replica, path: str):
    return fetch(replica.base_urls[SLUG] + path)


def archive(replica, number: int) -> dict:
    path = "/kartuprakerja/" + (f"page/{number}/" if number > 1 else "")
    return parse_archive(get(replica, path)[2])


def archive_pages(replica) -> list[dict]:
    """Every archive page, parsed, from page 1 to the first without a next."""
    return walk_pages(lambda n: archive(replica, n))


@pytest.mark.parametrize("want", EXPECTED["items"], ids=lambda i: i["listing_id"])
def test_sample_detail_parses_to_expected_item(replica, want):
    check_sample_detail(replica, SLUG, want, parse_detail)


def test_archive_page_one_has_the_sample_ids_and_the_totals(replica):
    page, want, _ = check_listing_page_one(
        replica, SLUG, "/kartuprakerja/", parse_archive
    )
    assert math.ceil(page["total_count"] / want["page_size"]) > want["total_pages"]
    assert page["has_next"]


def test_every_page_together_lists_the_visible_catalog_once(replica):
    pages = check_pages_list_the_catalog_once(
        replica, SLUG, lambda n: archive(replica, n)
    )
    assert get(replica, f"/kartuprakerja/page/{len(pages) + 1}/")[0] == 404


def test_relisted_bundle_hides_its_bundle_words_but_lists_its_classes(replica):
    truth = replica.truth()[SLUG]
    relisted = [row for row in truth if "relisted_from" in row]
    assert len(relisted) == 1 and relisted[0]["violation"]
    old, new = relisted[0]["relisted_from"], relisted[0]["listing_id"]
    page = next(page for page in archive_pages(replica) if new in page["listing_ids"])
    url_slug = page["slugs"][page["listing_ids"].index(new)]
    parsed = parse_detail(get(replica, f"/kelas/{url_slug}/")[2], "")
    assert parsed["bundle_keywords"] == [] and parsed["bundle_label"] is None
    assert len(parsed["components"]) >= 2 and parsed["is_bundle"]
    assert parsed["prakerja_payment"] is True and old not in page["listing_ids"]


def test_withdrawn_bundle_answers_410(replica):
    withdrawn = replica.truth("2020-06-30")[SLUG]
    visible = {row["listing_id"] for row in replica.truth()[SLUG]}
    gone = [r for r in withdrawn if r["is_bundle"] and r["listing_id"] not in visible]
    assert gone
    replica.set_clock("2020-06-30")
    slugs = {
        i: s
        for p in archive_pages(replica)
        for i, s in zip(p["listing_ids"], p["slugs"], strict=True)
    }
    url = f"/kelas/{slugs[gone[0]['listing_id']]}/"
    assert get(replica, url)[0] == 200
    replica.set_clock("2020-07-08")
    assert get(replica, url)[0] == 410


def test_before_the_halt_the_compliant_bundle_is_payable_and_in_stock(replica):
    replica.set_clock("2020-06-29")
    path = EXPECTED["items"][2]["url"].removeprefix(EXPECTED["base_url"])
    status, _, body = get(replica, path)
    parsed = parse_detail(body, "")
    assert status == 200 and parsed["available"]
    assert parsed["payment_methods"][0] == "Kartu Prakerja"
    assert b"mba-payment-note" not in body


def test_layout_v2_is_a_theme_switch(replica):
    replica.set_faults(SLUG, [{"kind": "layout", "variant": "v2"}])
    archive = Selector(text=get(replica, "/kartuprakerja/")[2].decode())
    path = EXPECTED["items"][0]["url"].removeprefix(EXPECTED["base_url"])
    detail = get(replica, path)[2]
    assert not archive.css("a.post-title")
    titles = archive.css(
        "li.product a.woocommerce-LoopProduct-link h2.woocommerce-loop-product__title"
    )
    assert len(titles) == 6
    assert parse_detail(detail, "") is None


def test_empty_fault_and_redirects(replica):
    replica.set_faults(SLUG, [{"kind": "empty", "match": "listing"}])
    page = parse_archive(get(replica, "/kartuprakerja/")[2])
    assert page["listing_ids"] == [] and page["total_count"] == 0
    assert page["empty"] == "Tidak ditemukan produk yang sesuai dengan pilihan Anda."
    base = replica.base_urls[SLUG]
    status, headers = fetch_no_redirect(base + "/kartuprakerja/page/1/")
    assert status == 301 and headers["Location"] == base + "/kartuprakerja/"
    status, headers = fetch_no_redirect(base + "/kelas/anything")
    assert status == 301 and headers["Location"] == base + "/kelas/anything/"
    assert get(replica, "/kelas/no-such-class/")[0] == 404
