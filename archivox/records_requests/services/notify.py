"""Telling the person of every status change. E-mail is built in; another channel (WeChat,
issue 20) joins with ``request_notifier_register(callable)``: each notifier gets the request
after the change is committed and decides itself whether it can reach the person (an openid).
A failing notifier never undoes the change, nor stops the others; logs name the request by its
id only, never what the person wrote."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from archivox.records_requests.codes import code_display
from archivox.records_requests.models import Delivery, RecordsRequest
from archivox.records_requests.selectors import copies_for_person, request_status_for_person

logger = logging.getLogger(__name__)

Notifier = Callable[[RecordsRequest], None]
_NOTIFIERS: list[Notifier] = []


def request_notifier_register(notifier: Notifier) -> None:
    """Add a channel that is told of every status change (called once, in an app's ready())."""
    if notifier not in _NOTIFIERS:
        _NOTIFIERS.append(notifier)


def status_url(request: RecordsRequest) -> str:
    path = reverse("records:status", kwargs={"slug": request.archive.slug, "code": request.code})
    return f"{settings.BASE_URL}{path}"


def request_email_send(request: RecordsRequest) -> None:
    """The e-mail of a status change: the status line, the archive's message, the link."""
    if not request.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        _slug, status = request_status_for_person(request)
        lines = [
            _("Your records request %(code)s to %(archive)s: %(status)s.")
            % {"code": code_display(request.code), "archive": request.archive, "status": status},
        ]
        if request.message:
            lines += ["", request.message]
        # Delivery by e-mail: the signed PDF goes along once it reaches the person.
        attach = copies_for_person(request)[:1] if request.delivery == Delivery.EMAIL else []
        for copy in attach:
            lines += [
                "",
                _("Your copy (%(kind)s) is attached; its verification code is %(code)s.")
                % {"kind": copy.get_kind_display(), "code": copy.verification_code},
            ]
        lines += ["", _("Follow it here: %(url)s") % {"url": status_url(request)}]
        subject = _("Records request: %(status)s") % {"status": status}
    message = EmailMessage(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [request.email])
    for copy in attach:
        with copy.file.open("rb") as handle:
            message.attach(f"{copy.verification_code}.pdf", handle.read(), "application/pdf")
    message.send(fail_silently=False)


def request_notify(request: RecordsRequest) -> None:
    """Run every notifier for ``request`` (call it in ``transaction.on_commit``)."""
    for notifier in [request_email_send, *_NOTIFIERS]:
        try:
            notifier(request)
        except Exception:  # one channel down never stops the others
            logger.exception("records request %s: a notification failed", request.pk)
