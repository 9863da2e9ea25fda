"""Requests carrying NUL characters are refused at the door.

PostgreSQL cannot store or even compare text holding NUL (0x00), so a NUL that reached a query
would be a server error; no legitimate form, query or JSON carries one. Uploaded files and
the WeChat callback's XML are left to their own checks: binary files contain NUL bytes (the
fields of a multipart form are checked, its files are not)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefuseNulCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._carries_nul(request):
            return HttpResponseBadRequest(
                "NUL characters are not allowed in requests.", content_type="text/plain"
            )
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path:
            return True
        for values in request.GET.lists():
            if "\x00" in values[0] or any("\x00" in value for value in values[1]):
                return True
        if request.method not in {"POST", "PUT", "PATCH"}:
            return False
        if request.content_type == "application/json":
            body = request.body
            return b"\x00" in body or b"\\u0000" in body
        if request.content_type in FORMS:
            # The fields, not the files: a file is binary.
            return any("\x00" in value for _, values in request.POST.lists() for value in values)
        return False
