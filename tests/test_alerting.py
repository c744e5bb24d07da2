"""Digests from the database: stored before delivery, delivered once, retried."""

import email
import email.policy
from pathlib import Path

from smtp_server import free_port, smtp_server  # noqa: F401 - fixture
from test_findings import BUNDLE
from test_storage import item

from monitor.digest.send import send_alerts
from monitor.judge.check import check_all
from storage import alerts as store
from storage import snapshots as s


def crawl(db, cfg, items, status="complete", day=2, reasons=()):
    now = f"2020-07-{day:02d}T10:00:00+07:00"
    cid = s.start_crawl(db, "tokopedia", observed_at=now)
    s.save_listings(db, cid, items)
    health = [{"code": "x", "message": m} for m in reasons]
    s.finish_crawl(db, cid, status, "finished", len(items), 1, 0, health)
    check_all(db, cfg, probe=lambda url: False)
    return cid


def use_smtp(cfg, port):
    cfg.data["smtp"].update(host="127.0.0.1", port=port, security="none")


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_outbox_gets_one_digest_and_a_second_run_nothing(db, cfg, tmp_path):
    crawl(db, cfg, [item("9", **BUNDLE), item("1")])
    (path,) = send_alerts(db, cfg)
    assert path.endswith(".eml")
    message = parse(Path(path).read_bytes())
    assert "1 paket baru" in message["Subject"] and "Tokopedia" in message["Subject"]
    assert send_alerts(db, cfg) == []
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    (alert,) = store.list_alerts(db)
    assert alert["status"] == "sent" and alert["outbox_path"] == path


def test_smtp_delivers_once(db, cfg, smtp_server):  # noqa: F811
    use_smtp(cfg, smtp_server.port)
    crawl(db, cfg, [item("9", **BUNDLE, title="<b>Paket</b> Barista\r\nBcc: x@y")])
    send_alerts(db, cfg)
    send_alerts(db, cfg)
    (received,) = smtp_server.messages
    message = parse(received.content)
    assert message.is_multipart()
    html = message.get_body(("html",)).get_content()
    assert "&lt;b&gt;Paket&lt;/b&gt;" in html and "<b>Paket</b>" not in html
    assert "Bcc" not in message and "Barista" not in message["Subject"]
    (alert,) = store.list_alerts(db)
    assert (alert["status"], alert["attempts"]) == ("sent", 1)
    assert alert["message_id"] == message["Message-ID"]


def test_smtp_down_twice_then_up_delivers_each_digest_once(db, cfg, smtp_server):  # noqa: F811
    use_smtp(cfg, free_port())  # nobody listens
    crawl(db, cfg, [item("9", **BUNDLE)], day=2)
    assert "NOT delivered" in send_alerts(db, cfg)[0]
    crawl(db, cfg, [item("9", **BUNDLE), item("8", **BUNDLE)], day=3)
    assert all("NOT delivered" in line for line in send_alerts(db, cfg))
    failed = store.list_alerts(db)
    assert [a["status"] for a in failed] == ["failed", "failed"]
    assert failed[0]["attempts"] == 2 and failed[0]["last_error"]

    use_smtp(cfg, smtp_server.port)
    send_alerts(db, cfg)
    send_alerts(db, cfg)
    ids = [parse(m.content)["Message-ID"] for m in smtp_server.messages]
    assert ids == [a["message_id"] for a in failed]  # each once, in order
    assert [a["status"] for a in store.list_alerts(db)] == ["sent", "sent"]


def test_untrusted_crawl_goes_to_crawl_health(db, cfg):
    crawl(db, cfg, [item("1")], day=2)
    crawl(db, cfg, [], status="incomplete", day=3, reasons=["layout changed: v2"])
    (path,) = send_alerts(db, cfg)
    message = parse(Path(path).read_bytes())
    text = message.get_body(("plain",)).get_content()
    assert "Tokopedia" in text and "tampilan halaman platform berubah (v2)" in text
    assert "1 platform tidak dapat diverifikasi" in message["Subject"]
    assert send_alerts(db, cfg) == []


def test_dry_run_stores_and_sends_nothing(db, cfg, tmp_path):
    crawl(db, cfg, [item("9", **BUNDLE)])
    (text,) = send_alerts(db, cfg, dry_run=True)
    assert "Subject:" in text
    assert store.list_alerts(db) == []
    assert not (tmp_path / "outbox").exists()
