"""Alerts are claimed before they are sent: concurrent ``alert`` runs (real
subprocesses) against a real SMTP server (one slow to accept) and the outbox give
one digest per change; a crashed sender's lease expires; a crash between the
server's acceptance and recording it resends once, with the same Message-ID."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import re
import subprocess
import sys

import pytest
from aiosmtpd.controller import Controller
from smtp_server import Sink, free_port, smtp_server  # noqa: F401 - fixture
from test_findings import BUNDLE
from test_storage import item

from monitor.digest import send as alerting
from monitor.digest.data import build_digest
from monitor.judge.check import check_all
from storage import alerts as store
from storage import snapshots as s
from storage.db import open_db

TRIALS = 10


class SlowSink(Sink):
    """Accepts every message, but only after ``delay`` seconds."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture(params=["smtp", "slow-smtp", "outbox"])
def delivery(request, tmp_path):
    """(environment for ``alert``, function giving what was delivered)."""
    env = {"PRAKERJA_MONITOR_OUTBOX": str(tmp_path / "outbox")}
    if request.param == "outbox":
        yield env, lambda: sorted((tmp_path / "outbox").glob("*.eml"))
        return
    sink = Sink() if request.param == "smtp" else SlowSink(1.0)
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    env.update(
        PRAKERJA_MONITOR_SMTP_HOST="127.0.0.1",
        PRAKERJA_MONITOR_SMTP_PORT=str(controller.port),
        PRAKERJA_MONITOR_SMTP_SECURITY="none",
    )
    try:
        yield env, lambda: list(sink.messages)
    finally:
        controller.stop()


def new_findings(db, cfg, trial: int) -> int:
    """A complete crawl with every earlier trial's bundles and ``trial + 1``
    bundles nobody has seen; checked. The number of new findings."""
    ids = [f"{t}-{n}" for t in range(trial + 1) for n in range(t + 1)]
    cid = s.start_crawl(
        db, "tokopedia", observed_at=f"2020-07-{trial + 2:02d}T10:00:00+07:00"
    )
    s.save_listings(db, cid, [item(i, **BUNDLE) for i in ids])
    s.finish_crawl(db, cid, "complete", "finished", len(ids), 1, 0, [])
    check_all(db, cfg, probe=lambda url: False)
    return trial + 1


def two_alert_runs(db_path, env) -> list[subprocess.CompletedProcess]:
    full = {**os.environ, **env, "PRAKERJA_MONITOR_DB": str(db_path)}
    command = [sys.executable, "-m", "monitor.cli", "alert"]
    procs = [
        subprocess.Popen(
            command, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    out = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=120)
        done = subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)
        out.append(done)
    return out


@pytest.mark.timeout(300)
def test_ten_trials_of_two_concurrent_alert_runs_give_ten_digests(
    tmp_path, cfg, delivery
):
    env, delivered = delivery
    db = open_db(cfg.database)
    expected = []
    try:
        for trial in range(TRIALS):
            expected.append(new_findings(db, cfg, trial))
            for run in two_alert_runs(cfg.database, env):
                assert run.returncode == 0, run.stderr
                assert "Traceback" not in run.stderr
            assert len(delivered()) == trial + 1, trial
        alerts = store.list_alerts(db)
        claimed = dict(
            db.execute(
                "SELECT alert_id, count(*) FROM finding_events GROUP BY alert_id"
            ).fetchall()
        )
    finally:
        db.close()
    assert [(a["status"], a["attempts"]) for a in alerts] == [("sent", 1)] * TRIALS
    assert [claimed[a["id"]] for a in alerts] == expected
    for alert, count in zip(alerts, expected, strict=True):
        # the subject counts what the digest claims ("N paket baru ...", Indonesian)
        assert re.search(rf"\b{count} paket baru\b", alert["subject"]), alert["subject"]
    ids = [message_id(m) for m in delivered()]
    assert sorted(ids) == sorted(a["message_id"] for a in alerts)


def message_id(delivered) -> str:
    raw = delivered.read_bytes() if hasattr(delivered, "read_bytes") else None
    raw = raw or delivered.content
    return email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]


def test_a_crashed_runs_lease_expires(db):
    assert store.claim_lease(db, "crashed", 300, now=1000.0) is None
    held = store.claim_lease(db, "second", 300, now=1200.0)
    assert held == {"owner": "crashed", "expires_at": 1300.0}
    assert store.claim_lease(db, "second", 300, now=1301.0) is None
    assert store.claim_lease(db, "second", 300, now=1302.0) is None  # renewal
    store.release_lease(db, "crashed")  # not the holder: changes nothing
    assert store.claim_lease(db, "third", 300, now=1303.0)["owner"] == "second"


def test_alert_run_leaves_while_another_holds_the_lease(db, cfg, tmp_path):
    new_findings(db, cfg, 0)
    store.claim_lease(db, "other-host:1:x", 300)
    (line,) = alerting.send_alerts(db, cfg)
    assert "another alert run (other-host:1:x)" in line
    assert store.list_alerts(db) == [] and not (tmp_path / "outbox").exists()


def test_crash_after_acceptance_resends_once_with_the_same_message_id(
    db,
    cfg,
    smtp_server,  # noqa: F811
    monkeypatch,
):
    cfg.data["smtp"].update(host="127.0.0.1", port=smtp_server.port, security="none")
    new_findings(db, cfg, 0)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies before recording the send

    with monkeypatch.context() as patch:
        patch.setattr(store, "mark_sent", crash)
        with pytest.raises(KeyboardInterrupt):
            alerting.send_alerts(db, cfg)
    db.execute("DELETE FROM leases")  # what the lease's expiry does, later
    (line,) = alerting.send_alerts(db, cfg)
    assert "resent with the same Message-ID" in line
    assert alerting.send_alerts(db, cfg) == []
    (alert,) = store.list_alerts(db)
    first, second = (message_id(m) for m in smtp_server.messages)
    assert first == second == alert["message_id"]
    assert (alert["status"], alert["attempts"], alert["resends"]) == ("sent", 2, 1)


def test_digest_claims_exactly_what_it_counts(db, cfg):
    new_findings(db, cfg, 2)
    built = build_digest(db, cfg)
    alerting.store_digest(db, cfg)  # another run claimed the same events first
    with pytest.raises(store.ClaimConflict):
        message, events, crawls = built
        store.create_alert(db, "x", [], b"", "<x@y>", events, crawls)
    assert len(store.list_alerts(db)) == 1
