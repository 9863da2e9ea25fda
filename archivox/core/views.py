from base64 import b32encode

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from archivox.core.health import database_check, queue_check
from archivox.core.selectors import worker_last_seen
from archivox.core.two_factor import (
    StaffLoginForm,
    has_two_factor,
    totp_device_confirm,
    totp_device_remove,
    totp_device_start,
    totp_qr_svg,
)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers; also reports the queue and when a worker last ran."""
    try:
        database_check()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    try:
        queue_check()
        queue = "ok"
    except Exception:  # any failure of Redis is reported, not raised: the site still serves
        queue = "unreachable"
    seen = worker_last_seen()
    return JsonResponse(
        {
            "status": "ok",
            "database": "ok",
            "queue": queue,
            "worker_last_seen": seen.isoformat() if seen else None,
        }
    )


class StaffLoginView(auth_views.LoginView):
    """The console's login: password, plus the authenticator's code when two-factor is on."""

    template_name = "core/login.html"
    form_class = StaffLoginForm

    def form_valid(self, form: StaffLoginForm) -> HttpResponse:
        response = super().form_valid(form)
        device = getattr(form, "otp_device", None)
        if device is not None:
            otp_login(self.request, device)
        return response


@login_required
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """Turn two-factor login on (QR code, then a code to confirm) or off (a code)."""
    user = request.user
    message = ""
    if request.method == "POST":
        action = request.POST.get("action")
        token = request.POST.get("token", "")
        if action == "start":
            totp_device_start(user=user)
        elif action == "confirm":
            if totp_device_confirm(user=user, token=token):
                return redirect("two_factor")
            message = _(
                "That code does not match; scan the QR code again, or wait for the next code."
            )
        elif action == "remove":
            if totp_device_remove(user=user, token=token):
                return redirect("two_factor")
            message = _("That code is wrong; two-factor login is still on.")
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    context = {
        "enabled": has_two_factor(user),
        "pending": pending,
        "qr_svg": mark_safe(totp_qr_svg(pending)) if pending else "",  # noqa: S308 (our own SVG)
        "secret": b32encode(pending.bin_key).decode() if pending else "",
        "message": message,
    }
    return render(request, "core/two_factor.html", context)
