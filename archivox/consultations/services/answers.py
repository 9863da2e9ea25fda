"""Answering a consultation on the channel it came from (or another open route), and the canned
answers staff start from.

A platform call is made outside any transaction, after the answer is recorded as *sending*, and
its outcome recorded after."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.consultations.models import (
    CannedAnswer,
    Consultation,
    ConsultationAnswer,
    InboundMessage,
)
from archivox.consultations.services.asking import private_url
from archivox.consultations.services.common import InboxError, may, may_answer
from archivox.core.models import Archive, PlatformAccount
from archivox.core.selectors import Capability
from archivox.core.services import audit_record

logger = logging.getLogger(__name__)

Status = Consultation.Status
Channel = InboundMessage.Channel

CUSTOMER_SERVICE_WINDOW = datetime.timedelta(hours=48)
WEIBO_TEXT_LIMIT = 140


class AnswerRefused(InboxError):
    pass


@dataclass(frozen=True)
class Route:
    via: str
    available: bool
    reason: str = ""

    @property
    def label(self) -> str:
        """The channel of the answer in the reader's words (微信客服消息, 电子邮件 …)."""
        return (
            str(ConsultationAnswer.Via(self.via).label)
            if self.via in ConsultationAnswer.Via.values
            else self.via
        )


def window_closes_at(consultation: Consultation) -> datetime.datetime | None:
    """When WeChat's customer-service window for this person closes (48 h after their last
    message to the account), or None when they never wrote."""
    last = (
        InboundMessage.objects.filter(
            archive=consultation.archive, channel=Channel.WECHAT, sender=consultation.person
        )
        .order_by("-received_at")
        .values_list("received_at", flat=True)
        .first()
    )
    return None if last is None else last + CUSTOMER_SERVICE_WINDOW


def answer_routes(consultation: Consultation) -> list[Route]:
    """How an answer can reach the person now: the channel first, then alternatives."""
    routes: list[Route] = []
    if consultation.channel == Channel.WECHAT:
        closes = window_closes_at(consultation)
        if closes is None or closes <= timezone.now():
            routes.append(
                Route(
                    ConsultationAnswer.Via.WECHAT,
                    False,
                    _(
                        "WeChat's 48-hour window for this person closed at %(when)s: a "
                        "customer-service message can no longer reach them until they write again."
                    )
                    % {
                        "when": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M")
                        if closes
                        else "—"
                    },
                )
            )
        else:
            routes.append(Route(ConsultationAnswer.Via.WECHAT, True))
    elif consultation.channel == Channel.WEIBO:
        routes.append(Route(ConsultationAnswer.Via.WEIBO, True))
    address = consultation.person_email or (
        consultation.person if consultation.channel == Channel.EMAIL else ""
    )
    if address:
        routes.append(Route(ConsultationAnswer.Via.EMAIL, True))
    elif consultation.channel in (Channel.WECHAT, Channel.WEIBO):
        routes.append(
            Route(
                ConsultationAnswer.Via.EMAIL,
                False,
                _("No email address is known for this person; add one if they gave it."),
            )
        )
    return routes


@transaction.atomic
def consultation_email_set(*, actor: Any, consultation: Consultation, email: str) -> Consultation:
    """Record an email address the person gave (another route when a channel is closed)."""
    may_answer(actor, consultation)
    email = (email or "").strip().lower()
    validate_email(email)
    before = {"person_email": consultation.person_email}
    consultation.person_email = email
    consultation.save(update_fields=["person_email"])
    audit_record(
        actor=actor,
        action="consultation.email_set",
        obj=consultation,
        archive=consultation.archive,
        before=before,
        after={"person_email": email},
    )
    return consultation


def consultation_answer(
    *,
    actor: Any,
    consultation: Consultation,
    text: str,
    via: str | None = None,
    waiting: bool = False,
) -> ConsultationAnswer:
    """Answer the person on the consultation's channel (or ``via`` another open route).

    Refusals before anything is sent raise ``AnswerRefused`` with the reason and what else can
    be done; the draft is the caller's to keep. A WeChat window that closed is recorded as such
    (``state == window``) with the alternatives in ``error``; a platform failure as ``failed``."""
    may_answer(actor, consultation)
    text = (text or "").strip()
    if not text:
        raise AnswerRefused(_("The answer is empty."))
    if len(text) > 5000:
        raise AnswerRefused(_("The answer is longer than 5000 characters."))
    if consultation.status == Status.CLOSED:
        raise AnswerRefused(_("This consultation is closed."))
    routes = {route.via: route for route in answer_routes(consultation)}
    default = {
        Channel.WECHAT: ConsultationAnswer.Via.WECHAT,
        Channel.WEIBO: ConsultationAnswer.Via.WEIBO,
        Channel.EMAIL: ConsultationAnswer.Via.EMAIL,
        Channel.WEB: ConsultationAnswer.Via.EMAIL,
    }[consultation.channel]
    via = via or default
    route = routes.get(via)
    if route is None:
        raise AnswerRefused(_("This consultation cannot be answered that way."))
    if via == ConsultationAnswer.Via.WEIBO and len(text) > WEIBO_TEXT_LIMIT:
        raise AnswerRefused(
            _("A Weibo reply holds at most %(n)d characters; this one has %(m)d.")
            % {"n": WEIBO_TEXT_LIMIT, "m": len(text)}
        )
    if not route.available and via != ConsultationAnswer.Via.WECHAT:
        raise AnswerRefused(route.reason)
    with transaction.atomic():
        answer = ConsultationAnswer(
            consultation=consultation,
            author=actor,
            text=text,
            via=via,
            state=ConsultationAnswer.State.SENDING,
        )
        answer.full_clean(exclude=["author"])
        answer.save()
    if not route.available:  # WeChat's window closed: recorded, nothing sent
        return _answer_settle(
            answer, actor, ConsultationAnswer.State.WINDOW_CLOSED, _window_message(consultation)
        )
    try:
        external_id = _deliver(answer)
    except Exception as exc:
        errcode = getattr(exc, "errcode", None)
        if errcode == 45015:
            return _answer_settle(
                answer, actor, ConsultationAnswer.State.WINDOW_CLOSED, _window_message(consultation)
            )
        logger.warning(
            "inbox: answer not delivered",
            extra={"consultation": consultation.pk, "via": via, "error": str(exc)[:300]},
        )
        return _answer_settle(
            answer, actor, ConsultationAnswer.State.FAILED, f"{type(exc).__name__}: {exc}"[:1000]
        )
    settled = _answer_settle(answer, actor, ConsultationAnswer.State.SENT, "", external_id, waiting)
    if (
        via == ConsultationAnswer.Via.EMAIL
        and consultation.person_openid
        and consultation.channel != Channel.WECHAT
    ):
        # Asked on the portal inside WeChat: told there too. (A follower who wrote to the
        # account and is answered by e-mail, their window closed, is answered by e-mail only.)
        _follower_tell(settled)
    return settled


def _follower_tell(answer: ConsultationAnswer) -> None:
    """The answer to a question asked inside WeChat by a known follower reaches them there
    too, through ``notifications.notify`` (template message, else the customer-service
    window), once per answer. The e-mail has gone already; a failure here never undoes it."""
    from archivox.notifications.services import notify

    consultation = answer.consultation
    archive = consultation.archive
    name = archive.name_zh or archive.name
    url = private_url(consultation)
    try:
        notify(
            archive=archive,
            purpose="consultations.answer",
            key=f"consultations.answer:{answer.pk}",
            text=f"{answer.text}\n\n{_feedback_line(consultation)}",
            subject=_("Your question to %(archive)s") % {"archive": name},
            openid=consultation.person_openid,
            fields={
                "thing1": consultation.subject or _("Your question"),
                "thing2": answer.text,
                "thing3": name,
            },
            link=url,
        )
    except Exception:  # the answer is sent; WeChat is a second way to it
        logger.exception("inbox: the answer could not be told in WeChat")


def _window_message(consultation: Consultation) -> str:
    others = [route for route in answer_routes(consultation) if route.available]
    message = _(
        "Not sent: WeChat allows customer-service messages only within 48 hours of the "
        "person's last message, and that window has closed."
    )
    if others:
        message += " " + _("You can send it by %(route)s instead.") % {
            "route": ", ".join(str(ConsultationAnswer.Via(route.via).label) for route in others)
        }
    else:
        message += " " + _(
            "It is kept here; answer when they write again, or record an email address they gave."
        )
    return message


@transaction.atomic
def _answer_settle(
    answer: ConsultationAnswer,
    actor: Any,
    state: str,
    error: str,
    external_id: str = "",
    waiting: bool = False,
) -> ConsultationAnswer:
    answer.state = state
    answer.error = error
    answer.external_id = external_id[:255]
    consultation = Consultation.objects.select_for_update().get(pk=answer.consultation_id)
    before = {"status": consultation.status}
    if state == ConsultationAnswer.State.SENT:
        now = timezone.now()
        answer.sent_at = now
        consultation.first_response_at = consultation.first_response_at or now
        consultation.answered_at = now
        consultation.status = Status.WAITING if waiting else Status.ANSWERED
        consultation.awaiting_since = consultation.due_at = None
        consultation.save(
            update_fields=[
                "first_response_at",
                "answered_at",
                "status",
                "awaiting_since",
                "due_at",
            ]
        )
    answer.save(update_fields=["state", "error", "external_id", "sent_at"])
    audit_record(
        actor=actor,
        action="consultation.answer",
        obj=consultation,
        archive=consultation.archive,
        before=before,
        after={"status": consultation.status, "via": answer.via, "state": state},
    )
    answer.consultation = consultation
    return answer


def _feedback_line(consultation: Consultation) -> str:
    return _("Was this helpful? Rate our answer: %(url)s") % {"url": private_url(consultation)}


def _deliver(answer: ConsultationAnswer) -> str:
    consultation = answer.consultation
    if answer.via == ConsultationAnswer.Via.WECHAT:
        from archivox.platforms.wechat.client import client_for_account

        account = (
            consultation.account
            or PlatformAccount.objects.filter(
                archive=consultation.archive,
                platform=PlatformAccount.Platform.WECHAT,
                is_active=True,
            ).first()
        )
        if account is None:
            raise AnswerRefused(_("The archive has no active WeChat account."))
        if not consultation.person_openid:
            raise AnswerRefused(_("This person's WeChat account is not known any more."))
        url = private_url(consultation)
        text = f'{answer.text}\n\n<a href="{url}">{_("Rate our answer")}</a>'
        with client_for_account(account) as client:
            # ``person`` is the openid's digest; the openid itself is kept encrypted.
            client.custom_send_text(consultation.person_openid, text)
        return ""
    if answer.via == ConsultationAnswer.Via.WEIBO:
        from archivox.platforms.weibo.client import client_for_account, item_id

        last = (
            consultation.messages.filter(channel=Channel.WEIBO)
            .order_by("-received_at", "-id")
            .first()
        )
        if last is None or consultation.account is None:
            raise AnswerRefused(_("There is no Weibo comment to reply to."))
        payload = last.payload or {}
        with client_for_account(consultation.account) as client:
            if payload.get("kind") == "comment":
                sent = client.comments_reply(
                    status_id=payload["status_id"], comment_id=payload["id"], text=answer.text
                )
            else:
                sent = client.comments_create(status_id=payload["status_id"], text=answer.text)
        return str(item_id(sent)) if isinstance(sent, dict) and sent.get("id") else ""
    # email, for the email channel and the web form
    return _send_email(answer)


def _send_email(answer: ConsultationAnswer) -> str:
    consultation = answer.consultation
    address = consultation.person_email or consultation.person
    archive = consultation.archive
    last = (
        consultation.messages.filter(channel=Channel.EMAIL).order_by("-received_at", "-id").first()
    )
    headers: dict[str, str] = {}
    subject = consultation.subject or _("Your question to %(archive)s") % {"archive": archive}
    if last is not None:
        payload = last.payload or {}
        parent = str(payload.get("message_id") or "")
        if parent:
            headers["In-Reply-To"] = parent
            references = [str(ref) for ref in payload.get("references") or []][-20:]
            headers["References"] = " ".join([*references, parent])
        subject = str(payload.get("subject") or subject)
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    message_id = make_msgid(domain=_mail_domain())
    headers["Message-ID"] = message_id
    body = f"{answer.text}\n\n-- \n{archive}\n{_feedback_line(consultation)}\n"
    EmailMessage(
        subject=" ".join(subject.split())[:200],
        body=body,
        to=[address],
        headers=headers,
    ).send(fail_silently=False)
    return message_id


def _mail_domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    return sender.rsplit("@", 1)[-1].strip(">") if "@" in sender else "archivox.invalid"


# ── canned answers ────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def canned_answer_create(*, actor: Any, archive: Archive, title: str, text: str) -> CannedAnswer:
    may(user=actor, archive=archive, capability=Capability.CONSULTATION_ANSWER)
    canned = CannedAnswer(archive=archive, title=(title or "").strip(), text=(text or "").strip())
    canned.full_clean()
    canned.save()
    audit_record(actor=actor, action="canned_answer.create", obj=canned, archive=archive)
    return canned


@transaction.atomic
def canned_answer_delete(*, actor: Any, canned: CannedAnswer) -> None:
    may(user=actor, archive=canned.archive, capability=Capability.CONSULTATION_ANSWER)
    audit_record(actor=actor, action="canned_answer.delete", obj=canned, archive=canned.archive)
    canned.delete()
