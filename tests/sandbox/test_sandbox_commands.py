import json
import signal
import subprocess
import sys
import time
from io import StringIO

import httpx
import pytest
from django.core.management import CommandError, call_command

from archivox.core.models import PlatformAccount
from tests.factories import ArchiveFactory
from tests.helpers import REPO, child_env, database_url_for_child, free_port


@pytest.mark.django_db
def test_sandbox_credentials_prints_the_contract_fields_and_is_stable():
    ArchiveFactory(slug="nanjing", is_demo=True)
    out = StringIO()
    call_command("sandbox_credentials", "nanjing", stdout=out)
    first = json.loads(out.getvalue())
    for key in ("appid", "token", "encoding_aes_key", "weibo_uid"):
        assert first[key], key
    assert len(first["encoding_aes_key"]) == 43
    out = StringIO()
    call_command("sandbox_credentials", "nanjing", stdout=out)
    assert json.loads(out.getvalue())["appid"] == first["appid"]
    platforms = set(PlatformAccount.objects.values_list("platform", flat=True))
    assert platforms == {"wechat", "weibo"}


@pytest.mark.django_db
def test_sandbox_provision_covers_every_demo_archive_and_names_unknown_ones():
    ArchiveFactory(slug="nanjing", is_demo=True)
    ArchiveFactory(slug="suzhou", is_demo=True)
    ArchiveFactory(slug="real-one", is_demo=False)
    out = StringIO()
    call_command("sandbox_provision", stdout=out)
    assert "2 archives" in out.getvalue()
    assert not PlatformAccount.objects.filter(archive__slug="real-one").exists()
    with pytest.raises(CommandError, match="atlantis"):
        call_command("sandbox_provision", "atlantis")
    with pytest.raises(CommandError, match="no archive"):
        call_command("sandbox_credentials", "atlantis")


@pytest.mark.django_db
def test_sandbox_credentials_refuse_without_the_sandbox(settings):
    settings.SANDBOX = False
    ArchiveFactory(slug="nanjing")
    with pytest.raises(CommandError, match="ARCHIVOX_SANDBOX=1"):
        call_command("sandbox_credentials", "nanjing")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_run_sandbox_serves_the_platform_apis_and_nothing_of_the_site(tmp_path):
    port = free_port()
    env = child_env(DATABASE_URL=database_url_for_child(), ARCHIVOX_VAR_DIR=str(tmp_path))
    server = subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "run_sandbox", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(
                    f"{base}/sandbox/wechat/cgi-bin/token",
                    params={"grant_type": "client_credential", "appid": "wxnone", "secret": "x"},
                    timeout=3,
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "run_sandbox did not start"
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.3)
        assert response.status_code == 200
        assert response.json()["errcode"] != 0  # an unknown AppID, refused like the real API
        assert httpx.get(f"{base}/", timeout=3).status_code == 404
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
