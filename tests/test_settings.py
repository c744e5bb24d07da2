"""Politeness: defaults for real hosts, full speed on loopback, Retry-After."""

import json

import pytest
from scrapy.http import Request, Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from spiders import settings as project
from spiders.middlewares import BackoffRetryMiddleware, retry_after_seconds
from spiders.platforms.sisnaker import SisnakerSpider
from spiders.platforms.tokopedia import TokopediaSpider


def effective(spider_cls, base_urls=None):
    settings = Settings()
    settings.setmodule(project)
    if base_urls is not None:
        settings.set("PRAKERJA_BASE_URLS", json.dumps(base_urls))
    spider_cls.update_settings(settings)
    return settings


def test_real_hosts_get_polite_defaults():
    s = effective(TokopediaSpider)
    assert s.getbool("ROBOTSTXT_OBEY")
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert s.getbool("AUTOTHROTTLE_ENABLED") and s.getfloat("DOWNLOAD_DELAY") >= 1
    assert "prakerja-monitor" in s.get("USER_AGENT") and "+https://" in s.get(
        "USER_AGENT"
    )
    assert s.getint("DOWNLOAD_MAXSIZE") > 0 and s.getint("CLOSESPIDER_PAGECOUNT") > 0
    assert s.getint("RETRY_TIMES") == 4  # at most 5 tries
    assert {429, 503} <= set(s.getlist("RETRY_HTTP_CODES"))


def test_sisnaker_keeps_its_crawl_delay_on_the_real_host():
    assert effective(SisnakerSpider).getfloat("DOWNLOAD_DELAY") >= 5


def test_loopback_base_runs_at_full_speed_but_still_obeys_robots():
    s = effective(SisnakerSpider, {"sisnaker": "http://127.0.0.1:8400/sisnaker"})
    assert not s.getbool("AUTOTHROTTLE_ENABLED")
    assert s.getfloat("DOWNLOAD_DELAY") == 0
    assert s.getbool("ROBOTSTXT_OBEY")


@pytest.mark.parametrize(
    ("header", "seconds"),
    [(b"7", 7.0), (b" 0 ", 0.0), (None, None), (b"soon", None)],
)
def test_retry_after_header(header, seconds):
    assert retry_after_seconds(header) == seconds


def test_retry_after_http_date_in_the_past_is_zero():
    assert retry_after_seconds(b"Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_backoff_honours_retry_after_and_the_cap():
    crawler = get_crawler(settings_dict={"PRAKERJA_BACKOFF_CAP": 30})
    mw = BackoffRetryMiddleware(crawler.settings)
    request = Request("http://127.0.0.1/x")
    asked = Response(request.url, status=429, headers={"Retry-After": "12"})
    assert mw.delay(request, asked) == 12
    greedy = Response(request.url, status=429, headers={"Retry-After": "3600"})
    assert mw.delay(request, greedy) == 30
    request.meta["retry_times"] = 3
    assert 8 <= mw.delay(request) <= 16  # 2 s doubled per retry, jittered
