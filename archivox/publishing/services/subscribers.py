"""Email subscribers: double opt-in, confirmation and unsubscribing."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.core.models import Archive
from archivox.publishing.content import absolute
from archivox.publishing.models import EmailSubscriber
from archivox.publishing.services.desk import PublishingError


@transaction.atomic
def subscriber_subscribe(*, archive: Archive, email: str) -> EmailSubscriber:
    """Step one of the double opt-in: record the address and mail a confirmation link."""
    from django.core.validators import validate_email

    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise PublishingError({"email": _("enter a valid email address")}) from exc
    subscriber, created = EmailSubscriber.objects.get_or_create(archive=archive, email=email)
    if not created and subscriber.confirmed and subscriber.unsubscribed_at is None:
        return subscriber
    if subscriber.unsubscribed_at is not None:
        subscriber.unsubscribed_at = None
        subscriber.confirmed = False
        subscriber.save()
    link = absolute(
        reverse("posts:confirm", kwargs={"slug": archive.slug, "token": subscriber.token})
    )
    name = archive.name_zh or archive.name
    transaction.on_commit(
        lambda: send_mail(
            _("Confirm your subscription to %(archive)s") % {"archive": name},
            _(
                "Open this link to confirm that you want %(archive)s's posts by email:\n"
                "%(link)s\n\nIf you did not ask for this, ignore this message."
            )
            % {"archive": name, "link": link},
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
    )
    return subscriber


@transaction.atomic
def subscriber_confirm(*, archive: Archive, token: str) -> EmailSubscriber:
    subscriber = EmailSubscriber.objects.select_for_update(of=("self",)).get(
        archive=archive, token=token
    )
    if not subscriber.confirmed:
        subscriber.confirmed = True
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.save()
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, archive: Archive, token: str) -> EmailSubscriber:
    subscriber = EmailSubscriber.objects.select_for_update(of=("self",)).get(
        archive=archive, token=token
    )
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save()
    return subscriber
