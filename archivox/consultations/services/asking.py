"""The portal's "ask the archive" form, the person's private page behind it, and the rating
the person gives an answer (the form and the API share one rate limit)."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.consultations.models import Consultation, InboundMessage
from archivox.consultations.selectors import inbox_settings_for
from archivox.consultations.services.common import InboxError
from archivox.consultations.services.intake import inbound_receive
from archivox.consultations.services.lifecycle import due_for
from archivox.core.models import Archive
from archivox.core.ratelimit import ratelimit_hit

Channel = InboundMessage.Channel

ASK_LIMIT_PER_IP = 5  # questions from one address …
ASK_WINDOW_SECONDS = 600  # … per ten minutes
FEEDBACK_LIMIT_PER_CLIENT = 10  # ratings from one address (the form and the API alike) …
FEEDBACK_WINDOW_SECONDS = 600  # … per ten minutes


class AskRateLimited(InboxError):
    pass


class FeedbackRateLimited(InboxError):
    pass


@dataclass(frozen=True)
class AskReceipt:
    consultation: Consultation
    message: InboundMessage
    due_at: datetime.datetime
    promise_working_days: int
    private_url: str


def consultation_ask(
    *,
    archive: Archive,
    name: str,
    email: str,
    question: str,
    client_ip: str = "",
    openid: str = "",
) -> AskReceipt:
    """A question from the portal's form: validated, rate-limited per address, stored and
    threaded (one person = one email address). The answer comes by email and on a private page."""
    name = " ".join((name or "").split())[:200]
    email = (email or "").strip().lower()
    question = (question or "").strip()
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Please give an email address we can answer to.")
    if not question:
        errors["question"] = _("Please write your question.")
    if errors:
        raise ValidationError(errors)
    if client_ip and not ratelimit_hit(
        f"ask:{archive.pk}:{client_ip}", limit=ASK_LIMIT_PER_IP, window=ASK_WINDOW_SECONDS
    ):
        raise AskRateLimited(
            _("You have sent several questions in a short time. Please wait a few minutes.")
        )
    message, consultation, _created = inbound_receive(
        archive=archive,
        channel=Channel.WEB,
        sender=email,
        msg_type="question",
        content=question,
        dedupe_key=f"web:{secrets.token_hex(16)}",
        payload={"name": name, "email": email, "ip": client_ip[:64]},
        person_name=name,
        person_email=email,
    )
    if openid and consultation.person_openid != openid:
        # Asked inside WeChat by a known follower: the answer goes there too.
        consultation.person_openid = openid[:64]
        consultation.save(update_fields=["person_openid"])
    settings_ = inbox_settings_for(archive)
    return AskReceipt(
        consultation=consultation,
        message=message,
        due_at=consultation.due_at or due_for(archive, message.received_at),
        promise_working_days=settings_.promise_working_days,
        private_url=private_url(consultation),
    )


def private_url(consultation: Consultation) -> str:
    path = reverse(
        "ask:private",
        kwargs={"slug": consultation.archive.slug, "token": consultation.token},
    )
    return f"{settings.BASE_URL}{path}"


# ── the person rates the answer ───────────────────────────────────────────────────────────────


@transaction.atomic
def consultation_feedback_rate_check(*, client: str) -> None:
    """Count one feedback attempt from the ``client`` address, before the private link is even
    looked up (so guessing links is limited too); the private page and the API share the count.
    Raises FeedbackRateLimited over the limit."""
    if not ratelimit_hit(
        f"feedback:{client}", limit=FEEDBACK_LIMIT_PER_CLIENT, window=FEEDBACK_WINDOW_SECONDS
    ):
        raise FeedbackRateLimited(
            _("You have rated several times in a short time. Please wait a few minutes.")
        )


def consultation_feedback(*, consultation: Consultation, rating: int, comment: str = "") -> None:
    """The person rates the answer (1–5) and may comment; once answered, and changeable."""
    if consultation.first_response_at is None:
        raise InboxError(_("You can rate the answer once you have received it."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    consultation.rating = rating
    consultation.feedback = (comment or "").strip()[:2000]
    consultation.feedback_at = timezone.now()
    consultation.save(update_fields=["rating", "feedback", "feedback_at"])
