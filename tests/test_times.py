"""Time sanity: one stored offset (a migration converts old rows), and --now
earlier than a platform's newest checked crawl refused unless --backfill."""

import sqlite_utils

from monitor.cli import main
from storage import snapshots as s
from storage import times
from storage.db import open_db
from storage.findings import mark_checked
from storage.migrations import migrations


def test_normalize_puts_every_time_at_plus_seven():
    assert times.normalize("2020-07-02T03:00:00Z") == "2020-07-02T10:00:00+07:00"
    assert times.normalize("2020-07-02T10:00+07:00") == "2020-07-02T10:00:00+07:00"
    assert times.normalize("2020-07-01T23:30:00.250-05:00") == (
        "2020-07-02T11:30:00.250+07:00"
    )
    assert times.normalize("not a time") == "not a time"
    assert times.normalize(None) is None
    assert times.now().endswith("+07:00")


def test_migration_converts_existing_rows_so_text_order_is_time_order(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m007_times_at_one_offset")
    # as an older version stored them: wall clock in UTC, --now with any offset
    db.execute(
        "INSERT INTO crawls (id, platform, started_at, observed_at, status)"
        " VALUES (1, 'tokopedia', '2020-07-02T04:00:00.000+00:00',"
        " '2020-07-02T11:00:00+07:00', 'complete'),"
        " (2, 'tokopedia', '2020-07-02T05:00:00.000+00:00',"
        " '2020-07-02T05:00:00.000+00:00', 'complete')"
    )
    db.execute(
        "INSERT INTO listings (platform, listing_id, first_seen_at, last_seen_at)"
        " VALUES ('tokopedia', 'a', '2020-07-02T11:00:00+07:00',"
        " '2020-07-02T05:00:00.000+00:00')"
    )
    db.conn.commit()
    db.close()
    db = open_db(path)  # applies m007
    try:
        crawls = db.execute(
            "SELECT started_at, observed_at FROM crawls ORDER BY observed_at"
        ).fetchall()
        assert crawls == [
            ("2020-07-02T11:00:00+07:00", "2020-07-02T11:00:00+07:00"),
            ("2020-07-02T12:00:00+07:00", "2020-07-02T12:00:00+07:00"),
        ]
        seen = db.execute("SELECT last_seen_at FROM listings").fetchone()[0]
        assert seen == "2020-07-02T12:00:00+07:00"  # later than first_seen_at
    finally:
        db.close()


def test_new_rows_are_stored_at_plus_seven(tmp_path):
    db = open_db(tmp_path / "p.db")
    try:
        cid = s.start_crawl(db, "tokopedia", observed_at="2020-07-02T03:00:00Z")
        crawl = s.get_crawl(db, cid)
        assert crawl["observed_at"] == "2020-07-02T10:00:00+07:00"
        assert crawl["started_at"].endswith("+07:00")
    finally:
        db.close()


def checked_crawl_db(path):
    db = open_db(path)
    try:
        cid = s.start_crawl(db, "tokopedia", observed_at="2020-07-02T10:00:00+07:00")
        s.finish_crawl(db, cid, "complete", "finished", 0, 1, 0, [])
        mark_checked(db, cid, "2020-07-02T11:00:00+07:00")
    finally:
        db.close()
    return path


def crawl_rows(path):
    db = open_db(path)
    try:
        return db.execute("SELECT count(*) FROM crawls").fetchone()[0]
    finally:
        db.close()


def test_now_before_the_newest_checked_crawl_is_refused(tmp_path, capsys):
    path = checked_crawl_db(tmp_path / "p.db")
    argv = ["crawl", "tokopedia", "--db", str(path), "--now", "2020-07-01T03:00Z"]
    argv += ["--base-url", "tokopedia=http://127.0.0.1:9/tokopedia"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "earlier than tokopedia's newest checked crawl" in err
    assert "--backfill" in err
    assert crawl_rows(path) == 1  # nothing fetched, nothing stored


def test_backfill_lets_the_older_observation_through(tmp_path):
    from monitor.config import load_config
    from monitor.preconditions import check_time_order

    cfg = load_config(env={})
    cfg.data["database"] = str(checked_crawl_db(tmp_path / "p.db"))
    early = times.normalize("2020-07-01T10:00:00+07:00")
    check_time_order(cfg, ["tokopedia"], early, backfill=True)
    check_time_order(cfg, ["bukalapak"], early, backfill=False)  # no checked crawl
    check_time_order(cfg, ["tokopedia"], "2020-07-02T10:00:00+07:00", False)
