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


@pytest.fixture
def replica(replica_server):
    """The session replica with clock, faults and logs reset around the test."""
    replica_server.reset()
    yield replica_server
    replica_server.reset()


# --- end of replica fixture ---------------------------------------------------


# --- database and configuration (owner: monitor/storage tests) ----------------
from monitor.config import load_config  # noqa: E402
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
    config = load_config(env={})
    config.data.update(
        database=str(tmp_path / "p.db"),
        outbox=str(tmp_path / "outbox"),
        evidence_dir=str(tmp_path / "evidence"),
    )
    return config
