"""The portal's "ask the archive" form and the person's private page (answers and feedback).

Everything the person wrote is shown through Django's auto-escaping; nothing is marked safe."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from archivox.catalog.models import Description
from archivox.catalog.selectors import description_get_public
from archivox.consultations import selectors
from archivox.consultations.services import asking, common
from archivox.consultations.services.followers import TOKEN_MAX, follower_openid_from_token
from archivox.core.access import archive_or_404, client_address
from archivox.core.models import Archive

MAX_QUESTION = 10_000


def _question_about(archive: Archive, reference_code: str | None) -> str:
    """The start of a question about one open item ("Ask about this item" on the portal);
    nothing for an item the public may not see."""
    if not reference_code:
        return ""
    try:
        item = description_get_public(archive=archive, reference_code=reference_code[:200])
    except Description.DoesNotExist:
        return ""
    return _("About %(reference)s “%(title)s”: ") % {
        "reference": item.reference_code,
        "title": item.title,
    }


def _wx(request: HttpRequest, archive: Archive) -> str:
    """The follower's signed token (inside WeChat's browser), kept only when valid here."""
    if "MicroMessenger" not in request.headers.get("User-Agent", ""):
        return ""
    token = (request.POST.get("wx") or request.GET.get("wx") or "")[:TOKEN_MAX]
    return token if follower_openid_from_token(archive=archive, token=token) else ""


@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_or_404(slug)
    wx = _wx(request, archive)
    promise = selectors.inbox_settings_for(archive).promise_working_days
    form = {"name": "", "email": "", "question": _question_about(archive, request.GET.get("item"))}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        form = {key: str(request.POST.get(key, "")) for key in form}
        try:
            receipt = asking.consultation_ask(
                archive=archive,
                name=form["name"],
                email=form["email"],
                question=form["question"],
                client_ip=client_address(request),
                openid=follower_openid_from_token(archive=archive, token=wx) if wx else "",
            )
        except ValidationError as exc:
            errors = exc.message_dict
            status = 400
        except asking.AskRateLimited as exc:
            errors = {"__all__": [exc.message]}
            status = 429
        else:
            return render(
                request,
                "consultations/ask_received.html",
                {"archive": archive, "receipt": receipt},
            )
    return render(
        request,
        "consultations/ask.html",
        {
            "archive": archive,
            "form": form,
            "errors": errors,
            "promise": promise,
            "max_question": MAX_QUESTION,
            "wx": wx,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def private(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    error = ""
    status = 200
    if request.method == "POST":
        # Counted before the link is looked up, so guessing links by posting is limited too.
        try:
            asking.consultation_feedback_rate_check(client=client_address(request))
        except asking.FeedbackRateLimited as exc:
            error, status = exc.message, 429
    try:
        consultation = selectors.consultation_get_by_token(slug=slug, token=token)
    except selectors.ConsultationNotFound as exc:
        raise Http404("no such consultation") from exc
    if request.method == "POST" and not error:
        try:
            rating = int(request.POST.get("rating", "0"))
        except ValueError:
            rating = 0
        try:
            asking.consultation_feedback(
                consultation=consultation, rating=rating, comment=request.POST.get("comment", "")
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except common.InboxError as exc:
            error = exc.message
        else:
            return redirect(request.path + "?thanks=1")
    thread = selectors.consultation_thread(consultation=consultation, internal=False)
    return render(
        request,
        "consultations/private.html",
        {
            "archive": consultation.archive,
            "consultation": consultation,
            "thread": thread,
            "error": error,
            "thanks": request.GET.get("thanks") == "1",
            "ratings": range(1, 6),
        },
        status=status if status != 200 else (400 if error else 200),
    )
