"""SQLite writers queue on an OS file lock beside the database (archivox/core/writer_lock.py):
the Django backend (archivox.core.sqlite_backend) and the embedded Huey queue (core/queue.py).

Real SQLite files, real processes; each test has its own files in tmp_path (the test database
is not touched). Nothing here measures time."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import IntegrityError, OperationalError
from django.db.utils import ConnectionHandler

from archivox.core.queue import EmbeddedHuey
from archivox.core.writer_lock import WriterLock, lock_path, reads_only

REPO = Path(__file__).resolve().parents[2]


def _settings(path: Path, timeout: float = 20) -> dict:
    return {
        "ENGINE": "archivox.core.sqlite_backend",
        "NAME": str(path),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": timeout,
        },
    }


@pytest.fixture
def db_file(tmp_path: Path, django_db_blocker) -> Iterator[tuple[Path, ConnectionHandler]]:
    """A fresh WAL database with one table, and a connection handler of its own for it."""
    path = tmp_path / "app.sqlite3"
    handler = ConnectionHandler({"default": _settings(path, timeout=0.5)})
    with django_db_blocker.unblock():
        with handler["default"].cursor() as cursor:
            cursor.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)")
        yield path, handler
        handler.close_all()


def _held_elsewhere(path: Path) -> bool:
    """Whether some other descriptor holds the writer lock now."""
    fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # releases it if we got it
    return False


def test_the_settings_use_the_writer_locked_backend_for_sqlite_only() -> None:
    from archivox.settings import _database

    assert _database("sqlite:////tmp/x.sqlite3")["ENGINE"] == "archivox.core.sqlite_backend"
    assert _database("postgres://u@h:5432/d")["ENGINE"] == "django.db.backends.postgresql"


def test_which_statements_need_the_lock() -> None:
    assert reads_only("SELECT 1") and reads_only("  explain query plan select 1")
    for sql in ("INSERT INTO t VALUES (1)", "update t set a=1", "DELETE FROM t", "BEGIN IMMEDIATE",
                "WITH x AS (SELECT 1) DELETE FROM t", "PRAGMA journal_mode=WAL"):  # fmt: skip
        assert not reads_only(sql)
    assert lock_path(":memory:") is None
    assert lock_path("file:memorydb_default?mode=memory&cache=shared") is None
    assert lock_path("/var/a.sqlite3") == "/var/a.sqlite3.writer-lock"


def test_a_transaction_holds_the_lock_until_commit_and_readers_do_not_wait(db_file) -> None:
    path, handler = db_file
    connection = handler["default"]
    reader = sqlite3.connect(path)
    with connection.cursor() as cursor:
        cursor.execute("BEGIN IMMEDIATE")
        cursor.execute("INSERT INTO item (name) VALUES ('a')")
        assert _held_elsewhere(path)
        # A reader in WAL mode does not wait for the writer (and sees the committed state).
        assert reader.execute("SELECT count(*) FROM item").fetchone() == (0,)
        connection.commit()
    assert not _held_elsewhere(path)
    assert reader.execute("SELECT count(*) FROM item").fetchone() == (1,)
    reader.close()


def test_the_lock_is_released_after_rollback_errors_and_close(db_file) -> None:
    path, handler = db_file
    connection = handler["default"]
    connection.set_autocommit(True)
    # An autocommit write: held only for the statement.
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO item (name) VALUES ('a')")
    assert not _held_elsewhere(path)
    # A failing autocommit write lets go too.
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute("INSERT INTO item (name) VALUES ('a')")
    assert not _held_elsewhere(path)
    # A transaction rolled back by an error.
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute("BEGIN IMMEDIATE")
        try:
            cursor.execute("INSERT INTO item (name) VALUES ('b')")
            assert _held_elsewhere(path)
            cursor.execute("INSERT INTO item (name) VALUES ('a')")
        finally:
            connection.rollback()
    assert not _held_elsewhere(path)
    # A connection closed in the middle of a transaction.
    with connection.cursor() as cursor:
        cursor.execute("BEGIN IMMEDIATE")
        cursor.execute("INSERT INTO item (name) VALUES ('c')")
    assert _held_elsewhere(path)
    connection.close()
    assert not _held_elsewhere(path)
    check = sqlite3.connect(path)
    assert check.execute("SELECT name FROM item ORDER BY name").fetchall() == [("a",)]
    check.close()


def test_a_writer_gives_up_like_sqlite_would_when_the_lock_is_never_released(db_file) -> None:
    path, handler = db_file
    holder = WriterLock(lock_path(path), timeout=5)
    holder.acquire()
    with pytest.raises(OperationalError, match="locked"), handler["default"].cursor() as cursor:
        cursor.execute("INSERT INTO item (name) VALUES ('late')")
    holder.release()
    # The lock a waiter got after giving up was let go: the next writer gets it.
    with handler["default"].cursor() as cursor:
        cursor.execute("INSERT INTO item (name) VALUES ('next')")
    holder.close()
    assert not _held_elsewhere(path)


WRITER = textwrap.dedent(
    """
    import sys
    import django
    from django.conf import settings

    settings.configure(DATABASES={"default": %(settings)r}, USE_TZ=True)
    django.setup()
    from django.db import connection, transaction

    from archivox.core.queue import EmbeddedHuey

    tag, count = sys.argv[1], int(sys.argv[2])
    queue = EmbeddedHuey("locktest", filename=%(huey)r)
    for number in range(count):
        with connection.cursor() as cursor:  # autocommit
            cursor.execute("INSERT INTO item (name) VALUES (%%s)", [f"{tag}-auto-{number}"])
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO item (name) VALUES (%%s)", [f"{tag}-tx-{number}"])
        queue.storage.enqueue(f"{tag}-{number}".encode())
    print("done")
    """
)


def test_two_processes_writing_at_once_both_succeed(db_file, tmp_path: Path) -> None:
    path, _handler = db_file
    huey_file = tmp_path / "huey.sqlite3"
    EmbeddedHuey("locktest", filename=str(huey_file))  # creates the tables
    script = WRITER % {"settings": _settings(path), "huey": str(huey_file)}
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    writers = [
        subprocess.Popen([sys.executable, "-c", script, tag, "150"], cwd=REPO, env=env, **pipes)
        for tag in ("one", "two")
    ]
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
        assert out.strip() == "done"
    check = sqlite3.connect(path)
    assert check.execute("SELECT count(*) FROM item").fetchone() == (600,)
    check.close()
    queue = EmbeddedHuey("locktest", filename=str(huey_file))
    taken = []
    while (data := queue.storage.dequeue()) is not None:
        taken.append(bytes(data).decode())
    assert sorted(taken) == sorted(f"{t}-{n}" for t in ("one", "two") for n in range(150))
    assert not _held_elsewhere(huey_file)


def test_the_queue_lets_go_of_the_lock_when_a_write_fails(tmp_path: Path) -> None:
    huey_file = tmp_path / "huey.sqlite3"
    queue = EmbeddedHuey("locktest", filename=str(huey_file))
    with pytest.raises(sqlite3.OperationalError), queue.storage.db(commit=True) as cursor:
        assert _held_elsewhere(huey_file)
        cursor.execute("INSERT INTO no_such_table VALUES (1)")
    assert not _held_elsewhere(huey_file)
    queue.storage.enqueue(b"after")
    assert bytes(queue.storage.dequeue()) == b"after"
