"""Rate limits behind the reverse proxy that `deploy/` documents: every request reaches Archivox
from the proxy's address, so the person is read from ``X-Forwarded-For``, trusting only the
entries the proxies themselves wrote (``ARCHIVOX_PROXY_COUNT``)."""

from __future__ import annotations

import http.client
import http.server
import threading
import urllib.parse
from collections.abc import Iterator

import httpx
import pytest
from django.test import RequestFactory

from archivox.core.access import client_address, client_ip_for_login_throttle
from archivox.reservations.models import Booking
from tests.catalog_fixtures import media_root, nanjing  # noqa: F401
from tests.factories import UserFactory
from tests.helpers import room_in_window
from tests.reservations.conftest import reading_room, slot, tomorrow  # noqa: F401

PASSWORD = "correct horse battery staple"  # the factories' default


def request_from(remote: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_proxies_the_connection_is_the_client_and_the_header_is_ignored(settings):
    settings.PROXY_COUNT = 0
    assert client_address(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_one_proxy_the_address_it_appended_is_the_client(settings):
    settings.PROXY_COUNT = 1
    assert client_address(request_from("127.0.0.1", "203.0.113.7")) == "203.0.113.7"
    # What the client wrote itself stands left of what the proxy appended, and is ignored.
    spoofed = request_from("127.0.0.1", "198.51.100.99, 203.0.113.7")
    assert client_address(spoofed) == "203.0.113.7"


def test_behind_two_proxies_the_outer_proxys_entry_is_the_client(settings):
    settings.PROXY_COUNT = 2
    forwarded = "198.51.100.99, 203.0.113.7, 10.0.0.2"
    assert client_address(request_from("10.0.0.3", forwarded)) == "203.0.113.7"


def test_a_request_that_skipped_the_chain_is_judged_by_its_own_address(settings):
    settings.PROXY_COUNT = 2
    assert client_address(request_from("203.0.113.7", "198.51.100.99")) == "203.0.113.7"
    assert client_address(request_from("203.0.113.7")) == "203.0.113.7"


def test_login_throttling_gets_an_address_or_nothing_never_a_word(settings):
    """Its IP address column (PostgreSQL's inet) refuses anything else, which would break logins."""
    settings.PROXY_COUNT = 1
    assert client_ip_for_login_throttle(request_from("127.0.0.1", "203.0.113.7")) == "203.0.113.7"
    assert client_ip_for_login_throttle(request_from("127.0.0.1", "not-an-address")) is None
    without_connection = RequestFactory().get("/")
    without_connection.META.pop("REMOTE_ADDR", None)
    assert client_ip_for_login_throttle(without_connection) is None


class ForwardingProxy(http.server.ThreadingHTTPServer):
    """A reverse proxy as nginx's ``proxy_set_header X-Forwarded-For
    $proxy_add_x_forwarded_for``: the peer's address appended to whatever the client sent."""

    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        self.upstream = urllib.parse.urlsplit(upstream)
        super().__init__(("127.0.0.1", 0), ProxyHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: ForwardingProxy

    def log_message(self, *args) -> None:  # the test's output stays readable
        pass

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() not in {"host", "connection", "x-forwarded-for"}
        }
        sent = self.headers.get("X-Forwarded-For")
        peer = self.client_address[0]
        headers["X-Forwarded-For"] = f"{sent}, {peer}" if sent else peer
        upstream = http.client.HTTPConnection(
            self.server.upstream.hostname, self.server.upstream.port, timeout=30
        )
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            content = answer.read()
        finally:
            upstream.close()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in {"transfer-encoding", "connection", "content-length"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


@pytest.fixture
def proxy(live_server) -> Iterator[ForwardingProxy]:
    server = ForwardingProxy(live_server.url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def visitor(address: str) -> httpx.Client:
    """A person on their own address (another address of the loopback range)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


@pytest.mark.django_db(transaction=True)
def test_behind_the_proxy_two_visitors_are_limited_separately_and_spoofing_is_ignored(
    proxy,
    slot,  # noqa: F811
    settings,
):
    settings.PROXY_COUNT = 1
    settings.ARCHIVOX_RESERVATION_RATE_LIMIT = (2, 60)
    room_in_window(60)
    url = f"{proxy.url}/api/v1/engagement/reservations/{slot.archive.slug}/bookings"

    def book(client: httpx.Client, contact: str, **headers: str) -> int:
        payload = {"slot_id": slot.pk, "name": "王小明", "contact": contact}
        return client.post(url, json=payload, headers=headers).status_code

    with visitor("127.0.0.2") as first, visitor("127.0.0.3") as second:
        assert [book(first, f"a{n}@example.com") for n in range(2)] == [201, 201]
        # A fresh made-up address in the header each time changes nothing: the proxy appends
        # the real one, and only that entry is trusted.
        spoofed = [
            book(first, f"s{n}@example.com", **{"X-Forwarded-For": f"198.51.100.{n}"})
            for n in range(3)
        ]
        assert spoofed == [429, 429, 429]
        # Another person behind the same proxy is not throttled by the first one's burst.
        assert book(second, "b@example.com") == 201
    assert Booking.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_without_a_proxy_count_everyone_behind_the_proxy_shares_one_limit(
    proxy,
    slot,  # noqa: F811
    settings,
):
    """What the setting is for: left at 0 behind a proxy, one person's burst throttles all."""
    settings.PROXY_COUNT = 0
    settings.ARCHIVOX_RESERVATION_RATE_LIMIT = (2, 60)
    room_in_window(60)
    url = f"{proxy.url}/api/v1/engagement/reservations/{slot.archive.slug}/bookings"
    payload = {"slot_id": slot.pk, "name": "王小明"}
    with visitor("127.0.0.2") as first, visitor("127.0.0.3") as second:
        codes = [
            first.post(url, json={**payload, "contact": f"a{n}@example.com"}).status_code
            for n in range(2)
        ]
        assert codes == [201, 201]
        assert second.post(url, json={**payload, "contact": "b@example.com"}).status_code == 429


@pytest.mark.django_db
def test_login_throttling_reads_the_same_address_behind_the_proxy(client, settings):
    """Five failures lock one person's address out; another visitor behind the same proxy can
    still sign in with the same user name."""
    settings.PROXY_COUNT = 1
    UserFactory(username="clerk")
    proxied = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(5):
        client.post(
            "/console/login/",
            {"username": "clerk", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
            **proxied,
        )
    locked = client.post(
        "/console/login/",
        {"username": "clerk", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        **proxied,
    )
    assert locked.status_code == 429
    other = client.post(
        "/console/login/",
        {"username": "clerk", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.8",
        **proxied,
    )
    assert other.status_code == 302
