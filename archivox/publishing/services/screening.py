"""Screening: what may not be published (closed catalog items block; sensitive words and
personal data block or warn), submission to review, and a reviewer's overrides of warnings."""

from __future__ import annotations

import dataclasses

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.catalog.models import Access
from archivox.core.models import User
from archivox.core.selectors import Capability
from archivox.core.services import audit_record
from archivox.publishing.content import html_to_text
from archivox.publishing.models import Post, ScreeningOverride
from archivox.publishing.services.composing import EDITABLE
from archivox.publishing.services.desk import PublishingError, _check, _transition


@dataclasses.dataclass
class ScreeningFinding:
    kind: str
    severity: str  # "block" or "warn"
    field: str
    start: int
    end: int
    text: str
    message: str
    before: str = ""  # a little of the text around the span, for the reviewer
    after: str = ""
    override: ScreeningOverride | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.field}:{self.start}:{self.end}:{self.text}"[:300]


@dataclasses.dataclass
class Screening:
    item_blocks: list[str]
    findings: list[ScreeningFinding]

    @property
    def blocks(self) -> list[str]:
        text_blocks = [
            f"{f.message} ({f.field}: «{f.text}»)" for f in self.findings if f.severity == "block"
        ]
        return self.item_blocks + text_blocks

    @property
    def warnings(self) -> list[ScreeningFinding]:
        return [f for f in self.findings if f.severity != "block"]

    @property
    def unresolved_warnings(self) -> list[ScreeningFinding]:
        return [f for f in self.warnings if f.override is None]


def _item_blocks(post: Post) -> list[str]:
    """Catalog items the public may not see, or whose images may not be published."""
    today = timezone.localdate()
    problems: list[str] = []
    for item in post.post_items.select_related("description"):
        description = item.description
        code = description.reference_code
        if description.effective_access == Access.CONFIDENTIAL:
            problems.append(_("%(code)s is confidential and cannot be published") % {"code": code})
        elif not description.is_public_on(today):
            problems.append(
                _("%(code)s is closed until %(date)s and cannot be published")
                % {"code": code, "date": description.effective_closed_until}
            )
        elif item.use_image and not description.objects_public_on(today):
            problems.append(
                _("%(code)s is restricted: its images cannot be published") % {"code": code}
            )
    return problems


def screening_fields(post: Post) -> dict[str, str]:
    """The text screening reads: what readers see, not the tags."""
    body = html_to_text(post.body_html) if post.kind == Post.Kind.ARTICLE else post.text
    fields = {"title": post.title, "body": body}
    if post.digest:
        fields["digest"] = post.digest
    return fields


def post_screen(*, post: Post) -> Screening:
    """Screen a post: catalog access (blocks), sensitive words and personal data (spans)."""
    from archivox.core.screening import screen_text

    fields = screening_fields(post)
    overrides = {o.finding_key: o for o in post.overrides.select_related("reviewer")}
    findings: list[ScreeningFinding] = []
    for raw in screen_text(archive=post.archive, fields=fields):
        source = fields.get(raw.field, "")
        finding = ScreeningFinding(
            kind=str(raw.kind),
            severity=str(raw.severity),
            field=raw.field,
            start=raw.start,
            end=raw.end,
            text=raw.text,
            message=str(raw.message),
            before=source[max(0, raw.start - 20) : raw.start],
            after=source[raw.end : raw.end + 20],
        )
        if finding.severity != "block":
            finding.override = overrides.get(finding.key)
        findings.append(finding)
    return Screening(item_blocks=_item_blocks(post), findings=findings)


@transaction.atomic
def post_submit(*, actor: User | None, post: Post) -> Screening:
    """Send a draft to review. Refused while screening finds anything that blocks."""
    post = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
    _check(actor, post.archive, Capability.POST_COMPOSE)
    if post.status not in EDITABLE:
        raise PublishingError(
            {
                "__all__": _("a %(status)s post cannot be submitted")
                % {"status": post.get_status_display()}
            }
        )
    _require_content(post)
    screening = post_screen(post=post)
    if screening.blocks:
        raise PublishingError({"screening": screening.blocks})
    # A new round of review: approvals given before changes were requested do not carry over.
    post.review_round += 1
    _transition(
        actor=actor,
        post=post,
        to=Post.Status.SUBMITTED,
        action="post.submit",
        warnings=len(screening.warnings),
    )
    return screening


def _require_content(post: Post) -> None:
    if post.kind == Post.Kind.ARTICLE and not html_to_text(post.body_html):
        raise PublishingError({"body_html": _("an article needs a body")})
    if post.kind == Post.Kind.SHORT and not post.text.strip():
        raise PublishingError({"text": _("a short post needs its text")})
    if post.origin == Post.Origin.FORWARD and not post.forward_source.strip():
        raise PublishingError({"forward_source": _("a forward must name its source")})
    if not post.channels:
        raise PublishingError({"channels": _("choose at least one channel")})


@transaction.atomic
def screening_override(
    *, actor: User | None, post: Post, finding_key: str, reason: str
) -> ScreeningOverride:
    """A reviewer accepts one warning, saying why. Blocks cannot be overridden."""
    _check(actor, post.archive, Capability.POST_REVIEW)
    reason = (reason or "").strip()
    if not reason:
        raise PublishingError({"reason": _("an override needs a reason")})
    screening = post_screen(post=post)
    finding = next((f for f in screening.findings if f.key == finding_key), None)
    if finding is None:
        raise PublishingError({"finding": _("no such screening finding on this post")})
    if finding.severity == "block":
        raise PublishingError(
            {
                "finding": _("%(message)s: blocks cannot be overridden")
                % {"message": finding.message}
            }
        )
    override, _created = ScreeningOverride.objects.update_or_create(
        post=post, finding_key=finding_key, defaults={"reason": reason, "reviewer": actor}
    )
    audit_record(
        actor=actor,
        action="post.screening_override",
        obj=post,
        archive=post.archive,
        after={"finding": finding_key, "reason": reason},
    )
    return override
