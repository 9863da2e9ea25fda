"""/api/v1/engagement/topics/."""

from ninja import Router

router = Router(tags=["topics"])
