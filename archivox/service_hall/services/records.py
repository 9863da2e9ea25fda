"""Records-use requests in WeChat: every status change of a request made by a known follower
(the apply page learned them by the silent authorisation) reaches them through
``notifications.notify`` — the archive's template message, else the customer-service window.
The records app sends its own e-mail; this channel adds WeChat (registered in ``apps.ready``),
at most once per status change."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from archivox.notifications.services import notify
from archivox.records_requests.codes import code_display
from archivox.records_requests.models import RecordsRequest
from archivox.records_requests.selectors import (
    request_latest_event_id,
    request_status_for_person,
)
from archivox.records_requests.services.notify import status_url

PURPOSE = "records_requests.status"


def records_request_wechat_notify(request: RecordsRequest) -> None:
    """Tell the follower behind ``request`` its status (nothing when no follower is known)."""
    if not request.openid:
        return
    archive = request.archive
    with translation.override(settings.LANGUAGE_CODE):
        _slug, status = request_status_for_person(request)
        code = code_display(request.code)
        name = archive.name_zh or archive.name
        text = _("Your records request %(code)s to %(archive)s: %(status)s.") % {
            "code": code,
            "archive": name,
            "status": status,
        }
        if request.message:
            text += "\n" + request.message
        link = status_url(request)
        text += "\n" + _("Follow it here: %(url)s") % {"url": link}
        subject = _("Records request: %(status)s") % {"status": status}
    notify(
        archive=archive,
        purpose=PURPOSE,
        key=f"{PURPOSE}:{request.pk}:{request_latest_event_id(request)}",
        text=text,
        subject=subject,
        openid=request.openid,
        fields={
            "character_string1": code,
            "thing2": str(status),
            "thing3": request.message or str(status),
            "thing4": name,
        },
        link=link,
    )
