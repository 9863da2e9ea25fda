"""Records-use requests (查档): what each archive serves (request kinds), the working-day
calendar it keeps, the requests a person follows from application to certified copy, and the
copies issued (verifiable by their code)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archivox.catalog.models import Description
from archivox.core.fields import EncryptedTextField
from archivox.core.models import Archive


class Category(models.TextChoices):
    """Livelihood records (民生档案) a person most often asks for."""

    MARRIAGE = "marriage", _("marriage registration")
    SCHOOL = "school", _("school records and diplomas")
    EMPLOYMENT = "employment", _("employment and seniority")
    RETIREMENT = "retirement", _("retirement")
    SOCIAL_INSURANCE = "social_insurance", _("social insurance")
    HOUSING = "housing", _("housing")
    LAND = "land", _("land and forest rights")
    NOTARISATION = "notarisation", _("notarisation")
    SENT_DOWN = "sent_down", _("sent-down youth")


class Proof(models.TextChoices):
    PERSON = "person", _("the person concerned, with an ID card")
    AGENT = "agent", _("an agent, with a notarised authorisation")
    UNIT = "unit", _("a unit, with its letter of introduction")


class Delivery(models.TextChoices):
    DOWNLOAD = "download", _("download")
    EMAIL = "email", _("e-mail")
    POST = "post", pgettext_lazy("records request", "post")
    # At the archive holding the record, or at the one the person applied to (the nearest).
    COLLECT = "collect", _("collect at the archive holding the record")
    COLLECT_NEAREST = "collect_nearest", _("collect at the archive I applied to (the nearest)")


class RequestKind(models.Model):
    """A record category an archive holds and serves, with what it asks and promises."""

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="request_kinds", verbose_name=_("archive")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    years_from = models.PositiveSmallIntegerField(_("records from year"))
    years_to = models.PositiveSmallIntegerField(_("records to year"))
    # The districts the records cover, one per line; empty: the archive's whole area.
    districts = models.TextField(_("districts covered"), blank=True, max_length=2000)
    proofs = models.JSONField(_("proof accepted"), default=list)
    working_days = models.PositiveSmallIntegerField(_("promised working days"), default=5)
    fee = models.CharField(_("fee"), max_length=200, blank=True)
    deliveries = models.JSONField(_("delivery options"), default=list)
    notes = models.TextField(_("notes for the applicant"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("accepting requests"), default=True)

    class Meta:
        ordering = ["archive", "category"]
        constraints = [
            models.UniqueConstraint(fields=["archive", "category"], name="request_kind_unique"),
            models.CheckConstraint(
                condition=Q(years_to__gte=F("years_from")), name="request_kind_years"
            ),
            models.CheckConstraint(
                condition=Q(working_days__gte=1) & Q(working_days__lte=60),
                name="request_kind_working_days",
            ),
        ]
        verbose_name = _("request kind")
        verbose_name_plural = _("request kinds")

    def __str__(self) -> str:
        return f"{self.archive} · {self.get_category_display()}"

    @property
    def district_list(self) -> list[str]:
        return [line.strip() for line in self.districts.splitlines() if line.strip()]

    @property
    def proof_labels(self) -> list[str]:
        """What the person may apply with, in words (the public page lists them)."""
        labels = dict(Proof.choices)
        return [str(labels[value]) for value in self.proofs if value in labels]

    @property
    def delivery_labels(self) -> list[str]:
        labels = dict(Delivery.choices)
        return [str(labels[value]) for value in self.deliveries if value in labels]


class Holiday(models.Model):
    """A day off on a weekday, or a weekend day worked (调休), in the archive's calendar."""

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("archive")
    )
    day = models.DateField(_("day"))
    is_working_day = models.BooleanField(_("worked (adjusted working day)"), default=False)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["archive", "day"]
        constraints = [
            models.UniqueConstraint(fields=["archive", "day"], name="records_holiday_unique")
        ]
        verbose_name = _("holiday or adjusted working day")
        verbose_name_plural = _("holidays and adjusted working days")

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class RecordsRequest(models.Model):
    """One person's request, received by one archive and worked by the archive holding the
    records (the same one, or another archive of the installation it was forwarded to)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("records request", "submitted")
        NEEDS_MORE = "needs_more", _("more material needed")
        REFUSED = "refused", pgettext_lazy("records request", "refused")
        ACCEPTED = "accepted", _("accepted, being searched")
        FORWARDED = "forwarded", _("forwarded to the holding archive")
        FOUND = "found", _("record found")
        NOT_FOUND = "not_found", _("record not found")
        ISSUED = "issued", _("copy issued")
        CLOSED = "closed", pgettext_lazy("records request", "closed")

    class Channel(models.TextChoices):
        WEB = "web", _("website")
        WECHAT = "wechat", _("WeChat")
        COUNTER = "counter", _("counter")

    class ReturnMode(models.TextChoices):
        DIRECT = "direct", _("the holding archive answers the person directly")
        VIA_RECEIVING = "via_receiving", _("the answer goes back through the receiving archive")

    class Result(models.TextChoices):
        FOUND = "found", _("found")
        NOT_FOUND = "not_found", _("not found")

    code = models.CharField(_("tracking code"), max_length=20, unique=True)
    archive = models.ForeignKey(
        Archive,
        on_delete=models.PROTECT,
        related_name="records_requests_received",
        verbose_name=_("receiving archive"),
    )
    holding_archive = models.ForeignKey(
        Archive,
        on_delete=models.PROTECT,
        related_name="records_requests_held",
        verbose_name=_("holding archive"),
    )
    kind = models.ForeignKey(
        RequestKind,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("request kind"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    status = models.CharField(
        pgettext_lazy("records request", "status"),
        max_length=12,
        choices=Status.choices,
        default=Status.SUBMITTED,
    )
    # Bumped by every staff action: two staff acting at once, the second is told who won.
    version = models.PositiveIntegerField(_("version"), default=1)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    proof = models.CharField(_("applying as"), max_length=10, choices=Proof.choices)
    name = models.CharField(_("name on the record"), max_length=100)
    id_number = EncryptedTextField(_("ID number"))
    # A keyed digest of the ID number: rate limits and export find a person without decrypting.
    person_key = models.CharField(_("person key"), max_length=64, db_index=True, editable=False)
    years_from = models.PositiveSmallIntegerField(_("from year"))
    years_to = models.PositiveSmallIntegerField(_("to year"))
    district = models.CharField(
        pgettext_lazy("records request", "district"), max_length=100, blank=True
    )
    place = models.CharField(_("place or unit"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=500)
    email = models.EmailField(_("e-mail"))
    # The WeChat follower who applied (never shown; encrypted at rest, purged with the rest).
    openid = EncryptedTextField(_("WeChat openid"), blank=True)
    delivery = models.CharField(
        pgettext_lazy("records request", "delivery"), max_length=16, choices=Delivery.choices
    )
    postal_address = models.CharField(_("postal address"), max_length=300, blank=True)
    return_mode = models.CharField(
        _("how the answer returns"),
        max_length=14,
        choices=ReturnMode.choices,
        default=ReturnMode.DIRECT,
    )
    # What the person is told (the reason of a refusal, what more is needed).
    message = models.TextField(_("message to the applicant"), blank=True, max_length=2000)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True)
    worked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("worked by"),
    )
    due_on = models.DateField(_("due (receiving archive)"))
    holding_due_on = models.DateField(_("due (holding archive)"), null=True, blank=True)
    # Via the receiving archive: the copy reaches the person once that archive releases it.
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    OPEN = (
        Status.SUBMITTED,
        Status.NEEDS_MORE,
        Status.ACCEPTED,
        Status.FORWARDED,
        Status.FOUND,
        Status.NOT_FOUND,
        Status.ISSUED,
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["archive", "status", "due_on"], name="records_req_due"),
            models.Index(fields=["holding_archive", "status"], name="records_req_holding"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(years_to__gte=F("years_from")), name="records_request_years"
            ),
        ]
        verbose_name = _("records request")
        verbose_name_plural = _("records requests")

    def __str__(self) -> str:
        return f"{self.code[:4]}… {self.get_category_display()}"

    @property
    def is_forwarded(self) -> bool:
        """Until forwarded, ``holding_archive`` is only where the routing thinks the record is;
        the receiving archive works the request."""
        return self.forwarded_at is not None

    @property
    def worker_archive_id(self) -> int:
        return self.holding_archive_id if self.is_forwarded else self.archive_id

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_in_work(self) -> bool:
        """Open and not yet issued: only such a request can be late (an issued copy kept the
        promise; closing it is bookkeeping). The overdue queue and counts say the same."""
        return self.is_open and self.status != self.Status.ISSUED


class RequestEvent(models.Model):
    """One step of a request: the status it reached, who moved it, at which archive."""

    request = models.ForeignKey(
        RecordsRequest,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("records request"),
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="+", verbose_name=_("archive")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    status = models.CharField(
        pgettext_lazy("records request", "status"),
        max_length=12,
        choices=RecordsRequest.Status.choices,
    )
    # What the person is told at this step ("" when the step says it all).
    message = models.TextField(_("message to the applicant"), blank=True, max_length=2000)
    # Staff notes stay in the console; the person's page shows only public steps.
    note = models.TextField(_("staff note"), blank=True, max_length=2000)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("request step")
        verbose_name_plural = _("request steps")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.status}"


class RequestUpload(models.Model):
    """An ID or authorisation the person uploaded: checked by content, never public, purged
    after the retention period."""

    class Kind(models.TextChoices):
        ID = "id", _("ID document")
        AUTHORISATION = "authorisation", _("authorisation or letter")

    request = models.ForeignKey(
        RecordsRequest,
        on_delete=models.CASCADE,
        related_name="uploads",
        verbose_name=_("records request"),
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    file = models.FileField(_("uploaded file"), upload_to="records_requests/uploads/%Y/%m/")
    media_type = models.CharField(_("media type"), max_length=40)
    size = models.PositiveIntegerField(_("file size (bytes)"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("applicant's upload")
        verbose_name_plural = _("applicant's uploads")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.media_type})"


class RequestFinding(models.Model):
    """A catalog description the search found: staff see it, whatever its access; the person
    only ever sees the copy issued."""

    request = models.ForeignKey(
        RecordsRequest,
        on_delete=models.CASCADE,
        related_name="findings",
        verbose_name=_("records request"),
    )
    description = models.ForeignKey(
        Description, on_delete=models.PROTECT, related_name="+", verbose_name=_("description")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "description"], name="records_finding_once")
        ]
        verbose_name = _("record found by the search")
        verbose_name_plural = _("records found by the search")

    def __str__(self) -> str:
        return str(self.description)


class CertifiedCopy(models.Model):
    """A signed PDF issued for a request: the certified copy, or the certificate that the
    record was not found. Verified publicly by its code at /verify/<code>."""

    class Kind(models.TextChoices):
        COPY = "copy", _("certified copy")
        NOT_FOUND = "not_found", _("certificate of no record found")

    request = models.ForeignKey(
        RecordsRequest,
        on_delete=models.PROTECT,
        related_name="copies",
        verbose_name=_("records request"),
    )
    archive = models.ForeignKey(
        Archive,
        on_delete=models.PROTECT,
        related_name="certified_copies",
        verbose_name=_("issuing archive"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    verification_code = models.CharField(_("verification code"), max_length=20, unique=True)
    reference_code = models.CharField(_("reference code"), max_length=300, blank=True)
    file = models.FileField(_("PDF file"), upload_to="records_requests/copies/%Y/")
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    page_count = models.PositiveIntegerField(_("page count"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("revocation reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certified copy")
        verbose_name_plural = _("certified copies")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.verification_code}"
