"""The one exception to "nothing from another host": WeChat's jweixin.js on a page opened in
WeChat's browser in production. The share tag names the script's origin on the request; this
adds exactly that origin to the response's ``script-src``. It sits after django-csp's middleware
in ``MIDDLEWARE`` so that it runs before the header is written."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect


class WeChatScriptCsp:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        origin = getattr(request, "wechat_script_origin", "")
        if origin:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["script-src"] = [*update.get("script-src", []), origin]
            response._csp_update = update
        return response


class WeChatFollowerAuth:
    """Before a page of a service that ties actions to a follower (``followers.IDENTITY_FOR``)
    is shown in WeChat's browser, learn the follower by a silent authorisation (GET only)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        redirect_to = self._authorise_first(request)
        if redirect_to:
            return HttpResponseRedirect(redirect_to)
        return self.get_response(request)

    def _authorise_first(self, request: HttpRequest) -> str:
        from django.urls import Resolver404, resolve

        from archivox.core.models import Archive
        from archivox.service_hall.services.followers import (
            IDENTITY_FOR,
            follower_auth_start,
            follower_auth_wanted,
        )

        if request.method != "GET" or "/archives/" not in request.path_info:
            return ""
        if "micromessenger" not in request.headers.get("User-Agent", "").lower():
            return ""  # outside WeChat's browser: no lookup at all
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return ""
        slug = match.kwargs.get("slug")
        namespace = match.namespaces[0] if match.namespaces else ""
        if not slug or not namespace:
            return ""
        # A service that learns the follower on one page only names it ("records:apply").
        if match.view_name in IDENTITY_FOR:
            namespace = match.view_name
        archive = Archive.objects.filter(slug=slug).first()
        if archive is None or not follower_auth_wanted(
            archive=archive,
            namespace=namespace,
            user_agent=request.headers.get("User-Agent", ""),
            query=request.GET,
            session=request.session,
        ):
            return ""
        return follower_auth_start(
            archive=archive,
            namespace=namespace,
            next_path=request.get_full_path(),
            session=request.session,
        )
