"""/api/v1/engagement/exhibitions/."""

from ninja import Router

router = Router(tags=["exhibitions"])
