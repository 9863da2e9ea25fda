"""Fixtures shared by the tests that run real processes on private servers."""

import pytest

from tests.integration.cluster import PrivatePostgres, PrivateRedis, prepared_postgres


@pytest.fixture(scope="session")
def prepared_database(tmp_path_factory):
    """The data directory every cluster's private PostgreSQL is copied from (migrated, the
    paper's survey loaded): made once a session, on first use."""
    template = prepared_postgres(tmp_path_factory.mktemp("prepared"))
    yield template.data
    template.stop()


@pytest.fixture
def private_servers(prepared_database):
    """A private PostgreSQL (a copy of the prepared one, database ``archivox`` migrated) and a
    private Redis, for one test."""
    postgres = PrivatePostgres(template=prepared_database)
    postgres.start()
    queue = PrivateRedis()
    queue.start()
    yield postgres, queue
    queue.stop()
    postgres.stop()
