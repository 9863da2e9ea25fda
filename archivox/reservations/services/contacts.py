"""The person's name and contact (an e-mail address or a phone number), checked and normalised."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from archivox.core.fields import person_digest

NAME_MAX = 100
CONTACT_MAX = 254


def contact_normalise(contact: str) -> str:
    contact = (contact or "").strip()
    if "@" in contact:
        return contact.lower()
    return re.sub(r"\D", "", contact)


def person_key_for(*, openid: str = "", contact: str = "") -> str:
    """Who books, for "one live booking of a slot per person": a keyed digest of the WeChat
    openid, else of the normalised contact, so the table holds neither in plain text here."""
    if openid:
        return person_digest(f"wx:{openid}")
    return person_digest(f"c:{contact_normalise(contact)}")


def contact_validate(contact: str) -> str:
    """An e-mail address or a phone number; a ValidationError in the person's words otherwise."""
    contact = (contact or "").strip()
    if not contact:
        raise ValidationError({"contact": _("Please give an e-mail address or a phone number.")})
    if len(contact) > CONTACT_MAX:
        raise ValidationError(
            {"contact": _("The contact is too long (at most %d characters).") % CONTACT_MAX}
        )
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError as exc:
            raise ValidationError({"contact": _("This e-mail address is not valid.")}) from exc
        return contact
    if (
        not re.fullmatch(r"\+?[\d\s\-()]{5,30}", contact)
        or not 5 <= len(contact_normalise(contact)) <= 20
    ):
        raise ValidationError(
            {"contact": _("Please give an e-mail address or a phone number (digits only).")}
        )
    return contact


def name_validate(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Please give your name.")})
    if len(name) > NAME_MAX:
        raise ValidationError(
            {"name": _("The name is too long (at most %d characters).") % NAME_MAX}
        )
    return name
