"""Scheduler rounds as a real subprocess: crawls, one check, one digest per round;
a SIGTERM mid-round is recorded as interrupted and raises no health alarm."""

from __future__ import annotations

import email
import email.policy
import time

from test_schedule import (
    Scheduler,
    crawls,
    running_crawls,
    wait_until,
    write_config,
)

LAYOUT_V2 = [{"kind": "layout", "variant": "v2", "match": "any"}]


def digests(outbox):
    found = []
    for path in sorted(outbox.glob("*.eml")):
        found.append(
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        )
    return found


def round_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if "round done:" in line]


def test_two_rounds_give_exactly_two_digests(tmp_path, replica):
    config = write_config(tmp_path, replica, ["sisnaker", "pintaria"], interval=3)
    scheduler = Scheduler(config)
    try:
        assert "1 digest(s)" in scheduler.wait_for("round done:")
        replica.set_faults("pintaria", LAYOUT_V2)  # round 2 has news: a health alarm
        assert "1 digest(s)" in scheduler.wait_for("round done:")
    finally:
        log = scheduler.stop()
    sent = digests(tmp_path / "outbox")
    assert len(sent) == 2, log
    first, second = (m["Subject"] for m in sent)
    assert "paket baru" in first and "tidak dapat diverifikasi" not in first
    assert "1 platform tidak dapat diverifikasi: Pintaria" in second
    assert len(round_lines(log)) >= 2
    assert len([line for line in log.splitlines() if " alert: " in line]) == 2


def test_thirty_seconds_at_ten_second_interval_one_digest_per_round(tmp_path, replica):
    """The issue's Must show: every round sends exactly one digest (the replica
    changes after each round, so each has something to say). The schedule runs
    30 seconds, and on a loaded machine on until its second round is done."""
    config = write_config(tmp_path, replica, ["sisnaker", "pintaria"], interval=10)
    changes = iter(
        [
            lambda: replica.set_faults("pintaria", LAYOUT_V2),
            lambda: replica.set_faults("sisnaker", LAYOUT_V2),
        ]
    )
    scheduler = Scheduler(config)
    started, rounds_done = time.monotonic(), 0
    try:
        while rounds_done < 2 or time.monotonic() - started < 30:
            left = 30 - (time.monotonic() - started)
            try:
                scheduler.wait_for(
                    "round done:", timeout=max(left, 0) + 150 * (rounds_done < 2)
                )
            except AssertionError:
                if rounds_done < 2:
                    raise
                break
            rounds_done += 1
            next(changes, lambda: None)()
    finally:
        log = scheduler.stop()
    done = round_lines(log)
    assert len(done) >= 2, log  # rounds at 0 s, 10 s (and 20 s)
    assert all(line.endswith("1 digest(s)") for line in done[:3]), done  # news
    assert all(line.endswith(("0 digest(s)", "1 digest(s)")) for line in done)
    sent = sum(line.endswith("1 digest(s)") for line in done)
    assert len(digests(tmp_path / "outbox")) == sent


def test_sigterm_mid_round_is_interrupted_not_a_health_alarm(tmp_path, replica):
    replica.set_faults("tokopedia", [{"kind": "slow", "delay_s": 1, "match": "any"}])
    config = write_config(tmp_path, replica, ["tokopedia"], interval=5)
    db_path = tmp_path / "p.db"
    scheduler = Scheduler(config)
    try:
        wait_until(  # the round's crawl is under way
            lambda: running_crawls(db_path), timeout=120, what="a running crawl"
        )
    finally:
        first_log = scheduler.stop()
    rows = crawls(db_path)
    assert len(rows) == 1, (rows, first_log)
    (stopped,) = rows
    assert stopped["finish_reason"] == "interrupted", first_log
    assert stopped["status"] in ("incomplete", "failed")
    assert '"interrupted"' in stopped["health"]
    assert not list((tmp_path / "outbox").glob("*.eml"))  # the round was cut short

    replica.clear_faults("tokopedia")
    scheduler = Scheduler(config)
    try:
        assert "1 digest(s)" in scheduler.wait_for("round done:")
    finally:
        log = scheduler.stop()
    rows = crawls(db_path)
    assert rows[1]["platform"] == "tokopedia" and rows[1]["status"] == "complete"
    (digest,) = digests(tmp_path / "outbox")
    assert "tidak dapat diverifikasi" not in digest["Subject"], log
    text = digest.get_body(("plain",)).get_content()
    html = digest.get_body(("html",)).get_content()
    assert "Kondisi pemeriksaan" not in text and "Kondisi pemeriksaan" not in html
    assert "penjadwal" not in text  # the interruption is not announced at all
