"""Optional two-factor login for staff: a TOTP authenticator app (django-otp).

A staff member who has confirmed a device must give its current 6-digit code with the password;
one who has none logs in with the password alone. Setting a device up shows a QR code drawn here
(no image service elsewhere) and takes effect only once a code from the app is confirmed.
"""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from archivox.core.models import User
from archivox.core.services import audit_record

ISSUER = "Archivox"


def has_two_factor(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


class StaffLoginForm(AuthenticationForm):
    """Password, and the authenticator's code when the account has two-factor login on."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Your username and password did not match. Please try again."),
    }

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
        help_text=_("Only if you turned on two-factor login."),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and has_two_factor(user):
            token = (cleaned.get("otp_token") or "").strip()
            if not token:
                raise forms.ValidationError(
                    _("This account uses two-factor login: enter the code from your app."),
                    code="otp_required",
                )
            device = match_token(user, token)
            if device is None:
                raise forms.ValidationError(
                    _("That code is wrong or has expired; enter the current one."),
                    code="otp_invalid",
                )
            self.otp_device = device
        return cleaned


def totp_device_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for ``user`` (replacing an unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def totp_qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG QR code."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]


@transaction.atomic
def totp_device_confirm(*, user: User, token: str) -> bool:
    """Confirm the pending device with a code from the app; False when the code is wrong."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action="two_factor.enable", obj=user, after={"two_factor": True})
    return True


@transaction.atomic
def totp_device_remove(*, user: User, token: str) -> bool:
    """Turn two-factor login off; needs a current code so a stolen session cannot do it."""
    if match_token(user, token.strip()) is None:
        return False
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=user, action="two_factor.disable", obj=user, after={"two_factor": False})
    return True
