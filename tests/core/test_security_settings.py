"""Login throttling, the Content Security Policy and production settings (issue 10)."""

import secrets

import pytest

from tests.factories import UserFactory
from tests.helpers import child_env, manage

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def login(client, username: str, password: str):
    return client.post(
        "/console/login/",
        {"username": username, "password": password},
        REMOTE_ADDR="203.0.113.7",
    )


def test_five_failed_logins_lock_the_account_from_that_address_even_with_the_right_password(
    client,
):
    UserFactory(username="archivist")
    for _ in range(4):
        assert login(client, "archivist", "wrong").status_code == 200  # the form again
    locked = login(client, "archivist", "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode() or "登录失败次数过多" in (
        locked.content.decode()
    )
    assert login(client, "archivist", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_login_resets_the_failure_count(client):
    UserFactory(username="reviewer")
    for _ in range(3):
        login(client, "reviewer", "wrong")
    assert login(client, "reviewer", PASSWORD).status_code == 302
    client.logout()
    for _ in range(3):
        assert login(client, "reviewer", "wrong").status_code == 200
    assert login(client, "reviewer", PASSWORD).status_code == 302


def test_every_page_forbids_inline_scripts_and_other_hosts(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_weak_passwords_are_refused_by_the_validators():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["12345678", "password", "archive"]:
        with pytest.raises(ValidationError):
            validate_password(weak)


def production_env(**extra: str) -> dict[str, str]:
    env = child_env(
        ARCHIVOX_SANDBOX="0",
        ARCHIVOX_DEBUG="0",
        ARCHIVOX_BASE_URL="https://archives.example.gov.cn",
        ARCHIVOX_ALLOWED_HOSTS="archives.example.gov.cn",
        ARCHIVOX_SECRET_KEY=secrets.token_urlsafe(60),
        **extra,
    )
    # Set by the browser tests for pytest-django's live server; never in production.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_and_http_redirects_to_https():
    script = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.SESSION_COOKIE_HTTPONLY)"
    )
    result = manage("shell", "-v", "0", "-c", script, env=production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 5
