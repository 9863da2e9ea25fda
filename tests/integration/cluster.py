"""Real processes for integration tests: web (gunicorn) and workers (Huey) against PostgreSQL and
Redis, and private PostgreSQL and Redis servers that a test may stop and restart without
disturbing anything else on the machine."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import redis

from tests.helpers import REPO, child_env, free_port, free_ports, manage_ok


def pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed")
    return str(found[-1])


class PrivatePostgres:
    """A PostgreSQL server of our own on a free port (trust auth), for tests that restart it.

    ``template``: the data directory of a stopped server to start from (``prepared_postgres``),
    copied instead of a new one made by initdb."""

    def __init__(self, template: Path | None = None) -> None:
        # Outside pytest's temporary folders, which the postgres user may not enter.
        self.root = Path(tempfile.mkdtemp(prefix="archivox-pg-"))
        self.data = self.root / "pgdata"
        self.port = free_port()
        shutil.chown(self.root, "postgres", "postgres")
        if template is None:
            self._as_postgres(
                pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"
            )
        else:
            # cp -a keeps the owner (postgres) and the modes the server insists on.
            self._as_postgres("cp", "-a", str(template), str(self.data))

    @staticmethod
    def _as_postgres(*command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        # No pipes: a server started by pg_ctl would hold them open and hang the wait.
        subprocess.run(
            [*prefix, *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/archivox"

    def start(self) -> None:
        self._as_postgres(
            pg_bin("pg_ctl"),
            "-D", str(self.data),
            "-l", str(self.root / "server.log"),
            "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1",
            "-w", "start",
        )  # fmt: skip

    def create_database(self) -> None:
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as pg:
            pg.execute("CREATE DATABASE archivox")

    def restart(self) -> None:
        self._as_postgres(
            pg_bin("pg_ctl"),
            "-D", str(self.data),
            "-l", str(self.root / "server.log"),
            "-m", "fast",
            "-w", "restart",
        )  # fmt: skip

    def shut_down(self) -> None:
        """Stop cleanly (a checkpoint), keeping the data directory: a template's way."""
        self._as_postgres(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._as_postgres(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def prepared_postgres(tmp: Path) -> PrivatePostgres:
    """A stopped private server whose database ``archivox`` is migrated and holds the paper's
    survey: what every cluster starts from (``PrivatePostgres(template=….data)``), made once a
    session. Each cluster ran ``migrate`` from nothing and ``load_paper_survey`` itself before:
    about 80 s of its setup on a slow machine, for the same rows every time. (Nothing in them is
    encrypted or signed with the keys of a var dir; the sandbox accounts, whose secrets are,
    are still provisioned by each cluster, which also gives them its own callback URL.)"""
    server = PrivatePostgres()
    try:
        server.start()
        server.create_database()
        env = child_env(
            DATABASE_URL=server.url, ARCHIVOX_VAR_DIR=str(tmp / "var"), ARCHIVOX_SANDBOX="1"
        )
        manage_ok("migrate", "-v", "0", env=env, timeout=600)
        manage_ok("load_paper_survey", env=env, timeout=600)
        server.shut_down()
    except BaseException:
        server.stop()
        raise
    return server


class PrivateRedis:
    """A Redis server of our own (nothing kept on disk), for tests that restart it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            # Ours, not another server that took the port between free_port() and the start.
            assert self.process.poll() is None, f"redis-server could not use port {self.port}"
            try:
                if redis.Redis(port=self.port).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class Cluster:
    """``webs`` gunicorn processes and ``workers`` Huey workers sharing one database and Redis."""

    def __init__(
        self,
        tmp: Path,
        *,
        database_url: str,
        redis_url: str | None = None,
        webs: int = 2,
        workers: int = 2,
        **env: str,
    ) -> None:
        self.tmp = tmp
        # A Redis server of its own unless the test brings one: a shared server's database would
        # be flushed and used by every cluster running at the same time (pytest-xdist workers,
        # other checkouts' suites on the same machine).
        self.own_redis: PrivateRedis | None = None
        if redis_url is None:
            self.own_redis = PrivateRedis()
            self.own_redis.start()
            redis_url = self.own_redis.url
        self.redis_url = redis_url
        redis.Redis.from_url(self.redis_url).flushdb()
        self.ports = free_ports(webs)
        self.worker_count = workers
        self.env = child_env(
            DATABASE_URL=database_url,
            REDIS_URL=self.redis_url,
            ARCHIVOX_VAR_DIR=str(tmp / "var"),
            ARCHIVOX_SANDBOX="1",
            ARCHIVOX_BASE_URL=f"http://127.0.0.1:{self.ports[0]}",
            **env,
        )
        self.webs: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []

    def manage(self, *args: str, timeout: float = 240) -> str:
        return manage_ok(*args, env=self.env, timeout=timeout)

    def shell(self, code: str) -> str:
        """Run ``code`` in a Django shell; its last line of output (logs may come before)."""
        lines = self.manage("shell", "-v", "0", "-c", code).strip().splitlines()
        return lines[-1] if lines else ""

    def start_web(self, number: int) -> subprocess.Popen:
        command = [
            sys.executable, "-m", "gunicorn", "archivox.wsgi:application",
            "--bind", f"127.0.0.1:{self.ports[number]}", "--workers", "2",
            "--worker-class", "gthread", "--threads", "8", "--timeout", "60",
            "--no-control-socket",
        ]  # fmt: skip
        log = (self.tmp / f"web{number}.log").open("a")
        process = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=log, stderr=log)
        return process

    def start_worker(self, number: int) -> subprocess.Popen:
        log = (self.tmp / f"worker{number}.log").open("a")
        command = [sys.executable, str(REPO / "manage.py"), "run_huey", "--workers", "2"]
        return subprocess.Popen(command, cwd=REPO, env=self.env, stdout=log, stderr=log)

    def start(self) -> None:
        self.webs = [self.start_web(n) for n in range(len(self.ports))]
        self.workers = [self.start_worker(n) for n in range(self.worker_count)]
        self.wait_ready()

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        for port in self.ports:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, f"web did not answer\n{self.log_tail()}"
                for process in self.webs + self.workers:
                    assert process.poll() is None, self.log_tail()
                time.sleep(0.3)

    def kill_worker(self, number: int) -> None:
        """kill -9: the worker gets no chance to finish or record anything."""
        process = self.workers[number]
        process.send_signal(signal.SIGKILL)
        process.wait()

    def restart_worker(self, number: int) -> None:
        self.workers[number] = self.start_worker(number)

    def url(self, path: str, web: int = 0) -> str:
        return f"http://127.0.0.1:{self.ports[web]}{path}"

    def log_tail(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-2500:]}"
            for path in sorted(self.tmp.glob("*.log"))
        )

    def stop(self) -> None:
        for process in self.webs + self.workers:
            if process.poll() is None:
                process.terminate()
        for process in self.webs + self.workers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        with contextlib.suppress(redis.ConnectionError):
            redis.Redis.from_url(self.redis_url).flushdb()
        if self.own_redis:
            self.own_redis.stop()

    def start_worker_without_periodic(self, number: int) -> subprocess.Popen:
        """A worker that runs queued and scheduled tasks but not the periodic ones (every
        worker process runs them otherwise): a test that runs the sweeps itself, once."""
        log = (self.tmp / f"worker{number}.log").open("a")
        command = [
            sys.executable, str(REPO / "manage.py"), "run_huey", "--workers", "2", "--no-periodic",
        ]  # fmt: skip
        return subprocess.Popen(command, cwd=REPO, env=self.env, stdout=log, stderr=log)
