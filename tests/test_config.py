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


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        (
            '[platforms.tokopedia]\nenabled = "no"\n',
            "platforms.tokopedia.enabled",
            "true or false",
        ),
        ('[smtp]\nrecipients = "a@b"\n', "smtp.recipients", "a list"),
        ("[smtp]\nport = 99999\n", "smtp.port", "at most 65535"),
        ("[trust]\nmin_share = 8\n", "trust.min_share", "at most 1"),
        ("[trust]\nbaseline_crawls = 0\n", "trust.baseline_crawls", "at least 1"),
        ("[trust]\nagree = -0.1\n", "trust.agree", "at least 0"),
        (
            "[schedule]\ninterval_seconds = -5\n",
            "schedule.interval_seconds",
            "at least 0",
        ),
        ('[crawl]\nparallel = "four"\n', "crawl.parallel", "a whole number"),
        ("[crawl]\nparallel = 0\n", "crawl.parallel", "at least 1"),
        ('[smtp]\nsender = "pmo at example"\n', "smtp.sender", "not an e-mail"),
        (
            '[smtp]\nrecipients = ["ok@x.id", "bad@@x"]\n',
            "smtp.recipients.1",
            "not an e-mail",
        ),
        ('[smtp]\nsecurity = "tls"\n', "smtp.security", "'starttls', 'ssl'"),
        (
            '[schedule]\ntimezone = "Asia/Jakartaa"\n',
            "schedule.timezone",
            "unknown time zone",
        ),
        ('[schedule]\ncron = "61 * * * *"\n', "schedule.cron", "bad cron"),
        (
            '[platforms.sisnaker]\nbase_url = "prakerja.kemnaker.go.id"\n',
            "platforms.sisnaker.base_url",
            "not an http(s) URL",
        ),
        ("[evidence]\nretention_days = 0\n", "evidence.retention_days", "at least 1"),
        (
            '[smtp]\nrecipiants = ["a@b.id"]\n',
            "unknown setting 'recipiants'",
            "did you mean 'recipients'",
        ),
        ('databse = "x.db"\n', "unknown setting 'databse'", "did you mean 'database'"),
        (
            "[platforms.tokopdia]\nenabled = true\n",
            "unknown platform 'tokopdia'",
            "did you mean 'tokopedia'",
        ),
    ],
)
def test_each_bad_value_is_one_line_naming_file_and_key(
    tmp_path, capsys, text, key, expected
):
    from monitor.cli import main

    path = write(tmp_path, text)
    assert main(["config", "--config", str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert f"{path}: {key}" in lines[0] and expected in lines[0], lines[0]


def test_every_problem_gets_its_own_line(tmp_path):
    path = write(tmp_path, "[crawl]\nparallel = 0\ntimeout = -1\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    lines = str(caught.value).splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "crawl.parallel",
        "crawl.timeout",
    ]


def test_environment_values_are_validated_too():
    with pytest.raises(ConfigError, match=r"\$PRAKERJA_MONITOR_SMTP_PORT .*smtp\.port"):
        load_config(env={"PRAKERJA_MONITOR_SMTP_PORT": "0"})
    with pytest.raises(
        ConfigError, match="PRAKERJA_MONITOR_PARALLEL: expected a whole"
    ):
        load_config(env={"PRAKERJA_MONITOR_PARALLEL": "four"})
    cfg = load_config(env={"PRAKERJA_MONITOR_RECIPIENTS": "a@x.id, b@y.id"})
    assert cfg["smtp"]["recipients"] == ["a@x.id", "b@y.id"]


def test_toml_datetimes_are_accepted_as_times(tmp_path):
    cfg = load_config(write(tmp_path, "halt = 2020-06-30T00:00:00+07:00\n"), env={})
    assert cfg["halt"] == "2020-06-30T00:00:00+07:00"


def test_the_defaults_pass_the_schema():
    from monitor.config import DEFAULTS, validate

    assert validate(dict(DEFAULTS), "defaults")["crawl"]["parallel"] == 4


def test_every_trust_threshold_in_the_file_reaches_the_crawl(tmp_path):
    """Each [trust] key becomes the crawl process's PRAKERJA_TRUST_* setting, and
    the verdict's thresholds read it back (none stays at its default)."""
    from scrapy.settings import Settings

    from monitor.run.crawl import runner_for
    from spiders.trust import Thresholds
    from storage.facts import TRUST_DEFAULTS

    chosen = {
        "min_share": 0.7,
        "min_coverage": 0.85,
        "max_error_rate": 0.1,
        "max_coverage_drop": 0.3,
        "baseline_crawls": 3,
        "agree": 0.1,
    }
    assert set(chosen) == set(TRUST_DEFAULTS)
    assert all(chosen[k] != TRUST_DEFAULTS[k] for k in chosen)
    text = "[trust]\n" + "".join(f"{k} = {v}\n" for k, v in chosen.items())
    cfg = load_config(write(tmp_path, text), env={})
    command = runner_for(cfg).command("tokopedia")
    pairs = [command[i + 1] for i, arg in enumerate(command) if arg == "-s"]
    settings = Settings(dict(pair.split("=", 1) for pair in pairs))
    assert vars(Thresholds.from_settings(settings)) == chosen
