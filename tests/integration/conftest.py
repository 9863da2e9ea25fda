"""Fixtures shared by the tests that run real processes on private servers."""

import pytest

from tests.integration.cluster import PrivatePostgres, PrivateRedis


@pytest.fixture
def private_servers():
    """A private PostgreSQL (initdb) with its database, and a private Redis, for one test."""
    postgres = PrivatePostgres()
    postgres.start()
    postgres.create_database()
    queue = PrivateRedis()
    queue.start()
    yield postgres, queue
    queue.stop()
    postgres.stop()
