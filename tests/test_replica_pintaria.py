"""The pintaria replica pages parse, by the contract selectors, to the samples."""

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
    html_item,
    parse_idr,
)

SLUG = "pintaria"
EXPECTED = expected(SLUG)
HREF = re.compile(r"/kursus/(\d+)-([a-z0-9-]+)$")


def parse_listing(body: bytes) -> dict:
    sel = Selector(text=body.decode())
    ids, paths = [], []
    for card in sel.css("div.course-card"):
        lid, slug = HREF.search(
            card.css("a.course-card__link::attr(href)").get()
        ).groups()
        assert lid == card.attrib["data-course-id"]
        ids.append(lid)
        paths.append(f"/kartuprakerja/kursus/{lid}-{slug}")
    return {
        "listing_ids": ids,
        "paths": paths,
        "total_count": int(sel.css("p.prakerja-listing__count strong::text").get()),
        "has_next": bool(sel.css("ul.pagination li.next a")),
        "empty": sel.css("p.prakerja-listing__empty::text").get(),
    }


def parse_detail(body: bytes, base: str) -> dict | None:
    sel = Selector(text=body.decode())
    if not sel.css("div#payment-options") or not sel.css(
        "span.course-detail__price--final"
    ):
        return None
    lid = sel.css("div.course-detail::attr(data-course-id)").get()
    slug = HREF.search(sel.css("link[rel=canonical]::attr(href)").get()).group(2)
    methods = [
        clean(m)
        for m in sel.css(
            "div#payment-options li.payment-options__item span.payment-options__name"
        ).getall()
    ]
    payable = "Kartu Prakerja" in methods
    original = sel.css("del.course-detail__price--original::text").get()
    rating = sel.css("span.course-detail__rating-value::text").get()
    count = clean(sel.css("span.course-detail__rating-count").get())
    found = re.search(r"\((\d+) ulasan\)", count or "")
    return html_item(
        SLUG,
        listing_id=lid,
        url=f"{base}/kartuprakerja/kursus/{lid}-{slug}",
        title=sel.css("h1.course-detail__title").get(),
        provider=sel.css("div.course-detail__provider a").get(),
        price_idr=parse_idr(sel.css("span.course-detail__price--final::text").get()),
        list_price_idr=parse_idr(original) if original else None,
        bundle_label=clean(sel.css("div.course-detail > span.badge-paket").get()),
        components=sel.css(
            "ol.package-contents__list li.package-contents__item "
            "span.package-contents__title"
        ).getall(),
        payment_methods=methods,
        prakerja_payment=payable,
        prakerja_evidence=["payment_method:Kartu Prakerja"] if payable else [],
        available=bool(sel.css("a.btn-beli")),
        category=sel.css("div.course-detail__category a").get(),
        rating=float(rating) if rating else None,
        rating_count=int(found.group(1)) if found else 0,
    )


def get(replica, path: str):
    return fetch(replica.base_urls[SLUG] + path)


def listing(replica, number: int) -> dict:
    return parse_listing(get(replica, f"/kartuprakerja?page={number}")[2])


@pytest.mark.parametrize("want", EXPECTED["items"], ids=lambda i: i["listing_id"])
def test_sample_detail_parses_to_expected_item(replica, want):
    check_sample_detail(replica, SLUG, want, parse_detail)


def test_listing_page_one_has_the_sample_ids_and_the_totals(replica):
    page, want, body = check_listing_page_one(
        replica, SLUG, "/kartuprakerja", parse_listing
    )
    assert page["has_next"] and math.ceil(page["total_count"] / 6) > want["total_pages"]
    cards = Selector(text=body.decode()).css("del.course-card__price--original::text")
    assert cards.getall()[:2] == ["Rp1,15 jt", "Rp1,2 jt"]


def test_every_page_together_lists_the_visible_catalog_once(replica):
    check_pages_list_the_catalog_once(replica, SLUG, lambda n: listing(replica, n))


def test_generated_details_agree_with_the_truth(replica):
    truth = {row["listing_id"]: row for row in replica.truth()[SLUG]}
    for path in listing(replica, 5)["paths"]:
        parsed = parse_detail(get(replica, path)[2], "")
        row = truth[parsed["listing_id"]]
        assert parsed["prakerja_payment"] == row["prakerja_payment"]
        assert parsed["available"] == row["available"]
        assert parsed["is_bundle"] == row["is_bundle"] or parsed["bundle_keywords"]


def test_withdrawn_bundles_answer_410(replica):
    before = {r["listing_id"] for r in replica.truth("2020-06-30")[SLUG]}
    after = {r["listing_id"] for r in replica.truth()[SLUG]}
    gone = sorted(before - after)[0]
    replica.set_clock("2020-06-30")
    path = next(
        p
        for n in range(1, 60)
        for p in listing(replica, n)["paths"]
        if p.split("/")[-1].startswith(gone + "-")
    )
    assert get(replica, path)[0] == 200
    replica.set_clock("2020-07-08")
    assert get(replica, path)[0] == 410


def test_before_the_halt_the_compliant_bundle_takes_kartu_prakerja(replica):
    replica.set_clock("2020-06-29")
    body = get(replica, EXPECTED["items"][2]["url"].removeprefix(EXPECTED["base_url"]))[
        2
    ]
    parsed = parse_detail(body, "")
    assert parsed["payment_methods"][0] == "Kartu Prakerja"
    assert b"payment-options__note" not in body


@pytest.mark.parametrize("how", ["fault", "clock"])
def test_layout_v2_by_fault_or_from_2020_07_15(replica, how):
    if how == "fault":
        replica.set_faults(SLUG, [{"kind": "layout", "variant": "v2"}])
    else:
        replica.set_clock("2020-07-15")
    listing = Selector(text=get(replica, "/kartuprakerja")[2].decode())
    path = EXPECTED["items"][1]["url"].removeprefix(EXPECTED["base_url"])
    detail = Selector(text=get(replica, path)[2].decode())
    assert not listing.css("div.course-card") and len(listing.css("div.pt-card")) == 6
    assert not detail.css("div#payment-options")
    assert detail.css("div[itemprop=offers] meta[itemprop=price]::attr(content)").get()
    options = detail.css("button.pt-link::attr(data-src)").get()
    status, _, body = fetch(options)
    assert status == 200 and json.loads(body)["options"][0] == "Kartu Prakerja"


def test_empty_fault_shows_the_empty_state(replica):
    replica.set_faults(SLUG, [{"kind": "empty", "match": "listing"}])
    page = parse_listing(get(replica, "/kartuprakerja")[2])
    assert page["listing_ids"] == [] and page["total_count"] == 0
    assert page["empty"] == "Pelatihan tidak ditemukan"
