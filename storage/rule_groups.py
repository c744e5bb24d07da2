"""A rule's candidate rows grouped in SQL by the fields the rule reads, so that it
is evaluated once per group and only the rows it acts on are read whole.

The candidates are the crawl's bundles without a finding of the rule (listings
with one are always read: ``storage.findings.rule_keys``). Each candidate gets
the smallest listing key of its group (``rep``); the groups the caller keeps are
added to ``temp.rule_keys`` for ``storage.findings.rows_to_evaluate``.
"""

from __future__ import annotations

from sqlite_utils import Database

from storage.findings import ROW_COLUMNS, ROW_JOINS, ROW_SELECT, decode_row, rule_keys

COLUMNS = tuple(name for name, _ in ROW_COLUMNS)
_SQL = dict(ROW_COLUMNS)


def candidates(db: Database, crawl_id: int, rule: str) -> int:
    """Fill ``temp.rule_keys`` and ``temp.rule_candidates``; returns candidates."""
    rule_keys(db, crawl_id, rule)
    conn = db.conn
    conn.execute("DROP TABLE IF EXISTS temp.rule_candidates")
    conn.execute("CREATE TEMP TABLE rule_candidates (listing_key INTEGER PRIMARY KEY)")
    return conn.execute(
        "INSERT INTO temp.rule_candidates (listing_key) SELECT s.listing_key"
        " FROM sightings s JOIN judgments j ON j.version_id = s.version_id"
        " WHERE s.crawl_id = ? AND j.is_bundle = 1 AND s.listing_key NOT IN"
        " (SELECT listing_key FROM temp.rule_keys)",
        [crawl_id],
    ).rowcount


def group(db: Database, crawl_id: int, fields: list[str]) -> None:
    """Each candidate's ``rep``: the smallest key agreeing on ``fields`` (row
    columns). No fields: one group. Equal values decode alike: every column has a
    declared type, so a column never holds both 1 and 1.0, or 1 and '1'."""
    unknown = set(fields) - set(COLUMNS)
    if unknown:
        raise ValueError(f"not row columns: {sorted(unknown)}")
    conn = db.conn
    conn.execute("DROP TABLE IF EXISTS temp.rule_groups")
    if not fields:  # the group's first row is the first one with a whole row
        conn.execute(
            "CREATE TEMP TABLE rule_groups AS SELECT listing_key, (SELECT"
            " r.listing_key FROM temp.rule_candidates r CROSS JOIN sightings s"
            " ON s.crawl_id = :crawl AND s.listing_key = r.listing_key"
            f" {ROW_JOINS} ORDER BY r.listing_key LIMIT 1) AS rep"
            " FROM temp.rule_candidates",
            {"crawl": crawl_id},
        )
        return
    keys = ", ".join(_SQL[f] for f in fields)
    conn.execute(
        "CREATE TEMP TABLE rule_groups AS SELECT r.listing_key,"
        f" min(r.listing_key) OVER (PARTITION BY {keys}) AS rep"
        " FROM temp.rule_candidates r CROSS JOIN sightings s"
        f" ON s.crawl_id = :crawl AND s.listing_key = r.listing_key {ROW_JOINS}",
        {"crawl": crawl_id},
    )


def representatives(db: Database, crawl_id: int, size: int = 5000):
    """Pages of (rep, row) for the groups, rows decoded as ``rows_to_evaluate``'s."""
    cursor = db.conn.execute(
        f"SELECT s.listing_key, {ROW_SELECT} FROM temp.rule_groups g"
        " CROSS JOIN sightings s ON s.crawl_id = :crawl AND s.listing_key = g.rep"
        f" {ROW_JOINS} WHERE g.rep = g.listing_key ORDER BY g.rep",
        {"crawl": crawl_id},
    )
    while page := cursor.fetchmany(size):
        parsed: dict = {}
        yield [(raw[0], decode_row(list(COLUMNS), raw[1:], parsed)) for raw in page]


def keep(db: Database, reps: list[int]) -> int:
    """Add the candidates of the groups of ``reps`` to ``temp.rule_keys``."""
    conn = db.conn
    conn.execute("DROP TABLE IF EXISTS temp.rule_kept")
    conn.execute("CREATE TEMP TABLE rule_kept (rep INTEGER PRIMARY KEY)")
    conn.executemany("INSERT INTO temp.rule_kept VALUES (?)", [(r,) for r in reps])
    added = conn.execute(
        "INSERT OR IGNORE INTO temp.rule_keys SELECT g.listing_key"
        " FROM temp.rule_groups g JOIN temp.rule_kept k ON k.rep = g.rep"
    ).rowcount
    for name in ("rule_kept", "rule_groups", "rule_candidates"):
        conn.execute(f"DROP TABLE temp.{name}")
    return added
