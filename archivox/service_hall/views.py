"""Public endpoints of the service hall: the return from WeChat's silent authorisation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from archivox.core.access import archive_or_404
from archivox.service_hall.services.followers import FollowerAuthRefused, follower_auth_finish


@require_GET
def wechat_auth_return(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_or_404(slug)
    try:
        target = follower_auth_finish(
            archive=archive,
            code=request.GET.get("code", "")[:128],
            state=request.GET.get("state", "")[:128],
            session=request.session,
        )
    except FollowerAuthRefused:
        return HttpResponseBadRequest(
            _("This WeChat authorisation is not valid or has expired; please open the page again.")
        )
    # Only a path of this site was remembered, so this is no open redirect.
    return redirect(target)
