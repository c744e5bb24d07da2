"""The sekolahmu renderer reproduces the contract sample and its page shapes."""

from __future__ import annotations

import dataclasses
import re
from functools import partial

import json5
import pytest
from parsel import Selector
from replica_parse import (
    TRICKY_TITLE,
    FakeContext,
    expected,
    fixture_text,
    item,
    listing_from_item,
    render_html,
)

from replica.model import Listing
from replica.platforms import sekolahmu

SLUG = "sekolahmu"
BASE = "http://127.0.0.1:8400/sekolahmu"


def nuxt_state(body: str) -> dict | None:
    """The contract's steps 1-2; None on a layout mismatch (IIFE or missing)."""
    for text in Selector(text=body).css("script::text").getall():
        if text.startswith("window.__NUXT__="):
            found = re.search(r"^window\.__NUXT__=(\{.*\});?\s*$", text, re.S)
            return json5.loads(found.group(1)) if found else None
    return None


def parse_listing(body: str, base: str) -> tuple[dict, list[dict]] | None:
    """The listing_pages shape and the normalized items of one page."""
    state = nuxt_state(body)
    if state is None:
        return None
    prakerja = state["state"]["prakerja"]
    pages = prakerja["pagination"]
    next_url = None
    if pages["page"] < pages["lastPage"]:
        next_url = f"{base}/kartuprakerja/?page={pages['page'] + 1}"
    shape = {
        "page": pages["page"],
        "page_size": pages["perPage"],
        "total_count": pages["total"],
        "total_pages": -(-pages["total"] // pages["perPage"]),
        "next_page_url": next_url,
        "listing_ids": [str(p["id"]) for p in prakerja["programs"]],
    }
    return shape, [_item(program, base) for program in prakerja["programs"]]


def _item(p: dict, base: str) -> dict:
    options = p["paymentOptions"]
    prakerja = None
    if options is not None:
        prakerja = any(
            o["code"] == "PRAKERJA" and o["enabled"] is True for o in options
        )
    bundle = p["type"] == "bundle"
    return item(
        SLUG,
        str(p["id"]),
        f"{base}/program/{p['slug']}",
        title=p["name"],
        provider=p["provider"]["name"],
        price_idr=p["price"],
        list_price_idr=p["normalPrice"] if p["normalPrice"] > p["price"] else None,
        bundle_label="bundle" if bundle else None,
        components=[c["title"] for c in p["courses"]] if bundle else [],
        payment_methods=[o["label"] for o in options if o["enabled"]]
        if options
        else [],
        prakerja_payment=prakerja,
        prakerja_evidence=["payment_flag:PRAKERJA=enabled"] if prakerja else [],
        available=p["isActive"],
        category=p["category"]["name"],
        rating=float(p["rating"]),
        rating_count=p["reviewCount"],
    )


@pytest.fixture(scope="module")
def listings() -> list[Listing]:
    """The 8 programs of listing_p1.html, with the ids the sample shows."""
    state = nuxt_state(fixture_text(SLUG, "listing_p1.html"))
    programs = {str(p["id"]): p for p in state["state"]["prakerja"]["programs"]}
    listings = []
    for data in expected(SLUG)["items"]:
        program = programs[data["listing_id"]]
        methods = [("", name) for name in data["payment_methods"]]
        listings.append(
            listing_from_item(
                data,
                methods,
                program["slug"],
                provider_id=program["provider"]["id"],
                course_ids=[c["id"] for c in program["courses"]],
            )
        )
    return listings


context = partial(FakeContext, base=BASE, total=52)
get = partial(render_html, sekolahmu)


def test_listing_parses_to_expected_items(listings):
    shape, items = parse_listing(get("/kartuprakerja/", context(listings)), BASE)
    assert shape == expected(SLUG)["listing_pages"]["listing_p1.html"]
    assert items == expected(SLUG)["items"]


def test_listing_reproduces_the_sample(listings):
    body = get("/kartuprakerja/", context(listings))
    assert body == fixture_text(SLUG, "listing_p1.html")


def test_last_page_has_no_next(listings):
    ctx = context(listings * 2 + listings[:3], total=None)  # 19: pages 8, 8, 3
    body = get("/kartuprakerja/?page=3", ctx)
    shape, items = parse_listing(body, BASE)
    assert shape["next_page_url"] is None and shape["total_pages"] == 3
    assert shape["listing_ids"] == ["1043", "1071", "1078"]
    assert 'rel="next"' not in body and 'rel="prev"' in body


def test_empty_state(listings):
    body = get("/kartuprakerja/", context(listings, empty=True))
    shape, items = parse_listing(body, BASE)
    assert items == [] and shape["total_count"] == 0 and shape["next_page_url"] is None
    assert not Selector(text=body).css("div.program-card")
    assert "0 program pelatihan" in body


def test_layout_v2_is_an_iife(listings):
    body = get("/kartuprakerja/", context(listings, variant="v2"))
    assert parse_listing(body, BASE) is None
    script = Selector(text=body).xpath("//script[contains(., '__NUXT__')]/text()").get()
    assert script.startswith("window.__NUXT__=(function(a,b,c,d){return {layout:")
    assert script.endswith('}(false,null,"Kartu Prakerja",true));')
    assert "label:c,enabled:d" in script


def test_listing_without_prakerja_is_not_payable(listings):
    plain = dataclasses.replace(
        listings[0], payment_methods=(("", "OVO"),), prakerja_payment=False
    )
    _, (parsed,) = parse_listing(get("/kartuprakerja/", context([plain])), BASE)
    assert parsed["prakerja_payment"] is False and parsed["payment_methods"] == ["OVO"]
    absent = dataclasses.replace(plain, extra={"prakerja_option": "absent"})
    body = get("/kartuprakerja/", context([absent]))
    assert "PRAKERJA" not in body
    assert parse_listing(body, BASE)[1][0]["prakerja_payment"] is False


def test_unavailable_listing(listings):
    inactive = dataclasses.replace(listings[0], available=False)
    _, (parsed,) = parse_listing(get("/kartuprakerja/", context([inactive])), BASE)
    assert parsed["available"] is False


def test_special_characters_round_trip(listings):
    tricky = dataclasses.replace(listings[1], title=TRICKY_TITLE, provider="A / B")
    body = get("/kartuprakerja/", context([tricky]))
    _, (parsed,) = parse_listing(body, BASE)
    assert parsed["provider"] == "A / B"
    state = nuxt_state(body)
    assert state["state"]["prakerja"]["programs"][0]["name"] == TRICKY_TITLE
    script = Selector(text=body).xpath("//script[contains(., '__NUXT__')]/text()").get()
    assert '\\u003Cb\\u003EKelas & \\"Tes\\"\\u003C\\u002Fb\\u003E' in script
    assert "\u2028" not in script
    title = Selector(text=body).css("h3.program-card__title::text").get()
    assert title == TRICKY_TITLE


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "Gratis"),
        (450000, "Rp450.000"),
        (1000000, "Rp1 jt"),
        (1250000, "Rp1,2 jt"),
        (1500000, "Rp1,5 jt"),
    ],
)
def test_short_price(amount, text):
    assert sekolahmu.short_price(amount) == text


def test_base_is_used_for_links(listings):
    ctx = context(listings, base="http://127.0.0.1:8405")
    body = get("/kartuprakerja/", ctx)
    assert "127.0.0.1:8400" not in body
    assert parse_listing(body, ctx.base)[1][0]["url"].startswith(
        "http://127.0.0.1:8405/"
    )


def test_output_is_deterministic(listings):
    assert get("/kartuprakerja/", context(listings)) == get(
        "/kartuprakerja/", context(listings)
    )


def test_paths(listings):
    assert sekolahmu.page_kind("/kartuprakerja/?page=2") == "listing"
    assert sekolahmu.page_kind("/program/x") is None
    assert sekolahmu.render("/program/x", context(listings)) is None
    assert sekolahmu.render("/kartuprakerja/?page=x", context(listings)) is None


def test_sample_extra_alone_reproduces_the_listing(listings):
    # The core marks sample listings with extra["sample"] only.
    marked = [
        dataclasses.replace(x, extra={"sample": "listing_p1.html"}) for x in listings
    ]
    body = get("/kartuprakerja/", context(marked))
    assert body == fixture_text(SLUG, "listing_p1.html")


def test_generated_ids_cover_every_component(listings):
    extra = {"course_ids": [1]}
    bundle = dataclasses.replace(listings[1], extra=extra)  # 3 components, 1 id
    courses = nuxt_state(get("/kartuprakerja/", context([bundle])))["state"]["prakerja"]
    assert [c["title"] for c in courses["programs"][0]["courses"]] == list(
        bundle.components
    )
