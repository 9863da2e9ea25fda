"""/api/v1/engagement/: the consultation inbox and auto-replies."""

from ninja import Router

router = Router(tags=["engagement"])
