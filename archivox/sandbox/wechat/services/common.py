"""What the WeChat sandbox's stages share: the platform's refusal (``SandboxApiError``), the
sandbox's own (``SandboxError``), and the random ids and secrets it hands out."""

from __future__ import annotations

import secrets
import string
from typing import Any

from archivox.sandbox.wechat import rules

ALNUM = string.ascii_letters + string.digits


class SandboxApiError(Exception):
    """The platform refuses the call with this errcode (and, for some, extra fields)."""

    def __init__(self, errcode: int, **extra: Any) -> None:
        super().__init__(f"errcode {errcode}")
        self.errcode = errcode
        self.extra = extra

    def payload(self) -> dict[str, Any]:
        return {"errcode": self.errcode, "errmsg": rules.errmsg(self.errcode), **self.extra}


class SandboxError(ValueError):
    """A control call of the sandbox itself (not of the platform API) is malformed."""


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _number(digits: int = 10) -> int:
    return 10 ** (digits - 1) + secrets.randbelow(9 * 10 ** (digits - 1))


def _media_id() -> str:
    return secrets.token_urlsafe(48)[:64]
