"""Facts the spiders and the monitor share (both import storage): status words,
trust thresholds and their defaults, what counts as a loopback host."""

from __future__ import annotations

from ipaddress import ip_address

# A crawl's status (crawls.status; migrations.py holds the same words as a CHECK).
RUNNING, COMPLETE, INCOMPLETE, FAILED = "running", "complete", "incomplete", "failed"
# A finding's status (findings.status).
OPEN, RESOLVED = "open", "resolved"

# The trust verdict's thresholds (spiders/trust.py) and their defaults: the spiders'
# PRAKERJA_TRUST_* settings and the monitor's [trust] config table read these.
TRUST_DEFAULTS = {
    "min_share": 0.8,  # items vs the median of the last 3 complete crawls
    "min_coverage": 0.9,  # absolute floor: share of listed items with a title
    "max_error_rate": 0.05,  # failed responses per response
    "max_coverage_drop": 0.2,  # a field's coverage vs its recent median
    "baseline_crawls": 2,  # consecutive agreeing crawls that set a new level
    "agree": 0.05,  # item counts within 5% of each other agree
}
# The thresholds the monitor's configuration exposes ([trust] in the TOML file): all.
CONFIGURABLE_TRUST = tuple(TRUST_DEFAULTS)


def is_loopback(host: str) -> bool:
    """True for localhost and addresses on 127.0.0.0/8 or ::1 (the replica)."""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
