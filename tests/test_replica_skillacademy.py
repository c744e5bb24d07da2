"""The skillacademy renderer serves the real search API shape and sample items."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from functools import partial

import pytest
from replica_parse import (
    TRICKY_TITLE,
    FakeContext,
    expected,
    fixture_text,
    item,
    listing_from_item,
)

from replica.model import Listing
from replica.platforms import skillacademy

SLUG = "skillacademy"
BASE = "http://127.0.0.1:8400/skillacademy"
SEARCH = "/api/skillacademy/discovery/search?searchQuery=prakerja&page={}&pageSize={}"
COMPONENTS = re.compile(r"(?i)terdiri dari beberapa course,?\s*yaitu\s*:")


def components(description: str) -> list[str]:
    """The contract's component algorithm on courseDescription."""
    found = COMPONENTS.search(description)
    if not found:
        return []
    names: list[str] = []
    for segment in re.split(r"(?i)<br\s*/?>", description[found.end() :]):
        text = html.unescape(re.sub(r"<[^>]*>", "", segment)).strip()
        if not text and not names:
            continue
        match = re.match(r"^([a-z])\s*\)\s*(.+)$", text)
        if not match:
            break
        name = match.group(2).strip()
        names.append((name[:-1] if name.endswith(".") else name).strip())
    return names


def normalize(raw: dict, base: str) -> dict:
    tags = raw["tags"]
    categories = raw.get("categories") or []
    category = None
    if categories:
        first = categories[0]
        category = first["name"] if isinstance(first, dict) else first
    return item(
        SLUG,
        raw["courseSerial"],
        f"{base}/course/{raw['slug']}",
        title=raw["courseName"],
        provider=raw["instructors"][0]["name"] if raw["instructors"] else None,
        price_idr=raw["price"],
        list_price_idr=raw["basePrice"] if raw["basePrice"] != raw["price"] else None,
        bundle_label=None,
        components=components(raw["courseDescription"]),
        payment_methods=[],
        prakerja_payment="TAG-PRAKERJA" in tags,
        prakerja_evidence=["tag:TAG-PRAKERJA"] if "TAG-PRAKERJA" in tags else [],
        available=raw["transactional"] == "TRANSACTIONABLE_YES",
        category=category,
        rating=float(raw["rating"]),
        rating_count=raw["totalRating"],
    )


def parse_search(body: bytes, base: str) -> tuple[dict, list[dict]] | None:
    """The listing_pages shape and the items; None on a layout mismatch."""
    envelope = json.loads(body)
    data = envelope.get("data") or {}
    if envelope.get("status") != "success" or "data" not in data:
        return None
    if any("tags" not in raw for raw in data["data"]):
        return None
    next_url = None
    if data["page"] < data["totalPage"]:
        next_url = base + SEARCH.format(data["page"] + 1, data["pageSize"])
    shape = {
        "request": base + SEARCH.format(data["page"], data["pageSize"]),
        "page": data["page"],
        "page_size": data["pageSize"],
        "total_count": data["totalCourse"],
        "total_pages": data["totalPage"],
        "next_page_url": next_url,
        "listing_ids": [raw["courseSerial"] for raw in data["data"]],
    }
    return shape, [normalize(raw, base) for raw in data["data"]]


def sample_items() -> list[dict]:
    return json.loads(fixture_text(SLUG, "search_prakerja_p1.json"))["data"]["data"]


@pytest.fixture(scope="module")
def listings() -> list[Listing]:
    """The 6 sample items as Listings carrying the verbatim item in extra."""
    listings = []
    for data, raw in zip(expected(SLUG)["items"], sample_items(), strict=True):
        listing = listing_from_item(data, [], raw["slug"], item=raw)
        listings.append(
            dataclasses.replace(
                listing,
                created_at=raw["createdAt"][:10],
                updated_at=raw["updatedAt"][:10],
            )
        )
    return listings


context = partial(FakeContext, base=BASE, total=27)


def search(ctx, page: int = 1, size: int = 6, path: str = SEARCH):
    response = skillacademy.render(path.format(page, size), ctx)
    assert response.status == 200
    return response


def test_page_one_parses_to_expected(listings):
    response = search(context(listings))
    shape, items = parse_search(response.body, BASE)
    assert shape == expected(SLUG)["listing_pages"]["search_prakerja_p1.json"]
    assert items == expected(SLUG)["items"]


def test_page_one_reproduces_the_sample_json(listings):
    served = json.loads(search(context(listings)).body)
    assert served == json.loads(fixture_text(SLUG, "search_prakerja_p1.json"))
    served_keys = [list(raw) for raw in served["data"]["data"]]
    assert served_keys == [list(raw) for raw in sample_items()]  # "topics" stays absent


def test_real_response_headers(listings):
    response = search(context(listings))
    assert response.content_type == "application/json"
    assert ("grpc-metadata-content-type", "application/grpc") in response.headers
    assert ("server", "cloudflare") in response.headers


def test_alias_path_serves_the_same(listings):
    alias = "/skillacademy/discovery/search?searchQuery=prakerja&page={}&pageSize={}"
    assert skillacademy.page_kind(alias) == "api"
    assert search(context(listings), path=alias).body == search(context(listings)).body


@pytest.mark.parametrize("size", [1, 20, 50])
def test_page_size_is_honoured(listings, size):
    shape, _ = parse_search(search(context(listings), 1, size).body, BASE)
    assert shape["page_size"] == size
    assert len(shape["listing_ids"]) == min(size, 6)
    assert shape["total_pages"] == -(-27 // size)


@pytest.mark.parametrize("query", ["pageSize=0", "pageSize=51", "page=0", "page=x"])
def test_bad_paging_is_rejected(listings, query):
    path = f"/api/skillacademy/discovery/search?searchQuery=prakerja&{query}"
    response = skillacademy.render(path, context(listings))
    assert response.status == 400
    assert json.loads(response.body)["code"] == 3


def test_past_the_last_page(listings):
    shape, items = parse_search(search(context(listings), 6, 6).body, BASE)
    assert items == [] and shape["total_count"] == 27 and shape["total_pages"] == 5
    assert shape["next_page_url"] is None


def test_last_page(listings):
    shape, items = parse_search(
        search(context(listings * 2, total=None), 3, 5).body, BASE
    )
    assert len(items) == 2 and shape["next_page_url"] is None


def test_empty_state(listings):
    shape, items = parse_search(search(context(listings, empty=True)).body, BASE)
    assert items == [] and shape["total_count"] == 0 and shape["next_page_url"] is None


def test_other_search_queries_find_nothing(listings):
    path = "/api/skillacademy/discovery/search?searchQuery=kopi&page={}&pageSize={}"
    shape, items = parse_search(search(context(listings), path=path).body, BASE)
    assert items == [] and shape["total_count"] == 0


def test_layout_v2_has_another_envelope(listings):
    body = json.loads(search(context(listings, variant="v2")).body)
    assert parse_search(json.dumps(body).encode(), BASE) is None
    assert body["data"]["pagination"] == {"page": 1, "pageSize": 6, "total": 27}
    assert all("tagSerials" in c and "tags" not in c for c in body["data"]["courses"])


def test_listing_without_prakerja_is_not_payable(listings):
    plain = dataclasses.replace(listings[2], prakerja_payment=False)
    _, (parsed,) = parse_search(search(context([plain])).body, BASE)
    assert parsed["prakerja_payment"] is False and parsed["prakerja_evidence"] == []


def test_unavailable_listing(listings):
    closed = dataclasses.replace(listings[2], available=False)
    raw = json.loads(search(context([closed])).body)["data"]["data"][0]
    assert raw["transactional"] == "TRANSACTIONABLE_NO"
    assert normalize(raw, BASE)["available"] is False


def test_bundle_before_the_halt(listings):
    ojol = dataclasses.replace(
        listings[1], prakerja_payment=True, updated_at="2020-04-09"
    )
    ctx = context([ojol], as_of="2020-06-29")
    raw = json.loads(search(ctx).body)["data"]["data"][0]
    assert raw["tags"] == ["TAG-PRAKERJA"]
    assert raw["courseDescription"].endswith("dengan alasan apapun")
    assert raw["updatedAt"].startswith("2020-04-09 ")
    assert (
        normalize(raw, BASE)["components"] == expected(SLUG)["items"][1]["components"]
    )


def test_generated_bundle_follows_the_halt(listings):
    bundle = dataclasses.replace(
        listings[1],
        listing_id="PROG-GEN00001",
        title=TRICKY_TITLE,
        components=("Kelas A & B", "Kelas <C>"),
        prakerja_payment=False,
        description="Belajar <mandiri>",
        extra={},
    )
    after = json.loads(search(context([bundle])).body)["data"]["data"][0]
    assert after["courseName"] == TRICKY_TITLE
    assert normalize(after, BASE)["components"] == ["Kelas A & B", "Kelas <C>"]
    assert "<br> 2. Sesuai kebijakan" in after["courseDescription"]
    assert "Belajar &lt;mandiri&gt;" in after["courseDescription"]
    payable = dataclasses.replace(bundle, prakerja_payment=True)
    before = json.loads(search(context([payable], as_of="2020-06-20")).body)
    assert "Sesuai kebijakan" not in before["data"]["data"][0]["courseDescription"]
    assert re.fullmatch(
        r"2020-07-01 \d\d:\d\d:\d\d\.\d{6} \+0000 UTC", after["updatedAt"]
    )


def test_output_is_deterministic(listings):
    assert search(context(listings)) == search(context(listings))


def test_unknown_paths(listings):
    assert skillacademy.render("/course/x", context(listings)) is None
    assert skillacademy.page_kind("/prakerja") is None


def test_sample_extra_alone_reproduces_the_items(listings):
    # The core marks sample listings with extra["sample"] only.
    marked = [
        dataclasses.replace(x, extra={"sample": "search_prakerja_p1.json"})
        for x in listings
    ]
    served = json.loads(search(context(marked)).body)
    assert served == json.loads(fixture_text(SLUG, "search_prakerja_p1.json"))


def test_update_stamps_follow_the_listing(listings):
    never_updated = dataclasses.replace(listings[0], updated_at="2020-06-10")
    zero = dataclasses.replace(
        listings[5], created_at="2020-04-01", updated_at="2020-04-01"
    )
    raws = json.loads(search(context([never_updated, zero])).body)["data"]["data"]
    assert (
        raws[0]["updatedAt"]
        == raws[0]["createdAt"]
        == ("2020-06-10 08:00:31.605579 +0000 UTC")
    )
    assert raws[1]["updatedAt"] == "0001-01-01 00:00:00 +0000 UTC"
