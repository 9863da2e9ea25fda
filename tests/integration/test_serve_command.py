"""`manage.py serve` (what `make run` ends in) runs the site and a worker; Ctrl-C stops both."""

import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.helpers import REPO, child_env, database_url_for_child, free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(line) for line in out.stdout.split()]


def test_serve_answers_http_with_a_worker_beside_it_and_ctrl_c_stops_both(tmp_path):
    port = free_port()
    env = child_env(DATABASE_URL=database_url_for_child(), ARCHIVOX_VAR_DIR=str(tmp_path))
    env.pop("REDIS_URL", None)
    # To a file, not a pipe: nobody reads a pipe while the server runs, and once it is full the
    # server and its children block writing their logs and cannot stop.
    output = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "manage.py"),
            "serve",
            "--port",
            str(port),
            "--web-workers",
            "1",
        ],
        cwd=REPO,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90  # a loaded CI machine starts slowly
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start within 90 s"
                assert server.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
                time.sleep(0.3)
        assert response.status_code == 200
        assert response.json()["database"] == "ok"
        children = children_of(server.pid)
        assert len(children) == 2  # gunicorn and the Huey worker

        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
        # serve waits for (reaps) both before it exits, so neither is left, not even as a zombie.
        left = [
            pid
            for pid in children
            if subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode == 0
        ]
        assert not left, (tmp_path / "serve.log").read_text()[-3000:]
    finally:
        if server.poll() is None:
            server.kill()
        output.close()
