"""Writes of collecting, one module per stage: offers (campaigns and the public's offers),
and review, accession into the catalog."""

from archivox.collecting.services.accession import offer_accession
from archivox.collecting.services.common import CollectingError, file_check
from archivox.collecting.services.offers import (
    campaign_accepts_offers,
    campaign_create,
    campaign_update,
    offer_get_by_token,
    offer_rate_allowed,
    offer_reply,
    offer_submit,
)
from archivox.collecting.services.review import offer_accept, offer_ask, offer_decline

__all__ = [
    "CollectingError",
    "campaign_accepts_offers",
    "campaign_create",
    "campaign_update",
    "file_check",
    "offer_accept",
    "offer_accession",
    "offer_ask",
    "offer_decline",
    "offer_get_by_token",
    "offer_rate_allowed",
    "offer_reply",
    "offer_submit",
]
