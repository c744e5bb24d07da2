"""The digest e-mail: content, escaping, headers, SMTP delivery and the outbox."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from helpers import format_idr, format_time
from smtp_server import free_port, smtp_server  # noqa: F401 - pytest fixture

from monitor.digest.delivery import DeliveryError, SmtpSettings, deliver, write_outbox
from monitor.digest.render import (
    digest_subject,
    one_line,
    render_digest,
)
from monitor.digest.shapes import CrawlHealth, Evidence, Finding

GENERATED = "2020-07-16T08:00:00+07:00"
RECIPIENTS = ["pmo@prakerja.example.org", "audit@prakerja.example.org"]
SENDER = "prakerja-monitor@monitor.example.org"
HOSTILE = (
    'Evil\r\nBcc: victim@evil.example\r\nSubject: hacked <script>alert("x")</script>'
)


def finding(id=1, platform="bukalapak", **fields):
    base = {
        "id": id,
        "platform": platform,
        "listing_id": "4g1m2xb",
        "title": "Paket Pelatihan Wirausaha Kuliner Rumahan (4 Kelas)",
        "provider": "Dapur Ibu Nusantara",
        "url": "http://127.0.0.1:8400/bukalapak/p/kartu-prakerja/pelatihan/4g1m2xb-jual",
        "price_idr": 900000,
        "list_price_idr": 2100000,
        "components": ["Kue Basah", "Katering", "Frozen Food", "Kemasan"],
        "payment_methods": ["Kartu Prakerja", "Saldo Bukalapak", "DANA"],
        "first_seen_at": "2020-07-08T10:00:00+07:00",
        "last_seen_at": "2020-07-15T10:00:00+07:00",
        "crawl_ids": [3, 7],
        "rule": "bundle-prakerja-after-halt",
        "rule_version": "1",
        "bundle_reasons": ["label:Paket Hemat", "components:4"],
    }
    base.update(fields)
    return base


PINTARIA_DOWN = CrawlHealth(
    platform="pintaria",
    since="2020-07-15T10:00:00+07:00",
    status="incomplete",
    reasons=["layout changed: div.course-card missing on the listing page"],
    crawl_ids=[12],
)


def digest(new=(), reopened=(), resolved=(), health=(), **kwargs):
    kwargs.setdefault("recipients", RECIPIENTS)
    kwargs.setdefault("sender", SENDER)
    kwargs.setdefault("language", "en")  # these tests pin the English wording
    return render_digest(new, reopened, resolved, health, GENERATED, **kwargs)


def parts(message):
    """The text and HTML bodies (the alternatives inside multipart/mixed)."""
    return {
        kind: message.get_body((kind,)).get_content() for kind in ("plain", "html")
    } | {
        "text/plain": message.get_body(("plain",)).get_content(),
        "text/html": message.get_body(("html",)).get_content(),
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1500000, "Rp1.500.000"),
        (750000, "Rp750.000"),
        (0, "Rp0"),
        (999, "Rp999"),
        (1000, "Rp1.000"),
        (-5000, "-Rp5.000"),
        (None, "-"),
        (True, "-"),
        (float("nan"), "-"),
        ("1500000", "-"),
    ],
)
def test_format_idr(value, text):
    assert format_idr(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("2020-07-15T10:00:00+07:00", "2020-07-15 10:00 +07:00"),
        ("2020-07-15T03:00:00Z", "2020-07-15 03:00 +00:00"),
        ("2020-07-15T10:00:00", "2020-07-15 10:00"),
        (None, "-"),
        ("kemarin\r\nBcc: x", "kemarin Bcc: x"),
    ],
)
def test_format_time(value, text):
    assert format_time(value) == text


def test_one_line_strips_controls_and_breaks():
    assert one_line("a\r\nb\tc\x00d\u2028e\u202ef\x85g") == "a b c d e f g"
    assert len(one_line("x" * 10_000)) == 500


@pytest.mark.parametrize(
    ("counts", "subject"),
    [
        (
            (3, 0, 1, 1),
            "[prakerja-monitor] 3 new bundles still payable with Kartu Prakerja on"
            " Bukalapak and Sisnaker; 1 bundle stopped; 1 platform could not be"
            " verified: Pintaria",
        ),
        (
            (1, 0, 0, 0),
            "[prakerja-monitor] 1 new bundle still payable with Kartu Prakerja on"
            " Bukalapak",
        ),
        (
            (0, 2, 0, 0),
            "[prakerja-monitor] 2 bundles payable with Kartu Prakerja again on"
            " Bukalapak",
        ),
        ((0, 0, 0, 2), "[prakerja-monitor] 1 platform could not be verified: Pintaria"),
        ((0, 0, 0, 0), "[prakerja-monitor] no changes"),
    ],
)
def test_subject_from_counts(counts, subject):
    new, reopened, resolved, health = counts
    platforms = ["bukalapak", "sisnaker", "bukalapak"]
    message = digest(
        [Finding(i, platforms[i % 3]) for i in range(new)],
        [Finding(10 + i, "bukalapak") for i in range(reopened)],
        [Finding(20 + i, "sisnaker") for i in range(resolved)],
        [PINTARIA_DOWN] * health,
    )
    assert message["Subject"] == subject


def test_subject_never_holds_scraped_text():
    hostile = Finding(1, "bukalapak\r\nBcc: x@evil.example", title=HOSTILE)
    assert digest_subject([hostile], language="en") == (
        "[prakerja-monitor] 1 new bundle still payable with Kartu Prakerja on"
        " unknown platform"
    )


def test_message_is_multipart_with_headers():
    message = digest([finding()], health=[PINTARIA_DOWN], digest_id="alert-17")
    assert message.get_content_type() == "multipart/mixed"
    body, attached = message.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in body.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert (attached.get_content_type(), attached.get_filename()) == (
        "text/csv",
        "findings.csv",
    )
    assert '<html lang="en">' in parts(message)["text/html"]
    assert message["From"] == SENDER
    assert message["To"] == ", ".join(RECIPIENTS)
    assert message["Date"] == "Thu, 16 Jul 2020 08:00:00 +0700"
    assert message["X-Prakerja-Digest"] == "alert-17"
    assert re.fullmatch(r"<[^<>@\s]+@monitor\.example\.org>", message["Message-ID"])


def test_default_digest_id_is_stable():
    first = digest([finding()], health=[PINTARIA_DOWN])
    second = digest([finding()], health=[PINTARIA_DOWN])
    assert first["X-Prakerja-Digest"] == second["X-Prakerja-Digest"]
    assert first["Message-ID"] != second["Message-ID"]
    other = digest([finding(id=2)], health=[PINTARIA_DOWN])
    assert other["X-Prakerja-Digest"] != first["X-Prakerja-Digest"]


def test_finding_fields_in_both_parts():
    evidence = {1: Evidence("crawl-7.warc.gz", "<urn:uuid:0f3a>", "ab" * 32)}
    message = digest([finding()], evidence=evidence)
    text = parts(message)["text/plain"]
    for line in [
        "[#1] Paket Pelatihan Wirausaha Kuliner Rumahan (4 Kelas)",
        "  Status:            new",
        "  Why a bundle:      platform label 'Paket Hemat'; 4 classes listed",
        "  Price:             Rp900.000 (struck-through Rp2.100.000)",
        "  Classes:           Kue Basah; Katering; Frozen Food; Kemasan",
        "  Payment methods:   Kartu Prakerja, Saldo Bukalapak, DANA",
        "  Training provider: Dapur Ibu Nusantara",
        "  First seen:        8 July 2020, 10:00 WIB",
        "  Last seen:         15 July 2020, 10:00 WIB",
        "  Listing:           http://127.0.0.1:8400/bukalapak/p/kartu-prakerja/"
        "pelatihan/4g1m2xb-jual",
        "  Evidence:          E" + "ab" * 6 + " (SHA-256 " + "ab" * 32 + ")",
    ]:
        assert line in text.splitlines()
    assert "label:" not in text and "components:" not in text
    assert "crawl-7.warc.gz" not in text  # no file of this machine in an e-mail
    html = parts(message)["text/html"]
    assert "<s>Rp2.100.000</s>" in html
    assert "<li>Frozen Food</li>" in html
    assert "crawl-7.warc.gz" not in html and "urn:uuid:0f3a" not in html
    assert '<a href="http://127.0.0.1:8400/bukalapak/p/kartu-prakerja/' in html
    evidence_csv = [p for p in message.iter_attachments()][1]
    assert evidence_csv.get_filename() == "evidence.csv"
    assert "<urn:uuid:0f3a>," + "ab" * 32 in evidence_csv.get_content()


def test_no_evidence_line_without_evidence():
    text = parts(digest([finding()]))["text/plain"]
    assert "Evidence:" not in text
    assert [p.get_filename() for p in digest([finding()]).iter_attachments()] == [
        "findings.csv"
    ]


def test_sections_grouped_per_platform():
    message = digest(
        new=[finding(3, "sisnaker"), finding(1, "tokopedia"), finding(2, "sisnaker")],
        reopened=[finding(4, "pijarmahir")],
        resolved=[
            finding(5, "pintaria", resolution="prakerja-payment-dropped"),
            finding(6, "skillacademy", resolution="unbundled"),
        ],
        health=[PINTARIA_DOWN],
    )
    text = parts(message)["text/plain"]
    headings = [line for line in text.splitlines() if line.startswith("==")]
    assert headings == [  # by platform since issue 15, no longer by state first
        "== Pijar Mahir: 1 payable again ==",
        "== Pintaria: 1 resolved ==",
        "== Sisnaker: 2 new ==",
        "== Skill Academy: 1 resolved ==",
        "== Tokopedia: 1 new ==",
        "== Crawl health ==",
    ]
    ids = re.findall(r"^\[#(\d+)\]", text, re.M)
    assert ids == ["4", "5", "2", "3", "6", "1"]
    assert "  Status:            resolved: no longer payable with Kartu Prakerja" in (
        text.splitlines()
    )
    assert "  Status:            resolved: no longer sold as a bundle" in (
        text.splitlines()
    )
    assert "unbundled" not in text
    assert (
        "- Pintaria could not be verified since 15 July 2020, 10:00 WIB: the pages"
        " changed their layout (div.course-card missing on the listing page)."
    ) in text.splitlines()
    assert (
        "Pintaria could not be verified since 15 July 2020, 10:00 WIB"
        in (parts(message)["text/html"])
    )


def test_empty_digest_says_so():
    message = digest()
    assert "Nothing changed since the last digest." in parts(message)["text/plain"]
    assert message["Subject"] == "[prakerja-monitor] no changes"


def test_inputs_as_dicts_dataclasses_and_json_text():
    as_dict = finding(components='["A", "B"]', payment_methods='["Kartu Prakerja"]')
    as_dataclass = Finding(**finding(components=["A", "B"]))
    health = {"platform": "pintaria", "since": None, "reasons": '["failed"]'}
    for item in (as_dict, as_dataclass):
        text = parts(digest([item], health=[health]))["text/plain"]
        assert "  Classes:           A; B" in text
        assert "- Pintaria could not be verified: failed." in text


def test_scraped_text_cannot_inject_headers_or_markup():
    benign = digest([finding()], digest_id="d1")
    message = digest(
        [
            finding(
                title=HOSTILE,
                provider="<img src=x onerror=alert(1)>",
                url='javascript:alert("x")',
                components=["<b>A</b>", "B\r\nX-Evil: 1"],
                payment_methods=["Kartu & Prakerja"],
                bundle_reasons=["label:<i>Paket</i>"],
            )
        ],
        digest_id="d1",
    )
    assert message.keys() == benign.keys()
    assert message["Subject"] == benign["Subject"]
    assert "Bcc" not in message and message.get_all("Subject") == [benign["Subject"]]
    text = parts(message)["text/plain"]
    assert not re.search(r"^(Bcc|Subject|X-Evil):", text, re.M)
    assert f"[#1] {one_line(HOSTILE)}" in text.splitlines()
    html = parts(message)["text/html"]
    assert "<script" not in html and "<img" not in html and "<b>A" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "Kartu &amp; Prakerja" in html
    assert 'href="javascript' not in html
    reparsed = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    assert reparsed.keys() == benign.keys()


def test_deliver_to_a_real_smtp_server(smtp_server):  # noqa: F811
    message = digest([finding(title=HOSTILE)], health=[PINTARIA_DOWN])
    settings = SmtpSettings(smtp_server.host, smtp_server.port, security="none")
    message_id = deliver(message, settings)
    assert message_id == message["Message-ID"]
    [received] = smtp_server.messages
    assert received.mail_from == SENDER
    assert received.rcpt_tos == RECIPIENTS
    arrived = email.message_from_bytes(received.content, policy=policy.default)
    assert arrived["Message-ID"] == message_id
    assert arrived["Subject"] == (
        "[prakerja-monitor] 1 new bundle still payable with Kartu Prakerja on"
        " Bukalapak; 1 platform could not be verified: Pintaria"
    )
    assert arrived["Bcc"] is None
    assert arrived.get_content_type() == "multipart/mixed"
    got = parts(arrived)
    assert "Rp900.000" in got["text/plain"] and "Rp900.000" in got["text/html"]
    assert "&lt;script&gt;" in got["text/html"] and "<script" not in got["text/html"]


def test_deliver_takes_the_config_table(smtp_server):  # noqa: F811
    config = {"host": smtp_server.host, "port": smtp_server.port, "security": "none"}
    deliver(digest([finding()]), config)
    assert len(smtp_server.messages) == 1


def test_dead_server_raises_delivery_error():
    settings = SmtpSettings("127.0.0.1", free_port(), security="none", timeout=5)
    with pytest.raises(DeliveryError, match="cannot connect"):
        deliver(digest([finding()]), settings)


def test_starttls_refused_raises_delivery_error(smtp_server):  # noqa: F811
    settings = SmtpSettings(smtp_server.host, smtp_server.port, security="starttls")
    with pytest.raises(DeliveryError, match="failed"):
        deliver(digest([finding()]), settings)
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        (SmtpSettings(""), "no SMTP host"),
        (SmtpSettings("127.0.0.1", security="tls"), "unknown SMTP security"),
        (SmtpSettings("127.0.0.1", user="pmo"), "PRAKERJA_MONITOR_SMTP_PASSWORD"),
    ],
)
def test_bad_settings_raise_delivery_error(settings, match):
    with pytest.raises(DeliveryError, match=match):
        deliver(digest([finding()]), settings)


def test_settings_from_config_table():
    settings = SmtpSettings.from_config(
        {"host": "smtp.example.org", "port": 465, "security": "ssl", "user": "pmo"},
        password="s3cret",
    )
    assert settings == SmtpSettings("smtp.example.org", 465, "ssl", "pmo", "s3cret")


def test_write_outbox(tmp_path):
    message = digest([finding()], health=[PINTARIA_DOWN], digest_id="alert-17")
    folder = tmp_path / "outbox"
    path = write_outbox(message, folder)
    assert path.parent == folder
    assert path.name == "20200716T010000Z-alert-17.eml"
    assert [p.name for p in folder.iterdir()] == [path.name]
    parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["Subject"] == message["Subject"]
    assert parsed["Message-ID"] == message["Message-ID"]
    assert parts(parsed)["text/plain"].splitlines() == (
        parts(message)["text/plain"].splitlines()
    )
    assert write_outbox(message, folder) == path
    assert len(list(folder.iterdir())) == 1
