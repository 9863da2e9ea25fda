"""Questionnaires (a one-question poll is a questionnaire with one question), the answers people
give, and the interest labels those answers assign to them."""

from __future__ import annotations

import datetime

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archivox.core.fields import EncryptedTextField
from archivox.core.models import Archive


class Channel(models.TextChoices):
    """How we know a person: a WeChat follower (openid from a signed link) or a web browser
    (a random id in a signed cookie)."""

    WECHAT = "wechat", _("WeChat")
    WEB = "web", _("web")


class InterestLabel(models.Model):
    """What a person is interested in (族谱, 民国史, 园林…), for the publishing desk to target."""

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="interest_labels", verbose_name=_("archive")
    )
    name = models.CharField(_("name"), max_length=50)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["archive", "name"]
        constraints = [
            models.UniqueConstraint(fields=["archive", "name"], name="interest_label_unique_name")
        ]
        verbose_name = _("interest label")
        verbose_name_plural = _("interest labels")

    def __str__(self) -> str:
        return self.name


class PersonLabel(models.Model):
    """An interest label held by one person of one archive's public."""

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="person_labels", verbose_name=_("archive")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # A follower's digest (polls.identity), a browser's random id.
    person_id = models.CharField(_("person"), max_length=128)
    # A follower's openid, for the publishing desk to reach them: encrypted at rest.
    openid = EncryptedTextField(_("WeChat follower"), blank=True)
    label = models.ForeignKey(
        InterestLabel, on_delete=models.CASCADE, related_name="people", verbose_name=_("label")
    )
    source = models.ForeignKey(
        "Questionnaire",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["archive", "channel", "person_id", "label"],
                name="person_label_unique",
            )
        ]
        indexes = [models.Index(fields=["label", "channel"])]
        verbose_name = _("person's interest label")
        verbose_name_plural = _("people's interest labels")

    def __str__(self) -> str:
        return f"{self.channel}:{self.person_id} · {self.label}"


class Questionnaire(models.Model):
    """A questionnaire or a poll, open to the public between ``opens_at`` and ``closes_at``.
    Without ``opens_at`` it is a draft nobody outside the console sees."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="questionnaires", verbose_name=_("archive")
    )
    slug = models.SlugField(_("slug"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True, max_length=4000)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    results_public = models.BooleanField(_("results shown to the public"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["archive", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["archive", "slug"], name="questionnaire_unique_slug")
        ]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.title

    def status_at(self, when: datetime.datetime | None = None) -> str:
        when = when or timezone.now()
        if self.opens_at is None:
            return self.Status.DRAFT
        if when < self.opens_at:
            return self.Status.SCHEDULED
        if self.closes_at is not None and when >= self.closes_at:
            return self.Status.CLOSED
        return self.Status.OPEN

    @property
    def status(self) -> str:
        return self.status_at()

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        RATING = "rating", _("rating")
        TEXT = "text", _("free text")

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("questionnaire"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    required = models.BooleanField(_("required"), default=True)
    # Multiple choice: how many options may be ticked (0 = no upper bound).
    min_choices = models.PositiveSmallIntegerField(_("at least"), default=0)
    max_choices = models.PositiveSmallIntegerField(_("at most"), default=0)
    rating_min = models.SmallIntegerField(_("lowest rating"), default=1)
    rating_max = models.SmallIntegerField(_("highest rating"), default=5)
    max_length = models.PositiveIntegerField(
        _("longest answer (characters)"), default=500, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["questionnaire", "position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    @property
    def has_options(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)

    @property
    def rating_range(self) -> range:
        return range(self.rating_min, self.rating_max + 1)


class Option(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("question")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.CharField(_("option"), max_length=300)
    labels = models.ManyToManyField(
        InterestLabel, blank=True, related_name="options", verbose_name=_("interest labels")
    )

    class Meta:
        ordering = ["question", "position", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.text


class Response(models.Model):
    """One person's answers to one questionnaire. The unique constraint is what makes "one
    response per person" hold when two submissions race."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="responses",
        verbose_name=_("questionnaire"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    person_id = models.CharField(_("person"), max_length=128)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["questionnaire", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "channel", "person_id"],
                name="response_one_per_person",
            )
        ]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.questionnaire} · {self.channel}:{self.person_id}"


class Answer(models.Model):
    """One answer to one question: an option ticked (one row per ticked option), a rating or a
    free text, stored as plain text and shown escaped."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    option = models.ForeignKey(
        Option,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("option"),
    )
    rating = models.SmallIntegerField(_("rating"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["response", "question", "pk"]
        indexes = [models.Index(fields=["question", "option"])]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option_id or self.rating or self.text[:20]}"
