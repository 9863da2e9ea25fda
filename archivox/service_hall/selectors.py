"""Reads of the service hall: an archive's WeChat account, what its menu may offer, its menus."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from archivox.catalog import selectors as catalog_selectors
from archivox.consultations.models import AutoReplyRule
from archivox.core import selectors as core_selectors
from archivox.core.models import Archive, PlatformAccount
from archivox.core.selectors import Capability
from archivox.publishing import selectors as publishing_selectors
from archivox.publishing.models import Delivery, Post
from archivox.service_hall.models import ShareDefaults, WeChatMenu


def wechat_account_of_archive(archive: Archive | None) -> PlatformAccount | None:
    """The archive's active WeChat account with credentials (AppID and AppSecret), if any."""
    if archive is None or not getattr(archive, "pk", None):
        return None
    return (
        PlatformAccount.objects.filter(
            archive=archive, platform=PlatformAccount.Platform.WECHAT, is_active=True
        )
        .exclude(appid="")
        .order_by("pk")
        .first()
    )


def is_wechat_browser(user_agent: str) -> bool:
    """WeChat's in-app browser says ``MicroMessenger/…`` in its user agent."""
    return "micromessenger" in (user_agent or "").lower()


# -- the custom menu --------------------------------------------------------------------------

# The portal pages a "view" button can open, by the name the editor shows.
PORTAL_PAGES: tuple[tuple[str, str, Any], ...] = (
    ("search", "portal:search", _("Catalog search")),
    ("archive", "portal:archive", _("The archive's home page")),
    # The home page's "Visit us" section: address, hours, telephone, map, transport.
    ("visit", "portal:archive#visit", _("About the archive and how to visit")),
    ("exhibitions", "exhibitions:index", _("Exhibitions and events")),
    ("reservations", "reservations:index", _("Reading-room reservations")),
    ("ask", "ask:ask", _("Ask the archive")),
    ("records", "records:index", _("Records-use requests")),
    ("polls", "polls:index", _("Polls and questionnaires")),
    ("posts", "posts:list", _("Posts")),
    ("topics", "topics:index", _("Topics")),
)


@dataclass(frozen=True)
class MenuChoice:
    value: str  # the action as stored in the menu's items
    label: str
    button: dict[str, Any]  # the platform's fields for it


def _absolute(path: str) -> str:
    return settings.BASE_URL.rstrip("/") + path


def menu_action_choices(*, archive: Archive) -> list[tuple[str, list[MenuChoice]]]:
    """What a button of ``archive``'s menu may do, grouped as the editor lists them: portal
    pages, the archive's public posts and collections (links); the click keys of its active
    auto-reply rules; its posts published on WeChat (``article_id``)."""
    slug = archive.slug
    pages = []
    for key, url_name, label in PORTAL_PAGES:
        try:
            url_name, _hash, fragment = url_name.partition("#")
            if url_name == "portal:search":
                path = reverse(url_name) + f"?archive={slug}"
            else:
                path = reverse(url_name, kwargs={"slug": slug})
            if fragment:
                path += f"#{fragment}"
        except NoReverseMatch:
            continue
        pages.append(
            MenuChoice(f"view:{key}", str(label), {"type": "view", "url": _absolute(path)})
        )
    for post in publishing_selectors.post_list_public(archive=archive, limit=30):
        path = reverse("posts:detail", kwargs={"slug": slug, "pk": post.pk})
        pages.append(
            MenuChoice(
                f"view:post:{post.pk}",
                str(_("Post: %(title)s")) % {"title": post.title},
                {"type": "view", "url": _absolute(path)},
            )
        )
    for collection in catalog_selectors.collection_list_public(archive=archive)[:30]:
        path = reverse("portal:collection", kwargs={"slug": slug, "collection": collection.slug})
        pages.append(
            MenuChoice(
                f"view:collection:{collection.slug}",
                str(_("Collection: %(title)s")) % {"title": collection.title},
                {"type": "view", "url": _absolute(path)},
            )
        )
    clicks = [
        MenuChoice(
            f"click:{rule.pattern}",
            str(_("Auto-reply: %(name)s")) % {"name": rule.name},
            {"type": "click", "key": rule.pattern},
        )
        for rule in AutoReplyRule.objects.filter(
            archive=archive, is_active=True, match=AutoReplyRule.Match.CLICK
        ).exclude(pattern="")
    ]
    articles = [
        MenuChoice(
            f"article:{delivery.remote_id}",
            str(_("Article: %(title)s")) % {"title": delivery.post.title},
            {"type": "article_id", "article_id": delivery.remote_id},
        )
        for delivery in Delivery.objects.filter(
            post__archive=archive,
            post__status=Post.Status.PUBLISHED,
            channel="wechat",
            status=Delivery.Status.SENT,
        )
        .exclude(remote_id="")
        .select_related("post")
        .order_by("-sent_at")[:30]
    ]
    return [
        (str(_("Open a page")), pages),
        (str(_("Answer with an auto-reply")), clicks),
        (str(_("Open a published article")), articles),
    ]


def menu_resolver(*, archive: Archive) -> dict[str, dict[str, Any]]:
    """Action → the platform's button fields, for every action on offer now."""
    return {
        choice.value: choice.button
        for _group, choices in menu_action_choices(archive=archive)
        for choice in choices
    }


def menu_current(*, account: PlatformAccount) -> tuple[WeChatMenu | None, WeChatMenu | None]:
    """The account's menu being worked on (draft or in review) and the one published."""
    menus = WeChatMenu.objects.filter(
        account=account,
        status__in=[
            WeChatMenu.Status.DRAFT,
            WeChatMenu.Status.IN_REVIEW,
            WeChatMenu.Status.PUBLISHED,
        ],
    ).select_related("author", "reviewer")
    open_menu = next((m for m in menus if m.status != WeChatMenu.Status.PUBLISHED), None)
    published = next((m for m in menus if m.status == WeChatMenu.Status.PUBLISHED), None)
    return open_menu, published


def menu_history(*, account: PlatformAccount, limit: int = 10) -> list[WeChatMenu]:
    return list(
        WeChatMenu.objects.filter(account=account).select_related("author", "reviewer")[:limit]
    )


def service_hall_accounts_for_staff(*, user: Any) -> list[tuple[Archive, PlatformAccount | None]]:
    """The archives whose menu ``user`` may edit or review, with their WeChat account."""
    archives = {
        archive.pk: archive
        for capability in (Capability.POST_COMPOSE, Capability.POST_REVIEW)
        for archive in core_selectors.archive_list_for_staff(user=user)
        if core_selectors.user_can(user=user, archive=archive, capability=capability)
    }
    return [(archive, wechat_account_of_archive(archive)) for archive in archives.values()]


def share_defaults_of(archive: Archive | None) -> ShareDefaults | None:
    if archive is None or not getattr(archive, "pk", None):
        return None
    return ShareDefaults.objects.filter(archive=archive).first()


@dataclass(frozen=True)
class AccountHealth:
    """What the console's health panel shows of an account (times; never a token)."""

    token_fetched_at: Any
    token_expires_at: Any
    ticket_fetched_at: Any
    ticket_expires_at: Any
    last_callback_at: Any
    last_errors: list[tuple[Any, str, str]]  # (when, where, what)


def account_health(*, archive: Archive, account: PlatformAccount) -> AccountHealth:
    from archivox.consultations.models import InboundMessage
    from archivox.notifications.models import Notification
    from archivox.platforms.tokens.models import PlatformToken

    tokens = {
        row.platform: row
        for row in PlatformToken.objects.filter(
            platform__in=["wechat", "wechat_jsapi"], key=account.appid
        )
    }
    token, ticket = tokens.get("wechat"), tokens.get("wechat_jsapi")
    last_message = (
        InboundMessage.objects.filter(archive=archive, channel="wechat")
        .order_by("-received_at")
        .values_list("received_at", flat=True)
        .first()
    )
    errors: list[tuple[Any, str, str]] = []
    refused_menu = (
        WeChatMenu.objects.filter(account=account).exclude(error="").order_by("-updated_at").first()
    )
    if refused_menu is not None:
        errors.append((refused_menu.updated_at, str(_("Menu")), refused_menu.error))
    failed = (
        Notification.objects.filter(archive=archive, status=Notification.Status.UNDELIVERABLE)
        .order_by("-created_at")
        .first()
    )
    if failed is not None:
        errors.append((failed.created_at, failed.purpose_label, failed.note))
    errors.sort(key=lambda error: error[0], reverse=True)
    return AccountHealth(
        token_fetched_at=token.fetched_at if token else None,
        token_expires_at=token.expires_at if token else None,
        ticket_fetched_at=ticket.fetched_at if ticket else None,
        ticket_expires_at=ticket.expires_at if ticket else None,
        last_callback_at=last_message,
        last_errors=errors,
    )
