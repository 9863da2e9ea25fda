"""Console forms. They only parse and validate input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from archivox.catalog.models import Access, Description, FeaturedCollection, Level
from archivox.core.audit_labels import audit_action_choices
from archivox.core.fields import mask_secret
from archivox.core.models import (
    ARCHIVE_PROFILE_FIELDS,
    PHONE_VALIDATOR,
    WEB_URL_VALIDATOR,
    Archive,
    PlatformAccount,
    Role,
)

# Access first: it decides who may ever see the description (issue 9: "prominent").
ACCESS_FIELDS = ("access_level", "closed_until", "access_conditions")
IDENTITY_FIELDS = (
    "reference_code",
    "title",
    "title_en",
    "level",
    "date_expression",
    "start_year",
    "end_year",
    "extent",
)
CONTENT_FIELDS = (
    "creator",
    "scope_content",
    "language",
    "subjects",
    "places",
    "people",
    "position",
)
LIST_FIELDS = ("subjects", "places", "people")


class DescriptionForm(forms.Form):
    """ISAD(G) fields of one description, in three groups the template shows as fieldsets."""

    def __init__(self, *args, allowed_levels: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_fields = fields_for_model(
            Description,
            fields=[*ACCESS_FIELDS, *IDENTITY_FIELDS, *CONTENT_FIELDS],
        )
        for name, field in model_fields.items():
            if name in LIST_FIELDS:
                field = forms.CharField(
                    label=field.label,
                    required=False,
                    max_length=2000,
                    help_text=_("Separate entries with semicolons (;)."),
                )
            self.fields[name] = field
        self.fields["access_level"].widget = forms.RadioSelect(choices=Access.choices)
        self.fields["access_level"].help_text = _(
            "Open: shown with its images. Restricted: description shown, images withheld. "
            "Confidential: never shown to the public. "
            "Descriptions below inherit the stricter level."
        )
        self.fields["closed_until"].widget = forms.DateInput(
            attrs={"type": "date"}, format="%Y-%m-%d"
        )
        self.fields["closed_until"].help_text = _(
            "Until this day (included) the public cannot see it, whatever its access level."
        )
        self.fields["scope_content"].widget.attrs["rows"] = 6
        self.fields["access_conditions"].widget.attrs["rows"] = 2
        if allowed_levels is not None:
            self.fields["level"].choices = [
                (value, label) for value, label in Level.choices if value in allowed_levels
            ]
        if self.is_bound is False and "position" in self.fields:
            self.fields["position"].initial = 0

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (_("Access"), [self[name] for name in ACCESS_FIELDS]),
            (_("Identity"), [self[name] for name in IDENTITY_FIELDS]),
            (_("Context and content"), [self[name] for name in CONTENT_FIELDS]),
        ]

    @staticmethod
    def initial_from(description: Description) -> dict:
        initial = {
            name: getattr(description, name)
            for name in (*ACCESS_FIELDS, *IDENTITY_FIELDS, *CONTENT_FIELDS)
        }
        for name in LIST_FIELDS:
            initial[name] = "; ".join(initial[name] or [])
        return initial

    def values(self) -> dict:
        """The cleaned values as the catalog services take them (lists stay ';'-joined text,
        which the services split)."""
        values = dict(self.cleaned_data)
        for name in (
            "title_en",
            "date_expression",
            "extent",
            "creator",
            "scope_content",
            "access_conditions",
            "language",
        ):
            values[name] = values.get(name) or ""
        if values.get("position") is None:
            values["position"] = 0
        return values


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Image or PDF"),
        help_text=_("JPEG, PNG, GIF, WebP or PDF. The type is checked by content."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,application/pdf"}
        ),
    )
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)


class MoveForm(forms.Form):
    parent = forms.CharField(
        label=_("Move under"),
        max_length=100,
        required=False,
        help_text=_("Reference code of the new parent; empty makes it a root (a fonds)."),
    )
    position = forms.IntegerField(label=_("Position among siblings"), min_value=0, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or EAD file"))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Decide by content")), ("csv", "CSV"), ("ead", "EAD 2002 XML")],
        required=False,
    )
    update = forms.BooleanField(
        label=_("Update descriptions whose reference code already exists"), required=False
    )


class CollectionForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                FeaturedCollection,
                fields=["slug", "title", "title_en", "introduction", "position", "is_published"],
            )
        )
        self.fields["slug"].label = _("Address name")
        self.fields["position"].label = _("Order")
        self.fields["slug"].help_text = _("Letters, digits and hyphens; part of its address.")
        self.fields["introduction"].widget.attrs["rows"] = 4
        self.fields["position"].required = False

    def set_covers(self, images: list) -> None:
        """Offer the images of the collection's descriptions as its cover."""
        self.fields["cover"] = forms.TypedChoiceField(
            label=_("Cover image"),
            choices=[("", _("No cover"))]
            + [(image.pk, f"{image.description.reference_code} · {image}") for image in images],
            coerce=int,
            empty_value=None,
            required=False,
            help_text=_("Shown only while its description is open to the public."),
        )
        self.cover_images = {image.pk: image for image in images}

    def values(self) -> dict:
        values = dict(self.cleaned_data)
        if "cover" in values:
            values["cover"] = self.cover_images.get(values["cover"])
        values["position"] = values.get("position") or 0
        values["title_en"] = values.get("title_en") or ""
        values["introduction"] = values.get("introduction") or ""
        return values


class CollectionEntriesForm(forms.Form):
    reference_codes = forms.CharField(
        label=_("Descriptions in this collection"),
        help_text=_("One reference code per line, in the order to show them."),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
    )

    def codes(self) -> list[str]:
        lines = (line.strip() for line in self.cleaned_data["reference_codes"].splitlines())
        return list(dict.fromkeys(line for line in lines if line))


class SecretField(forms.CharField):
    """A write-only secret: never rendered back; empty keeps the stored value."""

    def __init__(self, *, label, stored: str = "", **kwargs) -> None:
        hint = (
            _("Stored: %(hint)s. Leave empty to keep it.") % {"hint": mask_secret(stored)}
            if stored
            else _("Not set.")
        )
        super().__init__(
            label=label,
            required=False,
            strip=True,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
            help_text=hint,
            **kwargs,
        )


WECHAT_FIELDS = (
    "name",
    "appid",
    "original_id",
    "wechat_type",
    "message_mode",
    "welcome_text",
    "is_active",
)
WECHAT_SECRETS = ("app_secret", "token", "encoding_aes_key")
WEIBO_FIELDS = ("name", "weibo_uid", "safe_domain", "welcome_text", "is_active")
WEIBO_SECRETS = ("weibo_access_token",)


class PlatformAccountForm(forms.Form):
    """One platform's settings. Secrets are write-only; "erase" boxes clear a stored one."""

    def __init__(self, *args, platform: str, account: PlatformAccount | None, **kwargs) -> None:
        self.platform = platform
        plain, secrets = (
            (WECHAT_FIELDS, WECHAT_SECRETS)
            if platform == PlatformAccount.Platform.WECHAT
            else (WEIBO_FIELDS, WEIBO_SECRETS)
        )
        self.plain_names, self.secret_names = plain, secrets
        initial = (
            {name: getattr(account, name) for name in plain} if account else {"is_active": True}
        )
        super().__init__(*args, initial=initial, prefix=platform, **kwargs)
        self.fields.update(fields_for_model(PlatformAccount, fields=list(plain)))
        self.fields["welcome_text"].widget.attrs["rows"] = 3
        # The platforms' own names for the account ids, as their consoles print them.
        if "original_id" in self.fields:
            self.fields["original_id"].label = _("Original ID")
            self.fields["original_id"].help_text = _(
                "In WeChat's console under Settings and development › Account settings; "
                "it begins with gh_."
            )
        if "weibo_uid" in self.fields:
            self.fields["weibo_uid"].label = _("Weibo UID")
            self.fields["weibo_uid"].help_text = _(
                "The number in the address of the account's Weibo profile."
            )
        self.fields["welcome_text"].help_text = _("Sent to a follower who subscribes.")
        if "message_mode" in self.fields:
            # A form sent without it (an older page, a script) keeps the stored mode.
            self.fields["message_mode"].required = False
        for name in secrets:
            model_field = PlatformAccount._meta.get_field(name)
            stored = getattr(account, name) if account else ""
            self.fields[name] = SecretField(label=model_field.verbose_name, stored=stored)
            if stored:
                self.fields[f"clear_{name}"] = forms.BooleanField(
                    label=_("Erase the stored %(name)s") % {"name": model_field.verbose_name},
                    required=False,
                )

    def clean_encoding_aes_key(self) -> str:
        value = self.cleaned_data.get("encoding_aes_key", "")
        if value and len(value) != 43:
            raise forms.ValidationError(
                _("An EncodingAESKey has exactly 43 characters; this one has %(n)d.")
                % {"n": len(value)}
            )
        return value

    def values(self) -> tuple[dict, list[str]]:
        changes = {
            name: self.cleaned_data.get(name) for name in (*self.plain_names, *self.secret_names)
        }
        if not changes.get("message_mode"):
            changes.pop("message_mode", None)
        for name in self.plain_names:
            if name in changes and changes[name] is None:
                changes[name] = ""
        clear = [name for name in self.secret_names if self.cleaned_data.get(f"clear_{name}")]
        return changes, clear


class ArchiveProfileForm(forms.Form):
    """What a visitor reads about finding and reaching the archive. The model's rules (a
    telephone number's form, a web link) are the service's to apply; the form shapes the inputs
    so a phone brings up the right keyboard, and checks them too, so that every problem is
    named at once."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_fields = fields_for_model(Archive, fields=list(ARCHIVE_PROFILE_FIELDS))
        for name in ARCHIVE_PROFILE_FIELDS:
            field = model_fields[name]
            if name in ("website", "map_url"):
                field = forms.URLField(
                    label=field.label,
                    max_length=field.max_length,
                    required=False,
                    assume_scheme="https",
                    validators=[WEB_URL_VALIDATOR],
                    help_text=field.help_text,
                    widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}),
                )
            self.fields[name] = field
        self.fields["phone"].widget = forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "maxlength": 40}
        )
        self.fields["phone"].validators.append(PHONE_VALIDATOR)
        self.fields["phone"].help_text = _("Shown as a link that dials it, e.g. 025-8480 0000.")
        self.fields["opening_hours"].help_text = _("e.g. Monday to Friday 8:30–17:00.")
        self.fields["address"].widget.attrs["autocomplete"] = "street-address"
        self.fields["transport"].widget.attrs["rows"] = 4
        self.fields["transport"].max_length = 1000

    @staticmethod
    def initial_from(archive: Archive) -> dict:
        return {name: getattr(archive, name) for name in ARCHIVE_PROFILE_FIELDS}

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in ARCHIVE_PROFILE_FIELDS}


class GrantForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class StaffCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AuditFilterForm(forms.Form):
    archive = forms.ChoiceField(label=_("Archive"), required=False)
    actor = forms.CharField(label=_("Who"), max_length=150, required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.CharField(label=_("Object type"), max_length=80, required=False)
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, archives, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["archive"].choices = [("", _("All my archives"))] + [
            (archive.slug, str(archive)) for archive in archives
        ]
        self.fields["action"].choices = [("", _("Every action")), *audit_action_choices()]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
