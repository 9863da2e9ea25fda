"""`make run` on another port: every link, and the sandboxes the deliveries go to, follow it.

The real Makefile runs (`make run`, the demo data loaded, `manage.py serve`), with the project's
interpreter and an install stamp newer than pyproject.toml, so that nothing is installed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers import REPO, child_env, database_url_for_child, free_port

# A post to WeChat and Weibo, published as staff would: the served worker delivers it through
# the sandboxes at the site's own address.
PUBLISH = (
    "import io, json; from PIL import Image;"
    "from archivox.core.models import Archive, User;"
    "from archivox.publishing import services as s;"
    "a = Archive.objects.get(slug='nanjing');"
    "writer = User.objects.get(username='demo'); boss = User.objects.get(username='demo-reviewer');"
    "b = io.BytesIO(); Image.new('RGB', (900, 500), (120, 80, 40)).save(b, 'JPEG');"
    "p = s.post_create(actor=writer, archive=a, title='南京城墙档案',"
    " body_html='<p>明城墙修缮档案。</p>', digest='城墙档案', text='南京城墙档案',"
    " channels=['wechat', 'weibo']);"
    "s.post_set_cover(actor=writer, post=p, content=b.getvalue());"
    "s.post_submit(actor=writer, post=p); s.post_approve(actor=boss, post=p);"
    "s.post_publish_now(actor=writer, post=p, rip='203.0.113.10');"
    "print(json.dumps(p.pk))"
)
DELIVERIES = (
    "import json; from archivox.publishing.models import Delivery;"
    "print(json.dumps(list(Delivery.objects.filter(post_id={post}).order_by('channel')"
    ".values_list('channel', 'status', 'error'))))"
)
CALLBACK_URL = (
    "from archivox.sandbox.wechat.models import Account;"
    "print(Account.objects.get(archive_slug='nanjing').callback_url)"
)


def shell(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "shell", "-c", code],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("given", ["environment", "command line"])
def test_make_run_hands_the_port_to_every_command_either_way(tmp_path, given):
    """What differs between `PORT=8311 make run` and `make run PORT=8311` is make's own handling
    of the variable: every command the recipe runs (the demo's loaders, which write links and
    the sandboxes' callback addresses, and `serve`) sees the port. The interpreter the recipe
    calls is a stand-in here that writes down its arguments and environment; the whole run, with
    the demo loaded and a post delivered, is the test below."""
    port = free_port()
    record = tmp_path / "calls.log"
    stand_in = tmp_path / "bin" / "python"
    stand_in.parent.mkdir()
    stand_in.write_text(f'#!/bin/sh\necho "PORT=$PORT HOST=$HOST $*" >> {record}\n')
    stand_in.chmod(0o755)
    stamp = tmp_path / "installed"
    stamp.touch()
    env = child_env(ARCHIVOX_VAR_DIR=str(tmp_path / "var"))
    for name in ("HOST", "PORT", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    command = ["make", "--no-print-directory", "run", f"BIN={stand_in.parent}", f"STAMP={stamp}"]
    if given == "environment":
        env["PORT"] = str(port)
    else:
        command.append(f"PORT={port}")
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    calls = record.read_text().splitlines()
    assert len(calls) > 10 and all(call.startswith(f"PORT={port} ") for call in calls), calls
    assert calls[-1].endswith(f"manage.py serve --host 127.0.0.1 --port {port}"), calls[-1]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_make_run_on_another_port_links_and_delivers_there(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stamp = tmp_path / "installed"
    stamp.touch()  # newer than pyproject.toml: `make` installs nothing
    env = child_env(DATABASE_URL=database_url_for_child(), ARCHIVOX_VAR_DIR=str(tmp_path / "var"))
    for name in ("ARCHIVOX_BASE_URL", "ARCHIVOX_ALLOWED_HOSTS", "HOST", "PORT", "REDIS_URL"):
        env.pop(name, None)
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # when the suite runs under `make test`
        env.pop(name, None)
    command = ["make", "--no-print-directory", "run", f"BIN={Path(sys.executable).parent}"]
    command += [f"STAMP={stamp}", f"PORT={port}"]  # make run PORT=8311
    run_env = dict(env)
    log = tmp_path / "run.log"
    output = log.open("w")
    server = subprocess.Popen(
        command, cwd=REPO, env=run_env, stdout=output, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 420  # the demo data loads first
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            assert server.poll() is None, log.read_text()[-3000:]
            time.sleep(0.5)

        identify = httpx.get(f"{base}/oai", params={"verb": "Identify"}, timeout=30).text
        assert f"<baseURL>{base}/oai</baseURL>" in identify
        feed = httpx.get(f"{base}/feeds/nanjing/atom.xml", timeout=30).text
        assert f'href="{base}/archives/nanjing/posts/' in feed
        assert ":8000/" not in feed
        shell_env = {**env, "PORT": str(port)}
        assert shell(CALLBACK_URL, shell_env) == f"{base}/wechat/nanjing/callback"

        post = json.loads(shell(PUBLISH, shell_env))
        deadline = time.monotonic() + 180
        while True:
            deliveries = json.loads(shell(DELIVERIES.format(post=post), shell_env))
            if deliveries and all(status in ("sent", "failed") for _, status, _ in deliveries):
                break
            assert time.monotonic() < deadline, (deliveries, log.read_text()[-3000:])
            time.sleep(1)
        assert deliveries == [["wechat", "sent", ""], ["weibo", "sent", ""]], deliveries
    finally:
        if server.poll() is None:
            # make, `manage.py serve` and its children form one session: Ctrl-C reaches all.
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        output.close()
