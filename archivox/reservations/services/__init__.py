"""Reservations: resources, opening hours, closures, slots, bookings, reminders and feedback.

Capacity is kept by one conditional UPDATE (``booked = booked + 1 WHERE booked < capacity``):
on PostgreSQL concurrent updates of the slot row wait for each other and re-check the condition;
on SQLite the IMMEDIATE transaction serialises writers. Either way the database, not Python,
decides who gets the last place.

One module per stage:

- ``resources``: resources, opening hours and closures (the console);
- ``slots``: slots generated from the opening hours, the public's bookable days, lecture slots;
- ``booking``: booking, looking up and cancelling (the capacity guarantee is here);
- ``visits``: check-in and the visitor's rating;
- ``reminders``: reminders and messages by the channel the person used;
- ``links``: the signed WeChat follower and feedback links;
- ``contacts``: the person's name and contact, checked;
- ``ratelimits``: the public's request limits;
- ``common``: ``BookingRefused``.

This package re-exports their public names, so ``from archivox.reservations.services import
reservation_book`` keeps working (and ``code_generate`` and ``settings``, which tests read
here). Code inside the app imports from the stage module.
"""

from django.conf import settings

from archivox.reservations.codes import code_generate
from archivox.reservations.services.booking import (
    REMINDER_NOT_NEEDED_WITHIN,
    reservation_book,
    reservation_cancel,
    reservation_cancel_by_staff,
    reservation_get_for_person,
)
from archivox.reservations.services.common import BookingRefused
from archivox.reservations.services.contacts import (
    CONTACT_MAX,
    NAME_MAX,
    contact_normalise,
    contact_validate,
    name_validate,
    person_key_for,
)
from archivox.reservations.services.links import (
    FEEDBACK_MAX_AGE,
    FEEDBACK_SALT,
    TOKEN_MAX,
    WECHAT_LINK_MAX_AGE,
    WECHAT_LINK_SALT,
    booking_from_feedback_token,
    feedback_link_for,
    feedback_token_for,
    follower_openid_from_token,
    follower_token_for,
    reservation_link_for_follower,
)
from archivox.reservations.services.ratelimits import booking_rate_limit, public_request_allowed
from archivox.reservations.services.reminders import (
    REMINDER_AHEAD,
    message_deliver,
    reservation_confirmation_send,
    reservation_feedback_invite,
    reservation_reminders_send,
)
from archivox.reservations.services.resources import (
    RESOURCE_FIELDS,
    closure_add,
    closure_remove,
    opening_hours_set,
    resource_create,
    resource_is_closed_on,
    resource_update,
)
from archivox.reservations.services.slots import (
    slot_create_for_event,
    slot_days_public,
    slot_update_for_event,
    slots_generate,
    slots_generate_ahead,
)
from archivox.reservations.services.visits import (
    COMMENT_MAX,
    reservation_check_in,
    reservation_rate,
)

__all__ = [
    "COMMENT_MAX",
    "CONTACT_MAX",
    "FEEDBACK_MAX_AGE",
    "FEEDBACK_SALT",
    "NAME_MAX",
    "REMINDER_AHEAD",
    "REMINDER_NOT_NEEDED_WITHIN",
    "RESOURCE_FIELDS",
    "TOKEN_MAX",
    "WECHAT_LINK_MAX_AGE",
    "WECHAT_LINK_SALT",
    "BookingRefused",
    "booking_from_feedback_token",
    "booking_rate_limit",
    "closure_add",
    "closure_remove",
    "code_generate",
    "contact_normalise",
    "contact_validate",
    "feedback_link_for",
    "feedback_token_for",
    "follower_openid_from_token",
    "follower_token_for",
    "message_deliver",
    "name_validate",
    "opening_hours_set",
    "person_key_for",
    "public_request_allowed",
    "reservation_book",
    "reservation_cancel",
    "reservation_cancel_by_staff",
    "reservation_check_in",
    "reservation_confirmation_send",
    "reservation_feedback_invite",
    "reservation_get_for_person",
    "reservation_link_for_follower",
    "reservation_rate",
    "reservation_reminders_send",
    "resource_create",
    "resource_is_closed_on",
    "resource_update",
    "settings",
    "slot_create_for_event",
    "slot_days_public",
    "slot_update_for_event",
    "slots_generate",
    "slots_generate_ahead",
]
