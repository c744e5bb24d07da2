"""Scrapy settings of prakerja-monitor: polite defaults for the real hosts."""

from storage.facts import TRUST_DEFAULTS

BOT_NAME = "prakerja-monitor"
SPIDER_MODULES = ["spiders.platforms"]
NEWSPIDER_MODULE = "spiders.platforms"

USER_AGENT = (
    "prakerja-monitor/0.1 (+https://github.com/prakerja-monitor/prakerja-monitor;"
    " compliance monitor for the Kartu Prakerja PMO)"
)
ROBOTSTXT_OBEY = True

# Politeness for real hosts; spiders relax these for a loopback base (the replica).
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1
AUTOTHROTTLE_MAX_DELAY = 60
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
CLOSESPIDER_PAGECOUNT = 250_000  # page cap per crawl

# Retries: 429 and 5xx, at most 5 tries, backoff honouring Retry-After.
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
PRAKERJA_BACKOFF_BASE = 2.0  # seconds, doubled per retry
PRAKERJA_BACKOFF_CAP = 120.0  # seconds
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.BackoffRetryMiddleware": 550,
    # Conditional recrawls (If-None-Match/If-Modified-Since, 304 = unchanged):
    # where Scrapy's HttpCacheMiddleware sits; cache in <database>.httpcache/.
    "spiders.conditional.ConditionalMiddleware": 900,
}
PRAKERJA_CONDITIONAL = True  # False: fetch every page in full on every crawl

SPIDER_MIDDLEWARES = {
    "spiders.evidence.ArchiveMiddleware": 950,
    "spiders.extensions.PaginationGuard": 900,
}
# Listing pages a crawl may request: 3x the most its last complete crawls
# announced (at least 50), or 5000 for a platform's first crawl.
PRAKERJA_PAGE_CAP_FACTOR = 3.0
PRAKERJA_PAGE_CAP_MIN = 50
PRAKERJA_PAGE_CAP_FIRST = 5000
PRAKERJA_EVIDENCE_DIR = None  # per-crawl WARC files of the responses behind items
PRAKERJA_OPERATOR = ""  # who runs the crawl, written into each WARC's warcinfo
PRAKERJA_CONTACT = ""

ITEM_PIPELINES = {
    "spiders.pipelines.NormalizePipeline": 100,
    "spiders.pipelines.ValidatePipeline": 200,
    "spiders.store.StorePipeline": 300,
}

# Where the store pipeline writes; None disables storing (e.g. `scrapy crawl -O`).
PRAKERJA_DB_PATH = None
PRAKERJA_NOW = None  # ISO time the crawl counts as observed at; default: wall clock
PRAKERJA_BASE_URLS = {}
PRAKERJA_STORE_BATCH = 500
# Trust verdict thresholds (spiders/trust.py); meanings and defaults: storage.facts.
PRAKERJA_TRUST_MIN_SHARE = TRUST_DEFAULTS["min_share"]
PRAKERJA_TRUST_MIN_COVERAGE = TRUST_DEFAULTS["min_coverage"]
PRAKERJA_TRUST_MAX_ERROR_RATE = TRUST_DEFAULTS["max_error_rate"]
PRAKERJA_TRUST_MAX_COVERAGE_DROP = TRUST_DEFAULTS["max_coverage_drop"]
PRAKERJA_TRUST_BASELINE_CRAWLS = TRUST_DEFAULTS["baseline_crawls"]
PRAKERJA_TRUST_AGREE = TRUST_DEFAULTS["agree"]

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
# Items per response processed in parallel; the default (100) spends CPU on
# asyncio tasks for nothing here (bench: -30% crawl CPU at 16).
CONCURRENT_ITEMS = 16
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
# Stats without Scrapy's deprecation shim on every call (spiders/collector.py).
STATS_CLASS = "spiders.collector.PlainStatsCollector"
# Scrapy's warning for a generator callback that returns a value re-reads the
# callback's source (inspect.getsource, ast) on every response: a development
# aid whose cost each page paid; the spider tests assert every item a callback
# yields, which a lost return value would change.
WARN_ON_GENERATOR_RETURN_VALUE = False

EXTENSIONS = {
    "spiders.extensions.ProgressReporter": 500,
    "spiders.extensions.StorageGuard": 510,
}
PRAKERJA_PROGRESS = False
PRAKERJA_PROGRESS_S = 1.0
