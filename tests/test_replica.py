"""The replica core: determinism, timeline and truth, faults, robots, control API."""

from __future__ import annotations

import http.client
import json
import socket
import tracemalloc
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from replica_parse import FIXTURES, SAMPLES, fetch

from replica import start_replica
from replica.catalog import Catalog, load_samples
from replica.model import SLUGS
from replica.truth import catalog as shared_catalog

LISTING_P3 = {
    "bukalapak": "/kartu-prakerja?page=3",
    "maubelajarapa": "/kartuprakerja/page/3/",
    "pijarmahir": "/api/v1/courses?category=kartu-prakerja&page=3&limit=8",
    "pintaria": "/kartuprakerja?page=3",
    "sekolahmu": "/kartuprakerja/?page=3",
    "sisnaker": "/pelatihan?page=3",
    "skillacademy": "/api/skillacademy/discovery/search?searchQuery=prakerja&page=3"
    "&pageSize=20",
    "tokopedia": "/discovery/kartu-prakerja/?page=3",
}
JSON_ACCEPT = {"Accept": "application/json"}
SAMPLE_IDS = {
    slug: {e.listing.listing_id for e in entries}
    for slug, entries in load_samples().items()
}


def call(url: str, method: str = "GET", body: object = None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def pages(replica) -> dict[str, bytes]:
    out = {}
    for slug, path in LISTING_P3.items():
        status, _, body = fetch(replica.base_urls[slug] + path, JSON_ACCEPT)
        assert status == 200, slug
        out[slug] = body.replace(replica.root.encode(), b"ROOT")
    return out


# -- determinism ---------------------------------------------------------------
def test_same_seed_size_and_date_give_the_same_bytes(replica):
    first = pages(replica)
    shared_catalog.cache_clear()  # the second replica builds its own catalog
    with start_replica(seed=1, size=1900, as_of="2020-07-08") as again:
        assert again.state.catalog is not replica.state.catalog
        assert pages(again) == first


def test_another_seed_gives_another_catalog():
    one, two = Catalog(seed=1, size=400), Catalog(seed=2, size=400)
    titles = [[one.entry("tokopedia", i).listing.title for i in range(8, 40)]]
    titles.append([two.entry("tokopedia", i).listing.title for i in range(8, 40)])
    assert titles[0] != titles[1]
    assert one.entry("tokopedia", 0) == two.entry("tokopedia", 0)  # a sample


# -- the timeline and the truth ------------------------------------------------
def violations(truth: dict, generated_only: bool = False) -> dict[str, list[str]]:
    return {
        slug: [
            row["listing_id"]
            for row in rows
            if row["violation"]
            and not (generated_only and row["listing_id"] in SAMPLE_IDS[slug])
        ]
        for slug, rows in truth.items()
    }


def test_before_the_halt_nothing_is_a_violation(replica):
    assert not any(violations(replica.truth("2020-06-29")).values())


def test_after_the_halt_generated_violations_on_several_platforms(replica):
    truth = replica.truth("2020-07-02")
    generated = violations(truth, generated_only=True)
    assert sum(1 for ids in generated.values() if ids) >= 2
    assert generated["skillacademy"] == []
    assert generated["tokopedia"] == []  # every generated bundle was withdrawn
    relisted = [r for r in truth["maubelajarapa"] if "relisted_from" in r]
    assert len(relisted) == 1 and relisted[0]["violation"]
    assert relisted[0]["relisted_from"] not in {
        r["listing_id"] for r in truth["maubelajarapa"]
    }


def test_sample_bundles_payable_after_the_halt_are_violations(replica):
    found = violations(replica.truth("2020-07-08"))
    for slug in SLUGS:
        doc = json.loads((FIXTURES / slug / "expected.json").read_text("utf-8"))
        flagged = {
            i["listing_id"]
            for i in doc["items"]
            if i["is_bundle"] and i["prakerja_payment"] and i["available"]
        }
        assert flagged and flagged <= set(found[slug]), slug


def test_skillacademy_stops_being_a_partner_on_2020_09_04(replica):
    assert "PROG-R8HTTJQJ" in violations(replica.truth("2020-09-03"))["skillacademy"]
    later = violations(replica.truth("2020-09-05"))
    assert later["skillacademy"] == [] and later["bukalapak"]


def test_truth_over_http_follows_the_clock(replica):
    root = replica.root
    assert call(f"{root}/__replica/truth?as_of=2020-06-29")[1] == json.loads(
        json.dumps(replica.truth("2020-06-29"))
    )
    assert call(f"{root}/__replica/clock", "PUT", {"as_of": "2020-07-02"})[0] == 200
    status, truth = call(f"{root}/__replica/truth")
    assert status == 200 and truth == json.loads(
        json.dumps(replica.truth("2020-07-02"))
    )
    assert call(f"{root}/__replica/clock", "PUT", {"as_of": "July"})[0] == 400


def test_listing_totals_follow_the_visible_set(replica):
    base = replica.base_urls["tokopedia"]
    for as_of in ("2020-06-29", "2020-07-08"):
        replica.set_clock(as_of)
        body = fetch(base + "/discovery/kartu-prakerja/")[2].decode()
        total = len(replica.truth(as_of)["tokopedia"])
        assert f"dari {total} pelatihan" in body
    assert len(replica.truth("2020-06-29")["tokopedia"]) > total


# -- faults ----------------------------------------------------------------------
def test_status_fault_bursts_then_recovers(replica):
    replica.set_faults(
        "tokopedia", [{"kind": "status", "status": 429, "retry_after": 7, "count": 2}]
    )
    url = replica.base_urls["tokopedia"] + "/discovery/kartu-prakerja/"
    answers = [fetch(url) for _ in range(3)]
    assert [a[0] for a in answers] == [429, 429, 200]
    assert answers[0][1]["Retry-After"] == "7" and b"Error 1015" in answers[0][2]
    replica.set_faults(
        "pintaria", [{"kind": "status", "status": 503, "match": "detail"}]
    )
    base = replica.base_urls["pintaria"]
    assert fetch(base + "/kartuprakerja")[0] == 200
    status, _, body = fetch(base + "/kartuprakerja/kursus/2317-x")
    assert status == 503 and b"nginx" in body
    assert [e["fault"] for e in replica.log("pintaria")] == [None, "status"]


def test_slow_fault_delays_the_headers(replica):
    replica.set_faults("sisnaker", [{"kind": "slow", "delay_s": 1.5, "count": 1}])
    url = replica.base_urls["sisnaker"] + "/pelatihan"
    with pytest.raises((socket.timeout, TimeoutError, urllib.error.URLError)):
        urllib.request.urlopen(url, timeout=0.3).read()
    assert fetch(url)[0] == 200


def test_truncate_fault_sends_fewer_bytes_than_announced(replica):
    replica.set_faults("bukalapak", [{"kind": "truncate", "keep_fraction": 0.4}])
    parts = urlsplit(replica.base_urls["bukalapak"])
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", parts.path + "/kartu-prakerja")
    response = connection.getresponse()
    announced = int(response.getheader("Content-Length"))
    with pytest.raises(http.client.IncompleteRead) as info:
        response.read()
    connection.close()
    assert len(info.value.partial) == int(announced * 0.4) < announced
    assert not info.value.partial.rstrip().endswith(b"</html>")


def test_gone_fault_removes_the_listing_and_drops_the_total(replica):
    base = replica.base_urls["bukalapak"]
    total = len(replica.truth()["bukalapak"])
    replica.set_faults(
        "bukalapak", [{"kind": "gone", "listing_id": "4g1m2xb", "status": 410}]
    )
    listing = fetch(base + "/kartu-prakerja")[2].decode()
    detail = fetch(base + "/p/kartu-prakerja/pelatihan/4g1m2xb-jual-x")
    assert f"dari {total - 1} pelatihan" in listing and "4g1m2xb" not in listing
    assert detail[0] == 410


def test_layout_fault_matches_by_path_regex(replica):
    replica.set_faults("pintaria", [{"kind": "layout", "match": r"page=2$"}])
    base = replica.base_urls["pintaria"]
    assert b"course-card" in fetch(base + "/kartuprakerja")[2]
    assert b"course-card" not in fetch(base + "/kartuprakerja?page=2")[2]
    assert [e["fault"] for e in replica.log("pintaria")] == [None, "layout"]


def test_faults_over_http(replica):
    url = f"{replica.root}/__replica/sekolahmu/faults"
    fault = {"kind": "empty", "match": "listing"}
    status, stored = call(url, "PUT", [fault])
    assert status == 200 and stored == [fault]
    assert call(url, "PUT", [{"kind": "explode"}])[0] == 400
    assert call(url, "DELETE")[1] == []
    assert call(f"{replica.root}/__replica/nowhere/faults", "PUT", [])[0] == 404


# -- robots, routing, log, reset ---------------------------------------------------
def test_prefix_mode_robots(replica):
    status, _, body = fetch(replica.root + "/robots.txt")
    text = body.decode()
    assert status == 200 and text.startswith("User-agent: *\n")
    assert "Disallow: /sisnaker/admin/" in text and "Allow: /pijarmahir/api/v1/courses"
    assert "Crawl-delay: 5" in text and "Sitemap" not in text
    assert text.count("User-agent") == 1
    own = (SAMPLES / "tokopedia" / "robots.txt").read_bytes()
    assert fetch(replica.base_urls["tokopedia"] + "/robots.txt")[2] == own


def test_port_mode_serves_each_platform_at_its_own_root():
    with start_replica(mode="port", size=200) as running:
        ports = {urlsplit(base).port for base in running.base_urls.values()}
        assert len(ports) == 8 and urlsplit(running.root).port not in ports
        for slug, base in running.base_urls.items():
            own = (SAMPLES / slug / "robots.txt").read_bytes()
            assert fetch(base + "/robots.txt")[2] == own
            assert call(base + "/__replica/clock")[1] == {"as_of": "2020-07-08"}
        body = fetch(running.base_urls["bukalapak"] + "/kartu-prakerja")[2]
        assert running.base_urls["bukalapak"].encode() in body
        assert b"127.0.0.1:8400" not in body
        assert fetch(running.root + "/kartu-prakerja")[0] == 404


def test_unknown_paths_are_404(replica):
    assert fetch(replica.root + "/nope")[0] == 404
    assert fetch(replica.base_urls["bukalapak"] + "/nope")[0] == 404
    assert call(replica.root + "/__replica/nope")[0] == 404


def test_log_and_reset(replica):
    base = replica.base_urls["maubelajarapa"]
    body = fetch(base + "/kartuprakerja/")[2]
    fetch(base + "/robots.txt")
    status, log = call(f"{replica.root}/__replica/maubelajarapa/log")
    assert status == 200 and [e["path_qs"] for e in log] == [
        "/kartuprakerja/",
        "/robots.txt",
    ]
    assert log[0]["bytes"] == len(body) and log[0]["status"] == 200
    assert set(log[0]) == {"t", "method", "path_qs", "status", "bytes", "fault"}
    replica.set_clock("2020-06-01")
    replica.set_faults("maubelajarapa", [{"kind": "empty"}])
    assert call(f"{replica.root}/__replica/reset", "POST")[0] == 200
    assert replica.as_of == "2020-07-08" and replica.log("maubelajarapa") == []
    assert call(f"{replica.root}/__replica/maubelajarapa/faults")[1] == []


def test_concurrent_requests_are_all_served(replica):
    urls = [
        replica.base_urls["tokopedia"] + f"/discovery/kartu-prakerja/?page={n}"
        for n in range(2, 42)
    ]
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda u: fetch(u)[0], urls))
    assert statuses == [200] * len(urls)
    assert len(replica.log("tokopedia")) == len(urls)


# -- size -----------------------------------------------------------------------
def test_a_100k_catalog_serves_deep_pages_without_materialising_it():
    tracemalloc.start()
    try:
        with start_replica(size=100_000) as big:
            base = big.base_urls["bukalapak"]
            first = fetch(base + "/kartu-prakerja")[2].decode()
            total = int(first.split(" dari ")[1].split(" ")[0])
            deep = fetch(base + f"/kartu-prakerja?page={total // 8 - 3}")
            assert total > 15_000 and deep[0] == 200
            assert deep[2].count(b'class="bl-product-card"') == 8
            assert big.state.catalog.entry.cache_info().currsize < 100
            _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000
