"""The pijarmahir replica API answers like the contract samples."""

from __future__ import annotations

import json
import math
import re

import pytest
from replica_parse import (
    as_prefix,
    check_pages_list_the_catalog_once,
    clean,
    expected,
    fetch,
    fixture_text,
    html_item,
)

SLUG = "pijarmahir"
EXPECTED = expected(SLUG)
ACCEPT = {"Accept": "application/json"}
LIST = "/api/v1/courses?category=kartu-prakerja&page={}&limit=8"


def parse_detail(doc: dict, base: str) -> dict | None:
    data = doc["data"]
    if "fullname" not in data or "paymentMethods" not in data:
        return None
    methods = data["paymentMethods"]
    payable = None if methods is None else any(m["code"] == "PRAKERJA" for m in methods)
    return html_item(
        SLUG,
        listing_id=str(data["id"]),
        url=f"{base}/course/{data['id']}",
        title=data["fullname"],
        provider=re.sub(r"\s+[.\-]$", "", clean(data["teacher"])),
        price_idr=data["price"],
        list_price_idr=data["originalPrice"],
        bundle_label=data["coursetype"] if data["isPackage"] else None,
        components=[x["fullname"] for x in data["packageItems"]],
        payment_methods=[m["name"] for m in methods or []],
        prakerja_payment=payable,
        prakerja_evidence=["payment_method:PRAKERJA"] if payable else [],
        available=data["classStatus"] == "open",
        category=data["subcategory_name"],
        rating=float(data["rating"]) if data["totalRater"] else None,
        rating_count=data["totalRater"],
    )


def get_json(replica, path: str, headers=ACCEPT):
    status, _, body = fetch(replica.base_urls[SLUG] + path, headers)
    return status, json.loads(body)


def list_page(replica, number: int) -> dict:
    data = get_json(replica, LIST.format(number))[1]["data"]
    pagination = data["pagination"]
    return {
        "listing_ids": [str(c["id"]) for c in data["courses"]],
        "has_next": pagination["page"] < pagination["totalPage"],
    }


def sample(name: str) -> dict:
    return json.loads(fixture_text(SLUG, name))


@pytest.mark.parametrize("want", EXPECTED["items"], ids=lambda i: i["listing_id"])
def test_sample_detail_parses_to_expected_item(replica, want):
    base = replica.base_urls[SLUG]
    status, doc = get_json(replica, f"/api/v1/courses/{want['listing_id']}")
    assert status == 200 and doc["status"] is True and doc["code"] == 200
    assert as_prefix(parse_detail(doc, base), base, SLUG) == want


@pytest.mark.parametrize(
    "name",
    [
        "api_course_5123_single.json",
        "api_course_5188_bundle_prakerja.json",
        "api_course_5190_bundle_nonprakerja.json",
    ],
)
def test_sample_detail_documents_are_served_as_saved(replica, name):
    doc = sample(name)
    assert get_json(replica, f"/api/v1/courses/{doc['data']['id']}")[1] == doc


def test_list_page_one_is_the_sample_page_with_bigger_totals(replica):
    want = EXPECTED["listing_pages"]["api_courses_p1.json"]
    status, doc = get_json(replica, LIST.format(1))
    visible = replica.truth()[SLUG]
    assert status == 200
    assert doc["data"]["courses"] == sample("api_courses_p1.json")["data"]["courses"]
    assert [str(c["id"]) for c in doc["data"]["courses"]] == want["listing_ids"]
    assert doc["data"]["pagination"] == {
        "page": 1,
        "limit": 8,
        "total": len(visible),
        "totalPage": math.ceil(len(visible) / 8),
    }


def test_every_page_together_lists_the_visible_catalog_once(replica):
    pages = check_pages_list_the_catalog_once(
        replica, SLUG, lambda n: list_page(replica, n)
    )
    assert get_json(replica, LIST.format(len(pages) + 1))[1]["data"]["courses"] == []


def test_generated_details_agree_with_the_truth(replica):
    truth = {row["listing_id"]: row for row in replica.truth()[SLUG]}
    for course in get_json(replica, LIST.format(4))[1]["data"]["courses"]:
        parsed = parse_detail(
            get_json(replica, f"/api/v1/courses/{course['id']}")[1], ""
        )
        row = truth[parsed["listing_id"]]
        assert parsed["prakerja_payment"] == row["prakerja_payment"]
        assert parsed["available"] == row["available"]
        assert parsed["is_bundle"] == row["is_bundle"] or parsed["bundle_keywords"]


def test_the_api_wants_json_and_hides_withdrawn_courses(replica):
    status, doc = get_json(replica, LIST.format(1), headers={"Accept": "text/html"})
    assert status == 406 and doc["status"] is False
    before = {r["listing_id"] for r in replica.truth("2020-06-30")[SLUG]}
    after = {r["listing_id"] for r in replica.truth()[SLUG]}
    status, doc = get_json(replica, f"/api/v1/courses/{sorted(before - after)[0]}")
    assert status == 404 and doc["code"] == 404
    assert get_json(replica, "/api/v1/courses/1")[0] == 404


def test_before_the_halt_the_compliant_bundle_takes_kartu_prakerja(replica):
    replica.set_clock("2020-06-29")
    data = get_json(replica, "/api/v1/courses/5190")[1]["data"]
    assert data["paymentMethods"][0] == {
        "code": "PRAKERJA",
        "name": "Kartu Prakerja",
        "group": "Program Pemerintah",
    }
    assert data["updated_at"] < "2020-06-30"


def test_layout_v2_and_empty(replica):
    replica.set_faults(SLUG, [{"kind": "layout", "variant": "v2", "match": "api"}])
    data = get_json(replica, LIST.format(1))[1]["data"]
    detail = get_json(replica, "/api/v1/courses/5188")[1]
    assert "courses" not in data and "fullname" not in data["items"][0]
    assert data["items"][0]["title"] and parse_detail(detail, "") is None
    assert detail["data"]["payment"]["methods"][0]["code"] == "PRAKERJA"
    replica.set_faults(SLUG, [{"kind": "empty", "match": "api"}])
    data = get_json(replica, LIST.format(1))[1]["data"]
    assert data["courses"] == [] and data["pagination"]["total"] == 0


def test_the_js_page_carries_only_the_config(replica):
    status, _, body = fetch(replica.base_urls[SLUG] + "/category/kartu-prakerja")
    assert status == 200 and b"window.__PM_CONFIG__=" in body
    config = re.search(rb"__PM_CONFIG__=(\{.*?\});", body).group(1)
    assert json.loads(config)["apiBaseUrl"] == replica.base_urls[SLUG] + "/api/v1"
