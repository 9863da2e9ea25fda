"""Checks that the services an installation needs answer: the database and the task queue."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def database_check() -> None:
    """Raise the database driver's error unless the database answers a query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def queue_check() -> None:
    """Raise redis' ConnectionError when the queue lives in Redis and Redis does not answer."""
    if not settings.REDIS_URL:
        return  # the embedded queue is a file in var/, always there
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
