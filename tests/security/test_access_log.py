"""What the server writes about requests (issue 17): a captured callback URL lets anyone sign
for five minutes, and an openid is personal data, so neither may be written in full. Driven
against ``manage.py serve`` (gunicorn and a worker, as ``make run`` runs them) over real HTTP;
everything the server printed is searched."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx
import pytest
from django.conf import settings

from archivox.core.models import PlatformAccount
from archivox.reservations.services import reservation_link_for_follower
from archivox.sandbox.wechat.services import sandbox_wechat_account_ensure
from archivox.sandbox.wechat_user import PreparedCallback, WeChatUser, new_openid
from tests.factories import ArchiveFactory
from tests.helpers import REPO, child_env, database_url_for_child, free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def served(tmp_path):
    """``manage.py serve`` on a free port, its output in a file; stopped after the test."""
    port = free_port()
    env = child_env(
        DATABASE_URL=database_url_for_child(),
        ARCHIVOX_VAR_DIR=str(tmp_path),
        # The test's keys, so the server reads the secrets this test stored and signs alike.
        ARCHIVOX_SECRET_KEY=settings.SECRET_KEY,
        ARCHIVOX_FIELD_KEY=settings.FIELD_ENCRYPTION_KEY,
    )
    env.pop("REDIS_URL", None)
    log_path = tmp_path / "serve.log"
    output = log_path.open("w")  # a file, not a pipe nobody reads while the server runs
    server = subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "serve", "--port", str(port),
         "--web-workers", "1"],
        cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def stop() -> str:
        """Stop the server (so that every line is flushed) and return what it printed."""
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        output.flush()
        return log_path.read_text()

    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start within 90 s"
                assert server.poll() is None, log_path.read_text()[-3000:]
                time.sleep(0.3)
        yield url, stop
    finally:
        stop()
        output.close()


def test_the_server_logs_neither_callback_signatures_and_nonces_nor_openids(served):
    url, stop = served
    archive = ArchiveFactory(
        slug="nanjing", name="Nanjing Municipal Archives", name_zh="南京市档案馆"
    )
    sandbox_wechat_account_ensure(archive)
    account = PlatformAccount.objects.get(archive=archive, platform="wechat")
    user = WeChatUser(
        url, "nanjing", account.token, account.encoding_aes_key, account.appid,
        mode="safe", to=account.original_id, touch_sandbox=False,
    )  # fmt: skip
    secrets: list[str] = [user.openid]

    # A genuine delivery, and refused ones (Django logs a 4xx answer too).
    genuine = user.prepare(user.message_xml("text", {"Content": "查档"}))
    assert user.post(genuine).status_code == 200
    refused = user.prepare(user.message_xml("text", {"Content": "x"}), encrypted="bm90IGl0")
    assert user.post(refused).status_code in {400, 403}
    assert user.post(PreparedCallback(refused.params | {"signature": "0" * 40}, b"")).status_code
    for prepared in (genuine, refused):
        secrets += [prepared.params[name] for name in ("signature", "nonce", "msg_signature")]
    user.close()

    # An openid elsewhere: in a query string, and inside a follower's signed link.
    other = new_openid()
    secrets.append(other)
    httpx.get(f"{url}/archives/nanjing/", params={"openid": other}, timeout=10)
    link = reservation_link_for_follower(archive=archive, openid=new_openid())
    token = link.split("wx=", 1)[1]
    secrets.append(token)
    httpx.get(f"{url}/archives/nanjing/reservations/", params={"wx": token}, timeout=10)
    httpx.get(f"{url}/healthz", headers={"Referer": f"{url}/archives/nanjing/?openid={other}"})

    log = stop()
    assert "/wechat/nanjing/callback" in log  # the access log is there…
    assert "/archives/nanjing/reservations/" in log
    leaked = [secret for secret in secrets if secret in log]
    assert not leaked, log  # …and tells nothing that lets anyone sign or names a person


@pytest.mark.parametrize(
    ("target", "logged"),
    [
        (
            "/wechat/nanjing/callback?signature=ab12&timestamp=1&nonce=2&openid=o1"
            "&encrypt_type=aes&msg_signature=cd34",
            "/wechat/nanjing/callback?[redacted]",
        ),
        ("/wechat/nanjing/callback", "/wechat/nanjing/callback"),
        (
            "/archives/nanjing/reservations/?wx=eyJh.x%3Ay&page=2",
            "/archives/nanjing/reservations/?wx=[redacted]&page=2",
        ),
        ("/polls/nanjing/1/?t=eyJh", "/polls/nanjing/1/?t=[redacted]"),
        ("https://example.org/a/?openid=o1&q=1", "https://example.org/a/?openid=[redacted]&q=1"),
        ("/x/oSandboxUser0000000000000001/y", "/x/[redacted]/y"),
        ("/search/?q=%E7%99%BD%E5%B4%87%E7%A6%A7", "/search/?q=%E7%99%BD%E5%B4%87%E7%A6%A7"),
    ],
)
def test_what_a_logged_request_target_keeps(target, logged):
    from archivox.core.access_log import redact_target

    assert redact_target(target) == logged


def test_a_records_request_tracking_code_is_never_logged():
    from archivox.core.access_log import redact_target

    assert redact_target("/archives/nanjing/records/r/ABCDEFGHJKMNPQRS/?new=1") == (
        "/archives/nanjing/records/r/[redacted]/?new=1"
    )
    assert "ABCD" not in redact_target("https://a.example/archives/x/records/r/ABCD/copy/3/")


def test_the_shipped_nginx_logs_a_tracking_code_as_redacted(tmp_path):
    """Debian's nginx with the shipped ``archivox.conf`` (its plain-HTTP server, on a free
    port): a request for a records-use request's private page is logged without its code."""
    import shutil
    from pathlib import Path

    shipped = Path(REPO) / "deploy" / "nginx"
    for name in ("archivox_site.conf", "archivox_proxy.conf"):
        (tmp_path / name).symlink_to(shipped / name)
    port = free_port()
    site = (
        (shipped / "archivox.conf")
        .read_text()
        .replace("/var/log/nginx/", f"{tmp_path}/")
        .replace("listen 80;", f"listen 127.0.0.1:{port};")
    )
    # Only the plain-HTTP server (the redirect): no certificate needed.
    site = site[: site.index("server {", site.index("listen 127.0.0.1"))]
    (tmp_path / "archivox.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log {tmp_path}/access.log;\n    include archivox.conf;\n}}\n"
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    prefix = f"{tmp_path}/"
    subprocess.run(
        [nginx, "-p", prefix, "-c", f"{prefix}nginx.conf", "-e", f"{prefix}error.log"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    try:
        url = f"http://127.0.0.1:{port}/archives/nanjing/records/r/ABCDEFGHJKMNPQRS/copy/3/"
        assert httpx.get(url).status_code == 301
        time.sleep(0.2)
        log = (tmp_path / "archivox.access.log").read_text()
    finally:
        pid = int((tmp_path / "nginx.pid").read_text())
        subprocess.run(["kill", str(pid)], check=False)
    assert "/records/r/[redacted]/copy/3/" in log and "ABCDEFGH" not in log
