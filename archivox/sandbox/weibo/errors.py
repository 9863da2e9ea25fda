"""Errors the Weibo sandbox answers with, in the platform's shape and codes."""

from __future__ import annotations


class SandboxWeiboError(Exception):
    """``{"error": error, "error_code": error_code, "request": ...}`` with ``http_status``."""

    def __init__(self, error_code: int, error: str, http_status: int = 400) -> None:
        super().__init__(f"{error_code}: {error}")
        self.error_code = error_code
        self.error = error
        self.http_status = http_status


def missing_parameter(name: str) -> SandboxWeiboError:
    return SandboxWeiboError(10016, f"Miss required parameter ({name}) , see doc for more info.")


def invalid_parameter(name: str, expect: str, got: str) -> SandboxWeiboError:
    return SandboxWeiboError(
        10017,
        f"Parameter ({name})'s value invalid, expect ({expect}) , but get ({got[:60]}) , "
        "see doc for more info.",
    )
