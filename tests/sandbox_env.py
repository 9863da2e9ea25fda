"""Loaded by pytest before Django (see addopts in pyproject.toml): the suite always runs with the
sandboxes mounted, and never against the real platforms, however pytest is started.

Under pytest-xdist each worker process gets a var dir of its own (``$ARCHIVOX_VAR_DIR/gw0``, …):
the SQLite test database, the embedded Huey queue, media files and secret files live there, and
two workers must never share them. pytest-django adds the same suffix to the test database names
(``test_archivox.sqlite3_gw0``, ``test_<dbname>_gw0`` on PostgreSQL)."""

import os
from pathlib import Path

os.environ["ARCHIVOX_SANDBOX"] = "1"
os.environ.setdefault("ARCHIVOX_VAR_DIR", "var/test")

_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and Path(os.environ["ARCHIVOX_VAR_DIR"]).name != _worker:
    os.environ["ARCHIVOX_VAR_DIR"] = str(Path(os.environ["ARCHIVOX_VAR_DIR"]) / _worker)
