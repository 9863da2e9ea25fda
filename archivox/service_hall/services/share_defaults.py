"""The archive's share-card defaults (image, description), set in the console."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record
from archivox.service_hall.models import ShareDefaults


def share_defaults_set(
    *, actor: User, archive: Archive, image_url: str, description: str
) -> ShareDefaults:
    archive_check_capability(user=actor, archive=archive, capability=Capability.POST_COMPOSE)
    image_url, description = image_url.strip(), " ".join(description.split())
    errors = {}
    if image_url:
        try:
            URLValidator(schemes=["https", "http"])(image_url)
        except ValidationError:
            errors["image_url"] = _("Give the image's full address, starting with https://.")
    if len(description) > 120:
        errors["description"] = _("The description is at most 120 characters.")
    if errors:
        raise ValidationError(errors)
    defaults, _created = ShareDefaults.objects.update_or_create(
        archive=archive, defaults={"image_url": image_url, "description": description}
    )
    audit_record(
        actor=actor,
        action="share_defaults.update",
        obj=defaults,
        archive=archive,
        after={"image_url": image_url, "description": description},
    )
    return defaults
