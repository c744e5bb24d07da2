"""Retries of 429 and 5xx with exponential backoff that honours Retry-After."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message

from spiders.stats import RETRY_STATUS


def retry_after_seconds(value: bytes | str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that waits before each retry: Retry-After, else 2^n backoff."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("PRAKERJA_BACKOFF_BASE", 2.0)
        self.cap = settings.getfloat("PRAKERJA_BACKOFF_CAP", 120.0)

    def delay(self, request, response=None) -> float:
        retries = request.meta.get("retry_times", 0)
        wanted = None
        if response is not None:
            wanted = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wanted is None:
            wanted = self.base * (2**retries) * random.uniform(0.5, 1.0)
        return min(wanted, self.cap)

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False):
            return response
        if response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        self.crawler.stats.inc_value(RETRY_STATUS.format(status=response.status))
        await asyncio.sleep(self.delay(request, response))
        return retry
