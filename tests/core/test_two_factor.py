"""Optional two-factor login for staff (TOTP, django-otp)."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from archivox.core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The device's current code, or the one ``steps_ahead`` periods later."""
    t0 = device.t0 - steps_ahead * device.step
    return f"{totp(device.bin_key, device.step, t0, device.digits, device.drift):06d}"


def login(client, username, otp_token=""):
    return client.post(
        "/console/login/",
        {"username": username, "password": PASSWORD, "otp_token": otp_token},
        REMOTE_ADDR="198.51.100.9",
    )


def test_without_a_device_the_password_alone_logs_in(client):
    UserFactory(username="plain")
    assert login(client, "plain").status_code == 302


def test_with_a_confirmed_device_the_code_is_required_and_checked(client):
    user = UserFactory(username="careful")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    missing = login(client, "careful")
    assert missing.status_code == 200
    assert "two-factor" in missing.content.decode() or "双重" in missing.content.decode()
    assert "_auth_user_id" not in client.session

    assert login(client, "careful", code(device)).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session.get("otp_device_id")  # the session is marked verified


def test_a_wrong_code_is_refused_and_slows_down_the_next_tries(client, settings):
    # The throttle's first delay is 1 s by default; a busy machine (parallel workers) took longer
    # than that between the two logins, so the delay had passed. A longer delay, same check.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    user = UserFactory(username="guessed")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    wrong = "000000" if code(device) != "000000" else "111111"
    assert login(client, "guessed", wrong).status_code == 200
    assert "_auth_user_id" not in client.session
    # Throttled: right after a failure even the right code waits, so codes cannot be guessed.
    assert login(client, "guessed", code(device)).status_code == 200
    assert "_auth_user_id" not in client.session


def test_setting_up_shows_a_qr_code_and_takes_effect_only_once_confirmed(client):
    user = UserFactory(username="setup")
    client.force_login(user)
    page = client.post("/console/two-factor/", {"action": "start"})
    html = page.content.decode()
    assert "<svg" in html
    secret = re.search(r"<code>([A-Z2-7]+)</code>", html).group(1)
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed and secret

    confirmed = client.post("/console/two-factor/", {"action": "confirm", "token": code(device)})
    assert confirmed.status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    assert AuditEntry.objects.filter(action="two_factor.enabled").exists()

    # Turning it off needs a current code (not the one just used).
    device.refresh_from_db()
    removed = client.post(
        "/console/two-factor/", {"action": "remove", "token": code(device, steps_ahead=1)}
    )
    assert removed.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_a_wrong_confirmation_code_leaves_two_factor_off(client):
    user = UserFactory(username="typo")
    client.force_login(user)
    client.post("/console/two-factor/", {"action": "start"})
    refused = client.post("/console/two-factor/", {"action": "confirm", "token": "12345"})
    assert refused.status_code == 200
    assert "does not match" in refused.content.decode() or "不匹配" in refused.content.decode()
    assert not TOTPDevice.objects.get(user=user).confirmed
