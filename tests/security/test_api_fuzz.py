"""Property-based fuzzing of the JSON API from its own OpenAPI schema (schemathesis): whatever
a client sends, anonymous or logged in as staff, the answer is never a server error, and a JSON
error never echoes markup unescaped into HTML."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from archivox.core import services as core_services
from archivox.core.models import Archive, Role
from archivox.wsgi import application
from tests.factories import UserFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def keep_the_test_connection_open():
    """The WSGI app closes database connections after each request; inside a test's
    transaction that would close the test's own connection (Django's test client does this)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_cookies(db) -> dict[str, str]:
    """The paper's archives and a staff member holding every role at Nanjing (logged in)."""
    call_command("load_paper_survey", verbosity=0)
    user = UserFactory(username="fuzz-admin")
    nanjing = Archive.objects.get(slug="nanjing")
    for role in (Role.ADMINISTRATOR, Role.ARCHIVIST, Role.REVIEWER):
        core_services.membership_grant(actor=None, user=user, archive=nanjing, role=role)
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value}


FUZZ = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ
def test_the_api_never_answers_a_server_error_to_anyone(case, staff_cookies):
    for cookies in ({}, staff_cookies):
        response = case.call(cookies=cookies)
        case.validate_response(response, checks=[not_a_server_error])
        if response.headers.get("Content-Type", [""])[0].startswith("text/html"):
            assert "<script" not in response.text.lower()
