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
