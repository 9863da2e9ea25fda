"""What needs me now: the dashboard's list of things waiting for a staff member.

Each source adds ``NeedsMe`` items for the archives where the user may act on them. The catalog
and the archive's set-up are here; posts to review, overdue consultations, today's visitors,
failed deliveries and freshness warnings come from their apps' selectors (the lead adds them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archivox.catalog import selectors as catalog_selectors
from archivox.core import selectors as core_selectors
from archivox.core.models import Archive, PlatformAccount, User
from archivox.core.selectors import Capability


@dataclass(frozen=True)
class NeedsMe:
    """One thing waiting for the user in one archive ("what needs me now")."""

    text: str
    url: str
    archive: Archive | None = None


def needs_me(
    user: User, archives: list[Archive], capabilities: dict[int, frozenset[str]]
) -> list[NeedsMe]:
    """What the catalog and the archive's set-up ask of the user now. Other apps' items
    (posts to review, overdue consultations, today's visitors…) join this list later."""
    items: list[NeedsMe] = []
    closures = catalog_selectors.closure_ending_counts(user=user, archives=archives)
    managed = [a for a in archives if Capability.ARCHIVE_MANAGE in capabilities[a.pk]]
    without_wechat = core_selectors.archive_ids_without_platform_account(
        archives=managed, platform=PlatformAccount.Platform.WECHAT
    )
    for archive in archives:
        count = closures.get(archive.pk, 0)
        if count:
            items.append(
                NeedsMe(
                    ngettext(
                        "%(count)d description opens to the public within 30 days: check it.",
                        "%(count)d descriptions open to the public within 30 days: check them.",
                        count,
                    )
                    % {"count": count},
                    reverse("console:catalog_tree", args=[archive.slug]) + "?closing=1",
                    archive,
                )
            )
        if archive.pk in without_wechat:
            items.append(
                NeedsMe(
                    _("No WeChat official account is set up yet."),
                    reverse("console:accounts", args=[archive.slug]),
                    archive,
                )
            )
    return items
