"""The crawl's stats collector: Scrapy's in-memory one, without its per-call shim."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class PlainStatsCollector(MemoryStatsCollector):
    """``MemoryStatsCollector`` with plain attribute access.

    Scrapy's ``StatsCollector.__getattribute__`` wraps every stats method in a
    check for a deprecated ``spider`` argument, and looks up a ``_cached_<name>``
    attribute first on *every* attribute access (its own ``self._stats`` included,
    which raises and catches an ``AttributeError`` each time). A crawl calls the
    collector several times per page and per item (evidence, fields, paging), so
    that costs real CPU. Nothing here passes ``spider``; the values are the same.
    """

    __getattribute__ = object.__getattribute__
