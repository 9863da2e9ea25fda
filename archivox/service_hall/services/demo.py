"""The demo archives' service hall: auto-reply rules (a catalog search for a short message such
as 白崇禧, and the click keys the menu uses) and a published menu. Idempotent; the sandbox's
provisioning installs the menu on the account (``sandbox.provisioning``), as WeChat's console
would hold it — nothing here goes over the network."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from archivox.consultations.models import AutoReplyRule
from archivox.consultations.services import autoreply_rule_create
from archivox.core.models import Archive
from archivox.core.services import audit_record
from archivox.service_hall.models import WeChatMenu
from archivox.service_hall.selectors import menu_current, wechat_account_of_archive
from archivox.service_hall.services.menus import menu_check

DEMO_RULES: tuple[dict[str, Any], ...] = (
    {
        "name": "馆藏检索（发送人名、地名或事件）",
        "match": AutoReplyRule.Match.REGEX,
        # A short message without spaces (白崇禧, 中山陵, 查 总统府) is searched in the catalog;
        # with no hit it falls through to the acknowledgement and reaches the inbox.
        "pattern": r"^(?:查|搜|检索)?\s*(\S{2,12})$",
        "priority": 200,
        "kind": AutoReplyRule.Kind.CATALOG,
        "max_hits": 3,
    },
    {
        "name": "菜单：检索帮助",
        "match": AutoReplyRule.Match.CLICK,
        "pattern": "CATALOG_HELP",
        "priority": 10,
        "kind": AutoReplyRule.Kind.TEXT,
        "text": "直接发送人名、地名或事件（例如：白崇禧），即可收到馆藏条目卡片。",
    },
    {
        "name": "菜单：开放时间",
        "match": AutoReplyRule.Match.CLICK,
        "pattern": "OPENING_HOURS",
        "priority": 10,
        "kind": AutoReplyRule.Kind.TEXT,
        "text": (
            "查档大厅开放时间：周一至周五 8:30—17:00（法定节假日除外）。"
            "请先在菜单“预约”中预约座位。"
        ),
    },
)


def _records_rule(archive: Archive) -> dict[str, Any]:
    """The reply to "查档" or "出证明": a link to the records-use request page (查档出证, issue
    19), ahead of the catalog search that would otherwise take the words."""
    return {
        "name": "查档出证（发送“查档”或“出证明”）",
        "match": AutoReplyRule.Match.REGEX,
        "pattern": r"^(?:查档|查档出证|出证|出证明|开证明|档案证明|查档案)$",
        "priority": 20,
        "kind": AutoReplyRule.Kind.LINK,
        "text": "婚姻登记、学籍、工龄、退休等民生档案，可在手机上申请查档出证，凭查询码跟踪进度：",
        "title": "在线申请查档出证",
        "url": settings.BASE_URL.rstrip("/")
        + reverse("records:index", kwargs={"slug": archive.slug}),
    }


DEMO_MENU: tuple[dict[str, Any], ...] = (
    {
        "name": "查档",
        "subs": [
            ("查档出证", "view:records"),
            ("馆藏检索", "view:search"),
            ("检索帮助", "click:CATALOG_HELP"),
            ("档案馆主页", "view:archive"),
        ],
    },
    {"name": "预约", "subs": [("查档预约", "view:reservations"), ("展览活动", "view:exhibitions")]},
    {
        "name": "互动",
        "subs": [
            ("咨询", "view:ask"),
            ("投票问卷", "view:polls"),
            ("开放时间", "click:OPENING_HOURS"),
            ("文章", "view:posts"),
        ],
    },
)


@transaction.atomic
def demo_service_hall_ensure(archive: Archive) -> dict[str, Any] | None:
    """Give a demo archive its rules and published menu; the menu's payload for the platform,
    or None when the archive has no WeChat account."""
    existing = set(AutoReplyRule.objects.filter(archive=archive).values_list("name", flat=True))
    for rule in (*DEMO_RULES, _records_rule(archive)):
        if rule["name"] not in existing:
            autoreply_rule_create(actor=None, archive=archive, **rule)
    account = wechat_account_of_archive(archive)
    if account is None:
        return None
    items = [
        {
            "name": top["name"],
            "action": "",
            "subs": [{"name": n, "action": a} for n, a in top["subs"]],
        }
        for top in DEMO_MENU
    ]
    cleaned, payload = menu_check(archive=archive, items=items)
    _open, published = menu_current(account=account)
    if published is not None:
        return published.sent or payload
    menu = WeChatMenu.objects.create(
        archive=archive,
        account=account,
        status=WeChatMenu.Status.PUBLISHED,
        items=cleaned,
        sent=payload,
        published_at=timezone.now(),
    )
    audit_record(
        actor=None,
        action="wechat_menu.publish",
        obj=menu,
        archive=archive,
        after={"menu": payload},
        on_behalf_of="demo",
    )
    return payload
