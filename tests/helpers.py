"""Helpers for tests that start real processes (manage.py commands, workers, servers) or race
threads."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

REPO = Path(settings.BASE_DIR)


def run_at_once(task: Callable[[], None], times: int) -> None:
    """Run ``task`` in ``times`` threads released together (a race), each closing its own
    database connection when done; returns once all have finished."""
    start = threading.Barrier(times, timeout=120)

    def run() -> None:
        try:
            start.wait()
            task()
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def room_in_window(*windows: int, seconds: float = 10) -> None:
    """Wait, if need be, until each fixed rate-limit window (``core.ratelimit``: aligned to
    multiples of its length) has ``seconds`` left, so that a test's burst falls in one window:
    a window that turns over between the hits starts counting again, and the refusal the test
    expects does not come (seen in CI once: 201 where 429 was due)."""
    while True:
        now = time.time()
        wait = max(seconds - (window - now % window) for window in windows)
        if wait <= 0:
            return
        time.sleep(wait + 0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_ports(count: int) -> list[int]:
    """``count`` different free ports: each socket stays bound until all are chosen, since the
    kernel may hand a just-closed port out again (two servers were once given the same one)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def database_url_for_child() -> str:
    """A DATABASE_URL that points a child process at the database this test uses."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = config.get("USER") or "postgres"
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    host = config.get("HOST") or "127.0.0.1"
    port = config.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{config['NAME']}"


def child_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("ARCHIVOX_VAR_DIR", str(settings.VAR_DIR))
    env.update(overrides)
    return env


# A safety net against a hung command, not a speed check: on a busy machine (parallel workers,
# other suites) starting Django alone took 45 s, so 60 s timed out healthy commands.
# ``code``: the checkout whose manage.py runs (another release's, for an upgrade).
def manage(*args: str, env: dict[str, str] | None = None, timeout: float = 240, code: Path = REPO):
    return subprocess.run(
        [sys.executable, str(code / "manage.py"), *args],
        cwd=code,
        env=env or child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def manage_ok(*args: str, env: dict[str, str], timeout: float = 240, code: Path = REPO) -> str:
    """``manage`` that must succeed: its output (else the test fails with its error)."""
    result = manage(*args, env=env, timeout=timeout, code=code)
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr[-3000:]}"
    return result.stdout
