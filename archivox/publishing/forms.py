"""Console forms of the publishing desk. They only parse what was typed; the services decide
(who may approve, what screening blocks, whether a time is in the past).

The desk's pages write their inputs by hand, so a refused form goes back with what was typed and
its problems listed, each named by the field's label (``ConsoleForm.error_lines``)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archivox.core.forms import ConsoleForm, typed_text
from archivox.publishing.models import CHANNELS, Post


class PostForm(ConsoleForm):
    """A new post or a draft's changes, with the catalog items chosen for it."""

    kind = forms.ChoiceField(label=_("kind"), choices=Post.Kind.choices, required=False)
    title = typed_text(_("title"))
    author = typed_text(_("author"))
    digest = typed_text(_("digest"))
    body_html = typed_text(_("body"))
    text = typed_text(_("text of a short post"))
    origin = forms.ChoiceField(label=_("origin"), choices=Post.Origin.choices, required=False)
    forward_source = typed_text(_("forwarded from"))
    column = typed_text(_("column"))
    topics = typed_text(_("topics"))
    channels = forms.MultipleChoiceField(
        label=_("channels"), choices=[(c, c) for c in CHANNELS], required=False
    )
    wechat_mode = forms.ChoiceField(
        label=_("WeChat"), choices=Post.WeChatMode.choices, required=False
    )
    featured_collection = forms.ModelChoiceField(
        label=_("featured collection"), queryset=None, required=False
    )
    item = forms.TypedMultipleChoiceField(label=_("catalog items"), coerce=int, required=False)

    def __init__(self, *args: Any, collections: Any, descriptions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["featured_collection"].queryset = collections
        # Only items this person may see in this archive can be chosen; others are dropped, as
        # an item may have been reclassified since the page was drawn.
        self.descriptions = descriptions
        self.fields["item"].choices = [(pk, pk) for pk in self.data.getlist("item") if pk.isdigit()]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"] or Post.Kind.ARTICLE,
            "title": data["title"].strip(),
            "author": data["author"].strip(),
            "digest": data["digest"].strip(),
            "body_html": data["body_html"],
            "text": data["text"],
            "origin": data["origin"] or Post.Origin.ORIGINAL,
            "forward_source": data["forward_source"].strip(),
            "column": data["column"].strip(),
            "topics": data["topics"],
            "channels": data["channels"],
            "wechat_mode": data["wechat_mode"] or Post.WeChatMode.PUBLISH,
            "featured_collection": data["featured_collection"],
        }

    def items(self) -> list[dict[str, Any]]:
        chosen = self.cleaned_data["item"]
        found = self.descriptions.in_bulk(chosen)
        return [
            {
                "description": found[pk],
                "use_image": f"use_image_{pk}" in self.data,
                "quote": f"quote_{pk}" in self.data,
            }
            for pk in chosen
            if pk in found
        ]


class ReviewForm(ConsoleForm):
    comment = typed_text(_("comment"))


class CommentForm(ConsoleForm):
    body = typed_text(_("comment"))


class ReasonForm(ConsoleForm):
    reason = typed_text(_("reason"))


class OverrideForm(ReasonForm):
    finding = typed_text(_("screening finding"))


class CorrectionForm(ReasonForm):
    """Only the fields the page sent are corrected: a missing field is left as it is."""

    title = typed_text(_("title"))
    digest = typed_text(_("digest"))
    body_html = typed_text(_("body"))
    text = typed_text(_("text of a short post"))

    def changes(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name]
            for name in ("title", "digest", "body_html", "text")
            if name in self.data
        }


class ScheduleForm(ConsoleForm):
    when = forms.DateTimeField(
        label=_("Publish at"),
        error_messages={
            "required": _("give the date and time as YYYY-MM-DD HH:MM"),
            "invalid": _("give the date and time as YYYY-MM-DD HH:MM"),
        },
    )

    def clean_when(self) -> datetime.datetime:
        when = self.cleaned_data["when"]
        return when if timezone.is_aware(when) else timezone.make_aware(when)


SEVERITY_WORDS = {"拦截": "block", "提醒": "warn"}


class DeskSettingsForm(ConsoleForm):
    """The archive's sensitive words, one a line as ``word|severity``, and the freshness
    threshold; an empty threshold leaves it as it is."""

    words = typed_text(_("sensitive words"))
    freshness_days = forms.IntegerField(
        label=_("Warn after this many days without an original post"),
        required=False,
        error_messages={"invalid": _("a whole number of days")},
    )
    review_levels = forms.TypedChoiceField(
        label=_("Levels of review before a post is approved"),
        choices=[(1, "1"), (2, "2"), (3, "3")],
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("one, two or three levels of review")},
    )

    def word_list(self) -> list[tuple[str, str]] | None:
        """The words as (word, severity); None when the page did not send the word list."""
        if "words" not in self.data:
            return None
        words = []
        for line in self.cleaned_data["words"].splitlines():
            parts = [part.strip() for part in line.split("|")]
            if parts and parts[0]:
                severity = parts[1] if len(parts) > 1 and parts[1] else "block"
                # The page writes the severities in Chinese (拦截, 提醒); English still works.
                words.append((parts[0], SEVERITY_WORDS.get(severity, severity)))
        return words


def refusal_lines(form: ConsoleForm, exc: ValidationError) -> list[str]:
    """The problems as the page lists them: the form's own when it was refused before any
    service ran, else the service's refusal put on the form it answers."""
    if not form.is_bound or form.is_valid():
        form.add_refusal(exc)
    return form.error_lines()
