"""Login throttling (django-axes) for logins over the web."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for web logins only.

    A login without a request (a management command, a test client's ``login``) is not a
    brute-force attempt from the network, so it is left to the next backend instead of refused."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
