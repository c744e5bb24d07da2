"""Shared pytest fixtures."""

from __future__ import annotations

import pytest

# --- replica fixture (owner: replica; tests/test_replica*.py) -----------------
from replica import start_replica


@pytest.fixture(scope="session")
def replica_server():
    """One prefix-mode replica (seed 1, size 1900) for the whole session."""
    with start_replica() as running:
        yield running


def _reset_around(server):
    """The replica with clock, faults and logs reset before and after the test."""
    server.reset()
    yield server
    server.reset()


@pytest.fixture
def replica(replica_server):
    """The session replica with clock, faults and logs reset around the test."""
    yield from _reset_around(replica_server)


@pytest.fixture(scope="session")
def small_replica_server():
    """A prefix-mode replica of size 300 (seed 1; 23 to 62 listings a platform) for
    tests whose claim is per listing or per platform, not about the count: every
    page type of every platform at a sixth of the crawl time."""
    with start_replica(size=300) as running:
        yield running


@pytest.fixture
def small_replica(small_replica_server):
    """The size-300 replica with clock, faults and logs reset around the test."""
    yield from _reset_around(small_replica_server)


# --- end of replica fixture ---------------------------------------------------


# --- database and configuration (owner: monitor/storage tests) ----------------
from helpers import config_in  # noqa: E402

from storage.db import open_db  # noqa: E402


@pytest.fixture
def db(tmp_path):
    """A fresh snapshot database (real SQLite file, migrations applied)."""
    database = open_db(tmp_path / "p.db")
    yield database
    database.close()


@pytest.fixture
def cfg(tmp_path):
    """The default configuration with its files under tmp_path (no environment)."""
    return config_in(tmp_path)
