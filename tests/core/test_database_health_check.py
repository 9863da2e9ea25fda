"""The PostgreSQL backend's health check (archivox/core/backends/postgresql): a connection that
served a request cleanly a moment ago is trusted; an idle one is checked and replaced when the
server dropped it, so no request fails after a pause."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection, connections

from archivox.core.backends.postgresql import base as backend

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]


def _request(wrapper) -> int:
    """What Django does around one request that reads: the connection's backend pid."""
    wrapper.close_if_unusable_or_obsolete()  # request_started
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]
    finally:
        wrapper.close_if_unusable_or_obsolete()  # request_finished


def _statements_seen(wrapper) -> list[str]:
    seen: list[str] = []
    original = wrapper.is_usable

    def is_usable() -> bool:
        seen.append("SELECT 1")
        return original()

    wrapper.is_usable = is_usable
    return seen


def _drop(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_used_a_moment_ago_is_not_checked_again() -> None:
    wrapper = connections.create_connection("default")
    try:
        checks = _statements_seen(wrapper)
        first = _request(wrapper)
        assert wrapper.health_check_enabled  # CONN_HEALTH_CHECKS, read when it connects
        second = _request(wrapper)
        assert second == first  # the same connection, kept
        assert checks == []  # proven by the first request: no SELECT 1 before the second
    finally:
        wrapper.close()


def test_an_idle_connection_is_checked_and_a_dropped_one_replaced(monkeypatch) -> None:
    wrapper = connections.create_connection("default")
    try:
        checks = _statements_seen(wrapper)
        first = _request(wrapper)
        monkeypatch.setattr(backend, "PROVEN_SECONDS", 0.0)  # as if a while had passed
        _drop(first)
        second = _request(wrapper)  # checked, found dropped, reconnected: no error
        assert checks == ["SELECT 1"]
        assert second != first
    finally:
        wrapper.close()


def test_a_connection_dropped_within_the_second_fails_one_request_only() -> None:
    wrapper = connections.create_connection("default")
    try:
        first = _request(wrapper)
        _drop(first)
        with pytest.raises(OperationalError):
            _request(wrapper)  # trusted, and it was gone: Django's default behaviour
        assert wrapper.connection is None  # found unusable at the request's end and closed
        assert _request(wrapper) != first  # the next request has a new connection
    finally:
        wrapper.close()
