"""A throwaway database for one benchmark run, on the server DATABASE_URL names (a temporary
SQLite file when it names none, or no PostgreSQL): created before Django starts, dropped after."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def _postgres_admin(url: str, name: str) -> tuple[str, Callable[[str], None]]:
    """A URL for database ``name`` on the server of ``url``, and a way to run admin SQL."""
    import psycopg

    parts = urlsplit(url)
    bench_url = urlunsplit(parts._replace(path=f"/{name}"))
    admin_conninfo = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))

    def admin(sql: str) -> None:
        with psycopg.connect(admin_conninfo, autocommit=True) as connection:
            connection.execute(sql)

    return bench_url, admin


def run_on_throwaway_database(name: str, run: Callable[[Path], int]) -> int:
    """Point DATABASE_URL at a fresh database ``name`` (PostgreSQL) or a SQLite file in a scratch
    folder, call ``run(scratch)`` (which sets Django up), then drop it all."""
    url = os.environ.get("DATABASE_URL", "")
    is_postgres = urlsplit(url).scheme in {"postgres", "postgresql", "pgsql"}
    scratch = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    admin = None
    if is_postgres:
        bench_url, admin = _postgres_admin(url, name)
        admin(f"DROP DATABASE IF EXISTS {name}")
        admin(f"CREATE DATABASE {name}")
    else:
        bench_url = f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("ARCHIVOX_VAR_DIR", str(ROOT / "var" / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archivox.settings")
    try:
        return run(scratch)
    finally:
        from django.db import connections

        connections.close_all()
        if admin is not None:
            admin(f"DROP DATABASE IF EXISTS {name}")
        shutil.rmtree(scratch, ignore_errors=True)


def vacuum_analyze(*models) -> None:
    """PostgreSQL: ``VACUUM ANALYZE`` the models' tables, as autovacuum would between a
    benchmark's writes and its reads (this machine's server runs with autovacuum off)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
