"""Each shared fact has one home; the replica's own copy agrees with it."""

import ast
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from monitor import platforms
from monitor.config import DEFAULTS
from replica import scenario
from replica.model import SLUGS as REPLICA_SLUGS
from spiders import settings as spider_settings
from spiders.trust import Thresholds
from storage.facts import CONFIGURABLE_TRUST, TRUST_DEFAULTS

ROOT = Path(__file__).parent.parent
PACKAGES = ("spiders", "storage", "monitor", "bench")  # replica keeps its own copy


def _definitions() -> dict[str, list[str]]:
    """Module-level names assigned or defined, to the modules that define them."""
    found: dict[str, list[str]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                if isinstance(node, ast.Assign):
                    targets = [t for t in node.targets if isinstance(t, ast.Name)]
                    targets += [
                        e
                        for t in node.targets
                        if isinstance(t, ast.Tuple)
                        for e in t.elts
                        if isinstance(e, ast.Name)
                    ]
                    names = [t.id for t in targets]
                elif isinstance(node, ast.AnnAssign | ast.FunctionDef):
                    target = getattr(node, "target", None)
                    names = [target.id if target is not None else node.name]
                else:
                    continue
                where = str(path.relative_to(ROOT))
                for name in names:
                    found.setdefault(name, []).append(where)
    return found


@pytest.mark.parametrize(
    "name",
    [
        "HALT",
        "JAKARTA",
        "TIMEZONE",
        "is_loopback",
        "COMPLETE",
        "INCOMPLETE",
        "FAILED",
        "RUNNING",
        "OPEN",
        "RESOLVED",
        "TRUST_DEFAULTS",
        "PAGES_ANNOUNCED",
        "TRUNCATED",
        "FATAL",
        "STORE_ERROR",
        "SLUGS",
        "DISPLAY_NAMES",
    ],
)
def test_one_definition(name):
    homes = _definitions().get(name, [])
    assert len(homes) == 1, f"{name} defined in {homes}"


def test_replica_platforms_and_dates_agree_with_the_monitor():
    assert REPLICA_SLUGS == platforms.SLUGS == tuple(platforms.DISPLAY_NAMES)
    halt = datetime.fromisoformat(platforms.HALT)
    assert halt.utcoffset() == platforms.JAKARTA.utcoffset(None)
    assert halt.date().isoformat() == scenario.HALT
    # the platforms react on the first day after the halt
    assert date.fromisoformat(scenario.CHANGE) == halt.date() + timedelta(days=1)
    assert DEFAULTS["halt"] == platforms.HALT
    assert DEFAULTS["schedule"]["timezone"] == platforms.TIMEZONE == "Asia/Jakarta"


def test_trust_thresholds_read_one_definition():
    assert Thresholds() == Thresholds(**TRUST_DEFAULTS)
    assert DEFAULTS["trust"] == {k: TRUST_DEFAULTS[k] for k in CONFIGURABLE_TRUST}
    for name, value in TRUST_DEFAULTS.items():
        assert getattr(spider_settings, f"PRAKERJA_TRUST_{name.upper()}") == value


def test_the_contract_samples_exist_once():
    """tests/fixtures holds only what the samples should yield; the samples
    themselves are read from replica/data, where the replica serves them."""
    kept = {p.name for p in (ROOT / "tests" / "fixtures").rglob("*") if p.is_file()}
    assert kept == {"expected.json"}
    assert len(list((ROOT / "replica" / "data").glob("*/robots.txt"))) == 8
