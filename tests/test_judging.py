"""Judging at scale: one classify call per distinct set of the fields it reads,
the same judgments as classifying every version."""

from __future__ import annotations

import json

from helpers import stored_item

from monitor.judge import judging
from storage import findings as f
from storage import snapshots as s
from storage.classifier import CLASSIFIER_VERSION, classify

TITLES = ["Paket Hemat Excel", "Kelas Excel", "Bundling Barista", "Paket Data 5GB", ""]


def items(n: int, shift: int = 0) -> list[dict]:
    out = []
    for i in range(n):
        k = i + shift
        out.append(
            stored_item(
                str(i),
                title=TITLES[k % len(TITLES)],
                bundle_label="Paket Bundling" if k % 7 == 0 else None,
                bundle_keywords=["Paket Hemat"] if k % 3 == 0 else [],
                components=["Kelas A", "Kelas B"] if k % 4 == 0 else [],
                list_price_idr=200000 + 1000 * (k % 2),
                price_idr=100000 + k,  # every version differs: no field is shared
            )
        )
    return out


def crawl(db, batch: list[dict]) -> int:
    cid = s.start_crawl(db, "tokopedia", observed_at="2020-07-01T10:00:00+07:00")
    s.save_listings(db, cid, batch)
    return cid


def stored(db) -> dict[int, tuple[int, list[str]]]:
    return {
        r["version_id"]: (r["is_bundle"], json.loads(r["bundle_reasons"]))
        for r in db.query("SELECT * FROM judgments")
    }


def expected(db) -> dict[int, tuple[int, list[str]]]:
    """What classify decides for every version row, one call each."""
    out = {}
    for row in db.query("SELECT listing_key, * FROM listing_versions"):
        c = classify(f._decode(dict(row)))
        out[row["id"]] = (int(c.is_bundle), c.reasons)
    return out


def test_judgments_equal_one_classify_per_version(db):
    cid = crawl(db, items(300))
    stats = judging.judge_crawl(db, cid)
    assert stats["versions"] == 300
    assert stored(db) == expected(db)
    # far fewer calls than versions: price_idr is not read by the classifier
    assert stats["calls"] < 100


def test_second_crawl_judges_only_new_versions(db):
    first = crawl(db, items(50))
    judging.judge_crawl(db, first)
    second = crawl(db, items(50, shift=1))
    stats = judging.judge_crawl(db, second)
    assert stats["versions"] == 50  # every listing changed
    assert judging.judge_crawl(db, second)["versions"] == 0
    assert stored(db) == expected(db)


def test_a_field_read_late_widens_the_groups(db):
    """A classifier that reads ``provider`` only for some titles still gets its
    own answer for every version: the grouping widens and starts again."""

    def decide(row):
        if row.get("title", "").startswith("Kelas"):
            verdict = row.get("provider") == "LPK B"
        else:
            verdict = False
        return type("C", (), {"is_bundle": verdict, "reasons": [str(verdict)]})()

    batch = [
        stored_item(
            str(i),
            title="Paket X" if i < 5 else "Kelas Y",
            provider="LPK B" if i % 2 else "LPK A",
        )
        for i in range(20)
    ]
    cid = crawl(db, batch)
    stats = judging.judge_crawl(db, cid, decide)
    assert stats["passes"] == 2
    got = {
        r["listing_id"]: r["is_bundle"]
        for r in db.query(
            "SELECT l.listing_id, j.is_bundle FROM judgments j"
            " JOIN listing_versions v ON v.id = j.version_id"
            " JOIN listings l ON l.id = v.listing_key"
        )
    }
    assert got == {str(i): int(i >= 5 and i % 2 == 1) for i in range(20)}
    assert all(
        r["classifier_version"] == CLASSIFIER_VERSION
        for r in db.query("SELECT * FROM judgments")
    )


def test_reads_records_iteration():
    row = judging.Reads({"a": 1, "b": 2})
    row.get("a")
    assert row.read == {"a"}
    dict(row.items())
    assert row.read == {"a", "b"}


def test_rule_rows_are_the_rows_the_rule_acts_on(db):
    """The rule runs once per group of bundles agreeing on what it reads; the rows
    left out are exactly the bundles without a finding it finds compliant."""
    from monitor.judge import rules

    payable = [True, False, None]
    batch = [
        stored_item(
            str(i),
            title="Paket Hemat Excel" if i % 3 else "Kelas Excel",
            bundle_label="Paket Bundling" if i % 2 else None,
            prakerja_payment=payable[i % 3],
            available=i % 5 != 0,
        )
        for i in range(60)
    ]
    cid = crawl(db, batch)
    judging.judge_crawl(db, cid)
    key = db.execute("SELECT id FROM listings WHERE listing_id = '2'").fetchone()[0]
    db.execute(  # a compliant bundle with a finding is read all the same
        "INSERT INTO findings (platform, listing_id, rule, rule_version, status,"
        " opened_at, last_seen_at, first_crawl_id, last_crawl_id) VALUES"
        " ('tokopedia', '2', ?, '1', 'open', 'x', 'x', ?, ?)",
        [rules.BUNDLE_AFTER_HALT.id, cid, cid],
    )
    calls = []

    def decide(row):
        calls.append(1)  # reads nothing: reading listing_id would group by it
        evidence = {
            "is_bundle": row["is_bundle"],
            "bundle_reasons": row["bundle_reasons"],
        }
        return rules.evaluate(rules.BUNDLE_AFTER_HALT, row, evidence)

    def acts(outcome):
        return outcome.outcome != rules.COMPLIANT

    rule = rules.BUNDLE_AFTER_HALT.id
    every = list(f.rows_to_evaluate(db, cid, rule))
    expect = [r for r in every if r["listing_id"] == "2" or acts(decide(r))]
    calls.clear()
    got = list(judging.rule_rows(db, cid, rule, decide, acts))
    assert got == expect
    assert {r["listing_id"] for r in expect} > {"2"}
    assert len(every) > len(got) > 1
    assert len(calls) < len(every) - 1  # once per group, not once per bundle
    assert key in {r[0] for r in db.execute("SELECT listing_key FROM temp.rule_keys")}
