"""Conditional recrawls: the replica answers If-None-Match/If-Modified-Since
correctly, a 304 observes the same listings again, and wrong 304s are caught."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from monitor.run.crawl import CrawlRunner
from spiders.conditional import WRONG_304
from storage import snapshots as s
from storage.db import open_db
from storage.httpcache import cache_dir

SLUG = "sisnaker"  # HTML listing plus a detail page per item
LISTING_PATH = "/pelatihan"
BEFORE, AFTER = "2020-06-29", "2020-07-02"  # bundles lose Kartu Prakerja between


def get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def listing_url(replica) -> str:
    return replica.base_urls[SLUG] + LISTING_PATH


def crawl(path, replica, now, settings=None):
    runner = CrawlRunner(
        str(path), base_urls=replica.base_urls, now=now, parallel=1, settings=settings
    )
    (result,) = runner.run([SLUG])
    return result


def sent(replica) -> tuple[int, int, int]:
    """(requests, 304 answers, body bytes) the replica has served to SLUG."""
    log = replica.log(SLUG)
    return len(log), sum(e["status"] == 304 for e in log), sum(e["bytes"] for e in log)


def test_replica_answers_conditional_requests(replica):
    url = listing_url(replica)
    status, headers, body = get(url)
    assert status == 200 and body
    tag, modified = headers["ETag"], headers["Last-Modified"]
    assert tag.startswith('"') and tag.endswith('"')
    # the same body again: the same validator
    assert get(url)[1]["ETag"] == tag
    status, headers, body = get(url, **{"If-None-Match": tag})
    assert (status, body, headers["ETag"]) == (304, b"", tag)
    assert "Content-Length" not in headers
    assert get(url, **{"If-Modified-Since": modified})[0] == 304
    # another validator, or one next to it: the full page
    assert get(url, **{"If-None-Match": '"other"'})[0] == 200
    assert (
        get(url, **{"If-None-Match": '"other"', "If-Modified-Since": modified})[0]
        == 200
    )  # If-None-Match decides when both are sent
    assert get(url, **{"If-None-Match": f'"x", {tag}'})[0] == 304


def test_changed_page_gets_a_new_etag_and_a_full_answer(replica):
    replica.set_clock(BEFORE)
    before = {r["listing_id"]: r for r in replica.truth()[SLUG]}
    replica.set_clock(AFTER)
    after = {r["listing_id"]: r for r in replica.truth()[SLUG]}
    changed = next(
        i
        for i in after
        if i in before and before[i]["prakerja_payment"] != after[i]["prakerja_payment"]
    )
    url = f"{replica.base_urls[SLUG]}/pelatihan/detail/{changed}"
    replica.set_clock(BEFORE)
    status, headers, body = get(url)
    assert status == 200
    replica.set_clock(AFTER)
    status, later, new_body = get(url, **{"If-None-Match": headers["ETag"]})
    assert status == 200 and new_body != body and later["ETag"] != headers["ETag"]
    # and a 304 once the new validator is sent
    assert get(url, **{"If-None-Match": later["ETag"]})[0] == 304


def test_wrong_304_fault_answers_304_without_a_validator(replica):
    replica.set_faults(SLUG, [{"kind": "wrong_304", "match": "listing", "count": 1}])
    status, headers, body = get(listing_url(replica))
    assert (status, body) == (304, b"")
    assert get(listing_url(replica))[0] == 200  # count used up


def test_unchanged_recrawl_is_all_304_with_the_same_observations(replica, tmp_path):
    replica.set_clock(AFTER)
    path = tmp_path / "p.db"
    first = crawl(path, replica, f"{AFTER}T10:00:00+07:00")
    requests, not_modified, first_bytes = sent(replica)
    assert first.status == "complete" and first.items > 0 and not_modified == 0
    assert (cache_dir(path) / f"{SLUG}.sqlite").exists()
    replica.reset()
    replica.set_clock(AFTER)
    second = crawl(path, replica, f"{AFTER}T16:00:00+07:00")
    again, not_modified, second_bytes = sent(replica)
    assert second.status == "complete" and second.items == first.items
    assert not_modified >= again - 1  # robots.txt aside, every page answered 304
    assert second_bytes <= 0.1 * first_bytes
    db = open_db(path)
    try:
        seen = {
            c: {(r["listing_id"], r["version_id"]) for r in s.snapshot_rows(db, c)}
            for c in (first.crawl_id, second.crawl_id)
        }
        stats = s.get_crawl(db, second.crawl_id)["stats"]
    finally:
        db.close()
    assert seen[first.crawl_id] == seen[second.crawl_id]  # same versions seen again
    assert '"prakerja/conditional/not_modified"' in stats


def test_recrawl_without_conditional_requests_fetches_everything(replica, tmp_path):
    path = tmp_path / "p.db"
    off = {"PRAKERJA_CONDITIONAL": "False"}
    crawl(path, replica, "2020-07-08T10:00:00+07:00", off)
    replica.reset()
    crawl(path, replica, "2020-07-08T16:00:00+07:00", off)
    assert sent(replica)[1] == 0
    assert not cache_dir(path).exists()


@pytest.mark.parametrize("match", ["detail", "any"])
def test_wrong_304_for_changed_pages_makes_the_crawl_incomplete(
    replica, tmp_path, match
):
    path = tmp_path / "p.db"
    replica.set_clock(BEFORE)
    assert crawl(path, replica, f"{BEFORE}T10:00:00+07:00").status == "complete"
    replica.reset()
    replica.set_clock(AFTER)  # pages changed, and the platform claims they did not
    replica.set_faults(SLUG, [{"kind": "wrong_304", "match": match}])
    result = crawl(path, replica, f"{AFTER}T10:00:00+07:00")
    assert result.status != "complete"
    db = open_db(path)
    try:
        crawl_row = s.get_crawl(db, result.crawl_id)
    finally:
        db.close()
    assert "wrong_304" in {r["code"] for r in crawl_row["health"]}
    assert f'"{WRONG_304}"' in crawl_row["stats"]
