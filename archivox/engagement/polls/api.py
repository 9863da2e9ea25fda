"""/api/v1/engagement/polls/."""

from ninja import Router

router = Router(tags=["polls"])
