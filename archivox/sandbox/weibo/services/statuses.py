"""Statuses: ``statuses/share`` under the platform's rules, ``statuses/destroy``, and
``short_url/expand`` of the links the sandbox holds."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from archivox.sandbox.weibo.errors import SandboxWeiboError
from archivox.sandbox.weibo.errors import invalid_parameter as _invalid
from archivox.sandbox.weibo.errors import missing_parameter as _missing
from archivox.sandbox.weibo.models import WeiboAuthorization, WeiboStatus, WeiboUser
from archivox.sandbox.weibo.selectors import status_get
from archivox.sandbox.weibo.services.ids import next_id
from archivox.sandbox.weibo.services.text import (
    LINK_RE,
    MENTION_RE,
    TOPIC_RE,
    _check_pic,
    _check_rip,
    _check_text,
    _under_domain,
    short_link,
)


def _mentioned(text: str) -> list[WeiboUser]:
    names = set(MENTION_RE.findall(text))
    return list(WeiboUser.objects.filter(screen_name__in=names)) if names else []


@transaction.atomic
def sandbox_weibo_status_share(
    *,
    authorization: WeiboAuthorization,
    status: str | None,
    rip: str | None,
    pic: bytes | None = None,
) -> WeiboStatus:
    """``statuses/share``: the platform's rules, then the new status."""
    if status is None:
        raise _missing("status")
    if rip is None or not rip.strip():
        raise _missing("rip")
    rip = _check_rip(rip)
    _check_text(status)
    domain = authorization.app.safe_domain
    if not any(_under_domain(link, domain) for link in LINK_RE.findall(status)):
        raise _invalid(
            "status", f"text with at least one link under the app's safe domain {domain}", status
        )
    if TOPIC_RE.search(LINK_RE.sub(" ", status)):
        raise _invalid("status", "text without #topic#", status)
    pic_type = _check_pic(pic) if pic is not None else ""
    previous = (
        WeiboStatus.objects.filter(user=authorization.user)
        .order_by("-id")
        .values_list("text", flat=True)
        .first()
    )
    if previous is not None and previous.strip() == status.strip():
        raise SandboxWeiboError(20019, "repeat content!")
    created = WeiboStatus.objects.create(
        id=next_id(),
        user=authorization.user,
        app=authorization.app,
        text=status,
        pic=pic,
        pic_type=pic_type,
        pic_size=len(pic or b""),
        rip=rip,
    )
    mentioned = _mentioned(status)
    if mentioned:  # a new status has none yet: nothing to read back (issue 24)
        created.mentions.add(*mentioned)
    return created


@transaction.atomic
def sandbox_weibo_status_destroy(
    *, authorization: WeiboAuthorization, status_id: str | None
) -> WeiboStatus:
    """``statuses/destroy``: the user deletes one of their own statuses (and its comments).
    Someone else's status: 20102; an unknown or already deleted one: 20101. Returns the status
    as it was, which is what the platform answers with."""
    if status_id in (None, ""):
        raise _missing("id")
    status = status_get(status_id)
    if status.user_id != authorization.user_id:
        raise SandboxWeiboError(20102, "Not your own weibo!")
    gone = WeiboStatus.objects.select_for_update().filter(pk=status.pk).first()
    if gone is None:  # deleted by a concurrent request
        raise SandboxWeiboError(20101, "Target weibo does not exist!")
    gone.n_comments = gone.comments.count()
    WeiboStatus.objects.filter(pk=status.pk).delete()
    return gone


def sandbox_weibo_short_url_expand(short_urls: list[str]) -> list[dict[str, Any]]:
    """``short_url/expand``: the long URL of each t.cn link the sandbox made (from the links of
    the statuses and comments it holds); an unknown one answers ``result: false``."""
    if not short_urls:
        raise _missing("url_short")
    if len(short_urls) > 20:
        raise _invalid("url_short", "at most 20 short urls", str(len(short_urls)))
    wanted = {url.strip() for url in short_urls}
    found: dict[str, str] = {}
    for text in WeiboStatus.objects.values_list("text", flat=True).iterator():
        for link in LINK_RE.findall(text):
            short = short_link(link)
            if short in wanted:
                found[short] = link
        if len(found) == len(wanted):
            break
    return [
        {
            "url_short": url,
            "url_long": found.get(url.strip(), ""),
            "type": 0,
            "result": url.strip() in found,
        }
        for url in short_urls
    ]
