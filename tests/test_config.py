"""Configuration: defaults, the TOML file, environment overrides, validation."""

import re
from pathlib import Path

import pytest

from monitor.config import ConfigError, load_config

EXAMPLE = "prakerja-monitor.example.toml"


def write(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text)
    return path


def test_defaults_work_without_a_file():
    cfg = load_config(env={})
    assert cfg.database == "prakerja.db" and cfg.source == "defaults"
    assert len(cfg.enabled_platforms()) == 8
    assert cfg["partners"]["skillacademy"]["until"].startswith("2020-09-04")


def test_shipped_example_is_valid_and_documents_every_section():
    cfg = load_config(EXAMPLE, env={})
    text = Path(EXAMPLE).read_text("utf-8")
    for section in ("[schedule]", "[smtp]", "[trust]", "[platforms.", "[partners."):
        assert section in text
    assert cfg.source == EXAMPLE


def test_file_and_environment_override(tmp_path):
    path = write(tmp_path, 'database = "x.db"\n[platforms.sisnaker]\nenabled = false\n')
    env = {"PRAKERJA_MONITOR_SMTP_HOST": "mail.example", "PRAKERJA_MONITOR_DB": "y.db"}
    cfg = load_config(path, env=env)
    assert cfg.database == "y.db"
    assert "sisnaker" not in cfg.enabled_platforms()
    assert cfg["smtp"]["host"] == "mail.example"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[platforms.shopee]\nenabled = true\n", "unknown platform 'shopee'"),
        ('[schedule]\ncron = "every day"\n', "bad cron expression"),
        ('[platforms.tokopedia]\nbase_url = "ftp://x"\n', "is not an http(s) URL"),
        ('halt = "2020-06-30"\n', "needs a UTC offset"),
        ("colour = 1\n", "unknown setting 'colour'"),
        (
            '[smtp]\npassword = "hunter2"\n',
            "secrets in $PRAKERJA_MONITOR_SMTP_PASSWORD",
        ),
        ("this is not toml", "not valid TOML"),
    ],
)
def test_validation_errors_are_clear(tmp_path, text, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(write(tmp_path, text), env={})


def test_unreadable_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_config(tmp_path / "missing.toml", env={})


def test_show_masks_the_password(capsys):
    import os

    from monitor.cli import main

    os.environ["PRAKERJA_MONITOR_SMTP_PASSWORD"] = "hunter2"
    try:
        assert main(["config", "--show", "--config", EXAMPLE]) == 0
    finally:
        del os.environ["PRAKERJA_MONITOR_SMTP_PASSWORD"]
    out = capsys.readouterr().out
    assert "hunter2" not in out and '"password": "***"' in out
