"""The Weibo channel: rendering within the share API's rules, and sending, finding and withdrawing
against the Weibo sandbox over real HTTP (pytest-django's live server). Nothing of ours mocked."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings as django_settings
from PIL import Image as PILImage

from archivox.core.models import PlatformAccount
from archivox.platforms.weibo import rules
from archivox.publishing.channels import channel_get
from archivox.publishing.channels.base import (
    Image,
    PermanentChannelError,
    PostContent,
    Rendering,
    Severity,
    TransientChannelError,
    WithdrawRefused,
)
from archivox.publishing.channels.wechat import MARKER, with_marker
from archivox.publishing.channels.weibo import WeiboChannel
from archivox.sandbox.weibo.models import WeiboStatus
from archivox.sandbox.weibo.services import (
    sandbox_weibo_account_ensure,
    sandbox_weibo_fault_set,
    sandbox_weibo_token_expire,
)
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db(transaction=True)

USER_IP = "211.156.0.1"
CONTEXT = {"rip": USER_IP}


def post_url() -> str:
    return f"{django_settings.BASE_URL}/archives/nanjing/posts/9/"


def png(size: tuple[int, int] = (64, 48), color: str = "navy") -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def content(**changes) -> PostContent:
    values = {
        "post_id": 9,
        "archive_slug": "nanjing",
        "archive_name": "南京市档案馆",
        "kind": "short",
        "title": "",
        "text": "民国建筑图纸首次公开，欢迎到馆查阅。",
        "url": post_url(),
        "images": (Image(name="plan.png", content_type="image/png", data=png()),),
    }
    values.update(changes)
    return PostContent(**values)


def codes(rendering: Rendering, severity: Severity | None = None) -> set[str]:
    return {f.code for f in rendering.flags if severity is None or f.severity is severity}


@pytest.fixture
def channel() -> WeiboChannel:
    return channel_get("weibo")


@pytest.fixture
def account(live_server, settings):
    settings.WEIBO_API = live_server.url + "/sandbox/weibo"
    archive = ArchiveFactory(slug="nanjing", name_zh="南京市档案馆")
    sandbox_weibo_account_ensure(archive)
    return PlatformAccount.objects.get(archive=archive, platform="weibo")


def statuses(account):
    return WeiboStatus.objects.filter(user__uid=account.weibo_uid)


def send(channel, account, key="weibo-0001", **changes):
    rendering = channel.render(content(**changes))
    stored = Rendering("weibo", json.loads(json.dumps(rendering.payload)), "")
    return stored, channel.send(stored, account=account, idempotency_key=key, context=CONTEXT)


# -- render -----------------------------------------------------------------------------------


def test_a_short_post_renders_as_is_with_its_link_and_picture(channel):
    rendering = channel.render(content())
    assert codes(rendering) == set()
    assert rendering.payload["text"] == "民国建筑图纸首次公开，欢迎到馆查阅。"
    assert rendering.payload["url"] == post_url()
    assert rendering.payload["picture"]["name"] == "plan.png"
    assert post_url() in rendering.preview_html


def test_a_long_text_is_shortened_to_fit_140_with_the_link_and_flagged(channel):
    long_text = "档案" * 100
    rendering = channel.render(content(text=long_text))
    [flag] = [f for f in rendering.flags if f.code == "text_too_long"]
    assert flag.severity is Severity.CUT
    assert "140" in flag.message and "211 given" in flag.message  # 200 + space + link
    text = rendering.payload["text"]
    assert text.endswith("…") and long_text.startswith(text[:-1])
    final = f"{text} {with_marker(post_url(), 'k' * 64)}"
    assert rules.text_length(final) <= 140
    # As much text as fits: one more character would not.
    assert rules.text_length(f"{long_text[: len(text)]}… {with_marker(post_url(), 'k' * 64)}") > 140


def test_an_article_is_its_title_and_digest(channel):
    rendering = channel.render(
        content(kind="article", title="民国图纸", text="", digest="首次公开", body_html="<p>x</p>")
    )
    assert rendering.payload["text"] == "【民国图纸】首次公开"


def test_topics_lose_their_marks_because_the_share_api_refuses_them(channel):
    rendering = channel.render(content(text="#南京记忆# 图纸公开", topics=("南京记忆", "档案日")))
    assert rendering.payload["text"] == "南京记忆 图纸公开"
    assert "topics_unmarked" in codes(rendering, Severity.CUT)
    [note] = [f for f in rendering.flags if f.code == "topics_left_out"]
    assert "档案日" in note.message and "南京记忆" not in note.message


def test_only_one_picture_goes_and_the_rest_are_flagged(channel):
    images = tuple(Image(f"p{i}.png", "image/png", png()) for i in range(3))
    rendering = channel.render(content(images=images))
    [flag] = [f for f in rendering.flags if f.code == "extra_images"]
    assert "2 more" in flag.message
    assert rendering.payload["picture"]["name"] == "p0.png"


def test_a_post_without_a_web_address_is_refused(channel):
    assert "link_missing" in codes(channel.render(content(url="")), Severity.REFUSE)


# -- send, find, withdraw ---------------------------------------------------------------------


def test_send_shares_one_status_with_the_delivery_link_and_picture(channel, account):
    _, result = send(channel, account)

    status = statuses(account).get()
    assert str(status.id) == result.remote_id
    assert status.text == f"民国建筑图纸首次公开，欢迎到馆查阅。 {post_url()}?{MARKER}=weibo-0001"
    assert status.pic_type == "png" and status.rip == USER_IP


def test_find_sent_finds_a_shared_status_and_nothing_for_an_unsent_one(channel, account):
    stored, result = send(channel, account, key="weibo-found")
    send(channel, account, key="weibo-other", text="另一条")

    found = channel.find_sent(stored, account=account, idempotency_key="weibo-found", context={})
    assert found is not None and found.remote_id == result.remote_id
    assert (
        channel.find_sent(stored, account=account, idempotency_key="weibo-never", context={})
        is None
    )


def test_a_share_whose_answer_was_lost_is_transient_and_then_found(channel, account):
    sandbox_weibo_fault_set(
        account.weibo_uid, mode="drop_after_commit", path="/2/statuses/share.json"
    )
    rendering = channel.render(content())
    with pytest.raises(TransientChannelError, match="may or may not"):
        channel.send(rendering, account=account, idempotency_key="weibo-lost", context=CONTEXT)

    found = channel.find_sent(rendering, account=account, idempotency_key="weibo-lost", context={})
    assert found is not None
    assert statuses(account).count() == 1


def test_sending_the_same_delivery_again_finds_the_first_status(channel, account):
    stored, first = send(channel, account, key="weibo-twice")
    again = channel.send(stored, account=account, idempotency_key="weibo-twice", context=CONTEXT)
    assert again.remote_id == first.remote_id
    assert statuses(account).count() == 1


def test_a_server_error_is_transient(channel, account):
    sandbox_weibo_fault_set(account.weibo_uid, mode="http503", path="/2/statuses/share.json")
    with pytest.raises(TransientChannelError):
        send(channel, account)


def test_an_expired_token_is_permanent_and_says_to_authorise_again(channel, account):
    sandbox_weibo_token_expire(account.weibo_uid)
    with pytest.raises(PermanentChannelError, match="authorise the Weibo account again"):
        send(channel, account)
    assert not statuses(account).exists()


def test_a_missing_token_or_account_is_permanent(channel, account):
    account.weibo_access_token = ""
    account.save()
    with pytest.raises(PermanentChannelError, match="no access token"):
        send(channel, account)
    with pytest.raises(PermanentChannelError, match="no Weibo account"):
        channel.send(channel.render(content()), account=None, idempotency_key="k", context={})


def test_without_the_users_real_ip_nothing_is_sent(channel, account):
    rendering = channel.render(content())
    with pytest.raises(PermanentChannelError, match="rip"):
        channel.send(rendering, account=account, idempotency_key="k", context={"rip": "127.0.0.1"})
    assert not statuses(account).exists()


def test_a_link_outside_the_safe_domain_is_permanent(channel, account):
    with pytest.raises(PermanentChannelError, match="safe domain"):
        send(channel, account, url="https://elsewhere.example/post/1")


def test_withdraw_deletes_the_status_and_a_second_withdraw_is_refused(channel, account):
    _, result = send(channel, account, key="weibo-withdraw")

    channel.withdraw(account=account, remote_id=result.remote_id, context={})
    assert not statuses(account).exists()

    with pytest.raises(WithdrawRefused, match="does not exist"):
        channel.withdraw(account=account, remote_id=result.remote_id, context={})


def test_another_accounts_status_cannot_be_withdrawn(channel, account):
    _, result = send(channel, account, key="weibo-theirs")
    other = ArchiveFactory(slug="suzhou", name_zh="苏州市档案馆")
    sandbox_weibo_account_ensure(other)
    other_account = PlatformAccount.objects.get(archive=other, platform="weibo")
    with pytest.raises(WithdrawRefused, match="Not your own"):
        channel.withdraw(account=other_account, remote_id=result.remote_id, context={})
    assert statuses(account).count() == 1
