"""Slow clients (issue 17, 8): a client that sends its body a byte at a time holds a gunicorn
worker for as long as it likes, so the web nodes sit behind the documented nginx, which reads
every body in full before it passes the request on. Proved with real processes: ``manage.py
serve`` (gunicorn and a worker, as ``make run`` runs them) behind Debian's nginx running the
SHIPPED site configuration (``deploy/nginx/archivox_site.conf`` and ``archivox_proxy.conf``,
included as they are), with 50 clients trickling their bodies while a follower's genuine callback
must be answered within 1 s, several times. The same clients against gunicorn alone hold the
callback up: that control proves the clients really are slow enough to block it."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from archivox.core.models import PlatformAccount
from archivox.sandbox.wechat.services import sandbox_wechat_account_ensure
from archivox.sandbox.wechat_user import WeChatUser
from tests.factories import ArchiveFactory
from tests.helpers import REPO, child_env, database_url_for_child, free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SHIPPED = REPO / "deploy" / "nginx"
SLOW_CLIENTS = 50
ANSWER_WITHIN = 1.0  # seconds
CALLBACKS = 5


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds  # a loaded CI machine starts slowly
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"nothing listens on {port} after {seconds} s"
        time.sleep(0.2)


@pytest.fixture
def served(tmp_path) -> Iterator[str]:
    """``manage.py serve`` as ``make run`` starts it (its default web workers), on a free port."""
    port = free_port()
    env = child_env(
        DATABASE_URL=database_url_for_child(),
        ARCHIVOX_VAR_DIR=str(tmp_path),
        # The test's keys, so the server reads the secrets this test stored and signs alike.
        ARCHIVOX_SECRET_KEY=settings.SECRET_KEY,
        ARCHIVOX_FIELD_KEY=settings.FIELD_ENCRYPTION_KEY,
    )
    env.pop("REDIS_URL", None)
    log = tmp_path / "serve.log"
    output = log.open("w")  # a file, not a pipe nobody reads while the server runs
    server = subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "serve", "--port", str(port)],
        cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90  # a loaded CI machine starts slowly
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start within 90 s"
            assert server.poll() is None, log.read_text()[-3000:]
            time.sleep(0.3)
        yield f"127.0.0.1:{port}"
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        output.close()


@contextlib.contextmanager
def nginx_in_front_of(upstream: str) -> Iterator[int]:
    """Debian's nginx, a private instance (its own prefix, pid, logs and temporary files, a free
    port, in the foreground), serving the shipped site configuration over ``upstream``. Started
    as nobody when the tests run as root."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), (
        "nginx is not installed: apt-get install nginx-light (as .ci/run does)"
    )
    # Outside pytest's temporary folders, which nobody may not enter.
    prefix = Path(tempfile.mkdtemp(prefix="archivox-nginx-"))
    port = free_port()
    # Where /etc/nginx/ holds them in production: the site's relative includes find them here.
    for name in ("archivox_site.conf", "archivox_proxy.conf"):
        (prefix / name).symlink_to(SHIPPED / name)
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (prefix / "nginx.conf").write_text(
        f"""
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 1024; }}
http {{
{temp}
    access_log {prefix}/access.log;
    upstream archivox_web {{
        server {upstream} max_fails=3 fail_timeout=10s;
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name archives.example.gov.cn;
        include archivox_site.conf;
    }}
}}
"""
    )
    as_nobody: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(prefix, "nobody")
        as_nobody = ["runuser", "-u", "nobody", "--"]
    command = [*as_nobody, nginx, "-p", f"{prefix}/", "-c", f"{prefix}/nginx.conf"]
    command += ["-e", f"{prefix}/error.log"]
    log = prefix / "nginx.out"
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, log, seconds=20)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(prefix, ignore_errors=True)


class SlowClients:
    """Clients that send a callback's headers, then its body one byte every half second."""

    def __init__(self, port: int, count: int = SLOW_CLIENTS) -> None:
        self.port = port
        self.count = count
        self.sockets: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)

    def __enter__(self) -> SlowClients:
        head = (
            "POST /wechat/nanjing/callback?signature=0&timestamp=1&nonce=2 HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{self.port}\r\n"
            "Content-Type: text/xml\r\n"
            "Content-Length: 4000\r\n\r\n<"
        ).encode()
        for _ in range(self.count):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            sock.sendall(head)
            self.sockets.append(sock)
        self.thread.start()
        time.sleep(1)  # every server-side reader is now waiting on a body
        return self

    def _trickle(self) -> None:
        while not self.stop.wait(0.5):
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.send(b"x")

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()


@pytest.fixture
def follower() -> Iterator[WeChatUser]:
    archive = ArchiveFactory(
        slug="nanjing", name="Nanjing Municipal Archives", name_zh="南京市档案馆"
    )
    sandbox_wechat_account_ensure(archive)
    account = PlatformAccount.objects.get(archive=archive, platform="wechat")
    user = WeChatUser(
        "http://unset", "nanjing", account.token, account.encoding_aes_key, account.appid,
        mode="safe", to=account.original_id, touch_sandbox=False,
    )  # fmt: skip
    yield user
    user.close()


def callback_latencies(user: WeChatUser, port: int, timeout: float) -> list[float | None]:
    """Genuine callbacks one after another; each one's seconds to a 200, None when not answered
    within ``timeout``."""
    user.url = f"http://127.0.0.1:{port}/wechat/nanjing/callback"
    latencies: list[float | None] = []
    for n in range(CALLBACKS):
        prepared = user.prepare(user.message_xml("text", {"Content": f"查档 {n}"}))
        began = time.monotonic()
        try:
            response = user.post(prepared, timeout=timeout)
        except httpx.TimeoutException:
            latencies.append(None)
            continue
        assert response.status_code == 200, response.text
        latencies.append(time.monotonic() - began)
    return latencies


def test_slow_clients_do_not_stop_the_callback_behind_the_shipped_nginx(served, follower):
    with nginx_in_front_of(served) as port:
        # Answered once before: the workers have loaded and the proxy's path works.
        assert callback_latencies(follower, port, timeout=30)
        # A body over the callback's limit is refused by nginx, never passed on.
        oversized = httpx.post(
            f"http://127.0.0.1:{port}/wechat/nanjing/callback?signature=0&timestamp=1&nonce=2",
            content=b"<" * (65 * 1024),
            timeout=10,
        )
        assert oversized.status_code == 413
        with SlowClients(port):
            latencies = callback_latencies(follower, port, timeout=5)
    print("callback latencies behind nginx, 50 slow clients:", latencies)
    assert all(latency is not None and latency < ANSWER_WITHIN for latency in latencies), latencies


def test_the_same_slow_clients_hold_up_gunicorn_alone(served, follower):
    """The control: without the proxy the callback is not answered within 1 s, so the test above
    proves the proxy, not clients too quick to matter. Never expose gunicorn directly."""
    port = int(served.rsplit(":", 1)[1])
    assert callback_latencies(follower, port, timeout=30)
    with SlowClients(port):
        latencies = callback_latencies(follower, port, timeout=ANSWER_WITHIN)
    print("callback latencies against gunicorn alone, 50 slow clients:", latencies)
    assert any(latency is None or latency >= ANSWER_WITHIN for latency in latencies), latencies


def test_debians_nginx_accepts_the_whole_shipped_configuration(tmp_path):
    """``archivox.conf`` as shipped (upstreams, redirects, TLS, logs), only its certificate and
    log paths pointed at a private prefix: ``nginx -t`` of Debian's nginx accepts it."""
    prefix = Path(tempfile.mkdtemp(prefix="archivox-nginx-"))
    try:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=archives.example.gov.cn",
             "-keyout", str(prefix / "privkey.pem"), "-out", str(prefix / "fullchain.pem")],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        for name in ("archivox_site.conf", "archivox_proxy.conf"):
            (prefix / name).symlink_to(SHIPPED / name)
        site = (SHIPPED / "archivox.conf").read_text()
        site = site.replace("/etc/ssl/archivox/", f"{prefix}/").replace(
            "/var/log/nginx/", f"{prefix}/"
        )
        (prefix / "archivox.conf").write_text(site)
        (prefix / "nginx.conf").write_text(
            f"pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\nevents {{}}\n"
            f"http {{\n    access_log {prefix}/access.log;\n    include archivox.conf;\n}}\n"
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        checked = subprocess.run(
            [nginx, "-t", "-p", f"{prefix}/", "-c", f"{prefix}/nginx.conf", "-e",
             f"{prefix}/error.log"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert checked.returncode == 0, checked.stderr
        assert "[warn]" not in checked.stderr, checked.stderr
    finally:
        shutil.rmtree(prefix, ignore_errors=True)
