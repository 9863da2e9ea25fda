"""Providers for the harvester's tests: a small HTTP server replaying recorded responses shaped
as AtoM and ArchivesSpace publish them, and pyoai's provider (an independent implementation)
run in a thread."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from archivox.core.services import membership_grant
from archivox.harvesting import services
from archivox.harvesting.models import HarvestRun, Repository
from tests.catalog_fixtures import make_description, media_root, nanjing  # noqa: F401
from tests.factories import UserFactory

DATA = Path(__file__).parent / "data"


@dataclasses.dataclass
class Reply:
    body: bytes
    status: int = 200
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


def recorded(path: str, **kwargs) -> Reply:
    return Reply((DATA / path).read_bytes(), **kwargs)


class RecordedProvider:
    """Answers each request by its arguments (all of them, sorted) with the next reply of its
    route; the last reply of a route repeats. Unknown requests get a 404."""

    def __init__(self) -> None:
        self.routes: dict[tuple[tuple[str, str], ...], list[Reply]] = {}
        self.requests: list[dict[str, str]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                params = dict(parse_qsl(urlsplit(self.path).query))
                provider.requests.append(params)
                replies = provider.routes.get(tuple(sorted(params.items())))
                if not replies:
                    self.send_error(404)
                    return
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                self.send_response(reply.status)
                for name, value in {
                    "Content-Type": "text/xml; charset=utf-8",
                    **reply.headers,
                }.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/oai"

    def route(self, *replies: Reply, **params: str) -> None:
        self.routes[tuple(sorted(params.items()))] = list(replies)

    def reset(self) -> None:
        self.routes.clear()
        self.requests.clear()


@pytest.fixture
def recorded_provider() -> Iterator[RecordedProvider]:
    provider = RecordedProvider()
    thread = threading.Thread(target=provider.httpd.serve_forever, daemon=True)
    thread.start()
    yield provider
    provider.httpd.shutdown()
    provider.httpd.server_close()


@pytest.fixture
def administrator(nanjing):  # noqa: F811
    user = UserFactory(username="zhao")
    membership_grant(actor=None, archive=nanjing, user=user, role="administrator")
    return user


@pytest.fixture
def harvest_now(django_capture_on_commit_callbacks, settings):
    """Start a harvest as staff do; the task runs when the request's transaction commits."""
    settings.ARCHIVOX_HARVEST_TIMEOUT = 5
    settings.ARCHIVOX_HARVEST_MAX_RETRY_AFTER = 2

    def run(user, repository: Repository, *, full: bool = False) -> HarvestRun:
        with django_capture_on_commit_callbacks(execute=True):
            started = services.harvest_start(actor=user, repository=repository, full=full)
        return HarvestRun.objects.get(pk=started.pk)

    return run
