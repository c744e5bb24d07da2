"""Which stored version each row of a batch is: versions are compared by their
fields (as SQLite stores them), not by a digest of them (storage/snapshots.py
saves the batch; m010 dropped the digest)."""

from __future__ import annotations

import json

from storage.migrations import FACT_COLUMNS

# Narrow rows (keys, urls, offsets) go to SQLite as one JSON array (json_each).
ENCODE_ROWS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def last_seen(conn, platform: str, facts: dict) -> tuple[dict, dict, list, dict]:
    """The stored listings among ``facts``: their keys, the version each one's
    last sighting holds when its fields equal the new ones (most listings are
    unchanged), the listings whose fields differ from it (or that have no last
    sighting), and each one's last payload. Run before this crawl touches them.

    Compared in Python: values equal in Python are equal as SQLite stores them
    (1 and 1.0 and True); what differs here (a number scraped as text, a NaN
    stored as NULL) is compared again in SQL by ``stored_versions``."""
    keys, versions, unmatched, payloads = {}, {}, [], {}
    for row in conn.execute(_LAST_SEEN, [platform, ENCODE_ROWS(list(facts))]):
        lid = row[0]
        keys[lid] = row[1]
        if row[3] is not None:
            payloads[lid] = (row[4], row[3])  # sha256, id
        if row[2] is not None and row[5:] == facts[lid]:
            versions[lid] = row[2]
        else:
            unmatched.append(lid)
    return keys, versions, unmatched, payloads


# A row: listing id, key, last seen version id, its payload id and sha256, then
# that version's fact columns (FACT_COLUMNS order, as fact_row builds them).
_LAST_SEEN = (
    "SELECT l.listing_id, l.id, v.id, si.payload_id, p.sha256,"
    f" {', '.join('v.' + c for c in FACT_COLUMNS)}"
    " FROM listings l LEFT JOIN sightings si ON si.crawl_id = l.last_crawl_id"
    " AND si.listing_key = l.id LEFT JOIN listing_versions v ON v.id = si.version_id"
    " LEFT JOIN payloads p ON p.id = si.payload_id"
    " WHERE l.platform = ? AND l.listing_id IN (SELECT value FROM json_each(?))"
)


def stored_versions(conn, keys, facts, lids: list[str]) -> dict[str, int]:
    """For the stored listings ``lids``, the oldest stored version equal to their
    new fields, compared in SQL: they are staged as rows of ``temp.save_stage``
    (see ``_stage``) and matched against every version of their listing."""
    _stage(conn, [(keys[lid], *facts[lid]) for lid in lids])
    by_key = {keys[lid]: lid for lid in lids}
    return {
        by_key[key]: version
        for key, version in conn.execute(_MATCH_VERSIONS)
        if version is not None
    }


_SAME_FIELDS = " AND ".join(f"v.{c} IS s.{c}" for c in FACT_COLUMNS)
_MATCH_VERSIONS = (
    "SELECT s.listing_key, (SELECT min(v.id) FROM listing_versions v"
    f" WHERE v.listing_key = s.listing_key AND {_SAME_FIELDS}) FROM save_stage s"
)
_STAGE_SQL: dict[str, str] = {}


def _stage(conn, rows: list[tuple]) -> None:
    """``rows`` (listing key, fact columns) as ``temp.save_stage``, its fact
    columns declared as in listing_versions: a value is converted as it will be
    stored and compares equal to its stored self (an integer rating and its REAL)."""
    if not _STAGE_SQL:
        declared = {
            row[1]: row[2]
            for row in conn.execute(
                "SELECT * FROM pragma_table_info('listing_versions')"
            )
        }
        _STAGE_SQL["create"] = (
            "CREATE TEMP TABLE IF NOT EXISTS save_stage (listing_key INTEGER"
            f" PRIMARY KEY, {', '.join(f'{c} {declared[c]}' for c in FACT_COLUMNS)})"
        )
        _STAGE_SQL["insert"] = (
            f"INSERT INTO save_stage (listing_key, {', '.join(FACT_COLUMNS)})"
            f" VALUES ({', '.join('?' * (1 + len(FACT_COLUMNS)))})"
        )
    conn.execute(_STAGE_SQL["create"])
    conn.execute("DELETE FROM save_stage")
    conn.executemany(_STAGE_SQL["insert"], rows)
