"""The one exception to "nothing from another host": WeChat's jweixin.js on a page opened in
WeChat's browser in production. The share tag names the script's origin on the request; this
adds exactly that origin to the response's ``script-src``. It sits after django-csp's middleware
in ``MIDDLEWARE`` so that it runs before the header is written."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
