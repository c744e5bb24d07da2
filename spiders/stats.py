"""The Scrapy stats keys the spiders write and the trust verdict reads: one home."""

# Paging (spiders/base.py writes, spiders/trust.py and spiders/extensions.py read)
PAGES_ANNOUNCED = "prakerja/pages/announced"
PAGES_REACHED = "prakerja/pages/reached"
UNCONFIRMED = "prakerja/pages/unconfirmed"  # a page showing another page number
PAGES_CAP = "prakerja/pages/cap"  # listing pages a crawl may request (extensions)
PAGES_CAPPED = "prakerja/pages/capped"  # why the pagination guard stopped paging
PAGES_DROPPED = "prakerja/pages/dropped"  # listing requests past the cap
LISTING_EMPTY = "prakerja/listing_empty"
UNREAD = "prakerja/listing/unread"  # listed, but its detail could not be read

# Responses
TRUNCATED = "prakerja/response/truncated"
ERROR_BODY = "prakerja/response/error_body"
REMOVED = "prakerja/removed"  # + "/<status>": a detail answered 404/410
RETRY_STATUS = "retry/{status}"  # a status the retry middleware retried


def layout_mismatch(slug: str) -> str:
    """The key counting pages that did not parse in the platform's contract shape."""
    return f"contract/{slug}/layout_mismatch"


# Items (spiders/pipelines.py)
ITEMS_VALID = "prakerja/items/valid"
ITEMS_DROPPED = "prakerja/items/dropped"
FIELD = "prakerja/field/{field}/{kind}"  # kind: missing, invalid, unknown


def field_stat(field: str, kind: str) -> str:
    return FIELD.format(field=field, kind=kind)


# The crawl row, the store and the archive
CRAWL_ID = "prakerja/crawl_id"
STORE_LOST = "prakerja/store/lost"
STORE_ERROR = "prakerja/store/error"  # set by the store pipeline
FATAL = "prakerja/fatal"  # why the crawl cannot go on (a storage fault)
WARC_PATH = "prakerja/warc_path"
EVIDENCE_RECORDS = "prakerja/evidence/records"
EVIDENCE_BYTES = "prakerja/evidence/bytes"
EVIDENCE_REVISITS = "prakerja/evidence/revisits"

# Scrapy's own keys the verdict and its causes read
DATALOSS = "retry/reason_count/scrapy.exceptions.ResponseDataLossError"
EXCEPTIONS = "downloader/exception_type_count/"
STATUSES = "downloader/response_status_count/"

# The finish reason of a crawl stopped by a storage fault (disk full, read-only,
# corrupted database): what it saw could not be kept, so it is failed.
STORAGE_ERROR = "storage_error"
