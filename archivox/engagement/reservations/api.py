"""/api/v1/engagement/reservations/."""

from ninja import Router

router = Router(tags=["reservations"])
