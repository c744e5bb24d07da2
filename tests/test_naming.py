"""One slug names the spider module, its name, its fixtures, tests and renderer."""

from pathlib import Path

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from spider_contracts import PLATFORMS as CONTRACTS

from monitor.config import SLUGS
from replica.model import SLUGS as REPLICA_SLUGS

ROOT = Path(__file__).parent.parent


def test_scrapy_lists_exactly_the_eight_platforms(monkeypatch):
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "spiders.settings")
    loader = SpiderLoader.from_settings(get_project_settings())
    assert sorted(loader.list()) == sorted(SLUGS) == sorted(REPLICA_SLUGS)


@pytest.mark.parametrize("slug", SLUGS)
def test_slug_names_everything(slug, monkeypatch):
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "spiders.settings")
    spider = SpiderLoader.from_settings(get_project_settings()).load(slug)
    assert spider.name == slug
    assert spider.__module__ == f"spiders.platforms.{slug}"
    assert spider.__name__ == slug.capitalize() + "Spider"
    assert (ROOT / "tests" / "fixtures" / slug / "expected.json").is_file()
    # its contract test: the shared table, plus test_spider_<slug>.py when the
    # platform needs more than the shared contract
    assert slug in CONTRACTS
    assert (ROOT / "replica" / "platforms" / f"{slug}.py").is_file()
    assert (ROOT / "replica" / "data" / slug / "robots.txt").is_file()
