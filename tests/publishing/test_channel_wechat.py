"""The WeChat channel: rendering to WeChat's rules, and sending, finding and withdrawing against the
WeChat sandbox over real HTTP (pytest-django's live server). Nothing of ours is mocked."""

from __future__ import annotations

import io
import json

import httpx
import pytest
from PIL import Image as PILImage

from archivox.core.models import PlatformAccount
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
from archivox.publishing.channels.wechat import (
    AUTHOR_MAX_CHARS,
    CONTENT_MAX_CHARS,
    DIGEST_MAX_CHARS,
    MARKER,
    PLACEHOLDER,
    SOURCE_URL_MAX_BYTES,
    THUMB_MAX_BYTES,
    TITLE_MAX_CHARS,
    UPLOADIMG_MAX_BYTES,
    WeChatChannel,
)
from archivox.sandbox.wechat import rules as sandbox_rules
from archivox.sandbox.wechat import services as sandbox
from archivox.sandbox.wechat.models import Article, Draft, MassMessage, Media, Publish
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db(transaction=True)

POST_URL = "http://127.0.0.1:8000/archives/nanjing/posts/7/"


def jpeg(size: tuple[int, int] = (120, 80), noise: bool = False) -> bytes:
    picture = PILImage.new("RGB", size, (150, 30, 30))
    if noise:
        picture = PILImage.effect_noise(size, 90).convert("RGB")
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=95)
    return out.getvalue()


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, "navy").save(out, "PNG")
    return out.getvalue()


def content(**changes) -> PostContent:
    values = {
        "post_id": 7,
        "archive_slug": "nanjing",
        "archive_name": "南京市档案馆",
        "kind": "article",
        "title": "民国建筑图纸里的南京",
        "body_html": (
            "<p>馆藏<strong>民国建筑图纸</strong>首次公开。</p>"
            '<p>详见<a href="http://127.0.0.1:8000/archives/nanjing/descriptions/B0001">档案目录</a>。</p>'
        ),
        "author": "南京市档案馆",
        "digest": "馆藏民国建筑图纸首次公开",
        "url": POST_URL,
        "cover": Image(name="cover.jpg", content_type="image/jpeg", data=jpeg()),
        "images": (Image(name="plan.png", content_type="image/png", data=png(), caption="图纸"),),
    }
    values.update(changes)
    return PostContent(**values)


def codes(rendering: Rendering, severity: Severity | None = None) -> set[str]:
    return {f.code for f in rendering.flags if severity is None or f.severity is severity}


@pytest.fixture
def channel() -> WeChatChannel:
    return channel_get("wechat")


@pytest.fixture
def sandbox_api(live_server, settings):
    settings.WECHAT_API = live_server.url + "/sandbox/wechat"
    return settings.WECHAT_API


@pytest.fixture
def official(sandbox_api):
    """A sandbox official account (no callback URL: events stay in the sandbox) and the
    archive's PlatformAccount pointing at it."""
    archive = ArchiveFactory(slug="nanjing", name_zh="南京市档案馆")
    remote = sandbox.sandbox_account_create(name="南京档案")
    account = PlatformAccount.objects.create(
        archive=archive,
        platform=PlatformAccount.Platform.WECHAT,
        appid=remote.appid,
        app_secret=remote.app_secret,
    )
    account.remote = remote
    return account


def send(channel, account, key="delivery-0001", **changes):
    rendering = channel.render(content(**changes))
    # The desk stores the payload as JSON and sends from that: do the same.
    stored = Rendering("wechat", json.loads(json.dumps(rendering.payload)), "")
    return stored, channel.send(stored, account=account, idempotency_key=key, context={})


# -- render -----------------------------------------------------------------------------------


def test_channel_limits_are_the_sandbox_limits():
    assert TITLE_MAX_CHARS == sandbox_rules.TITLE_MAX_CHARS
    assert AUTHOR_MAX_CHARS == sandbox_rules.AUTHOR_MAX_CHARS
    assert DIGEST_MAX_CHARS == sandbox_rules.DIGEST_MAX_CHARS
    assert CONTENT_MAX_CHARS == sandbox_rules.CONTENT_MAX_CHARS
    assert SOURCE_URL_MAX_BYTES == sandbox_rules.SOURCE_URL_MAX_BYTES
    assert UPLOADIMG_MAX_BYTES == sandbox_rules.UPLOADIMG_MAX_BYTES
    assert THUMB_MAX_BYTES == sandbox_rules.THUMB_MAX_BYTES


def test_a_plain_article_renders_without_flags_and_a_json_payload(channel, settings):
    rendering = channel.render(content(body_html="<p>正文</p>", images=()))
    assert codes(rendering) == set()
    assert not rendering.refused
    payload = json.loads(json.dumps(rendering.payload))
    assert payload["mode"] == "publish"
    assert payload["article"]["title"] == "民国建筑图纸里的南京"
    assert payload["article"]["content_source_url"] == POST_URL
    assert "民国建筑图纸里的南京" in rendering.preview_html


def test_a_title_over_the_limit_is_refused_and_named(channel):
    rendering = channel.render(content(title="长" * (TITLE_MAX_CHARS + 1)))
    [flag] = [f for f in rendering.flags if f.code == "title_too_long"]
    assert flag.severity is Severity.REFUSE
    assert "33" in flag.message and "32" in flag.message
    assert rendering.refused


def test_author_and_digest_over_the_limits_are_cut(channel):
    rendering = channel.render(content(author="作" * 20, digest="摘" * 200))
    assert {"author_too_long", "digest_too_long"} <= codes(rendering, Severity.CUT)
    article = rendering.payload["article"]
    assert len(article["author"]) == AUTHOR_MAX_CHARS
    assert len(article["digest"]) == DIGEST_MAX_CHARS and article["digest"].endswith("…")
    assert not rendering.refused


def test_links_outside_wechat_become_text_and_mp_links_stay(channel):
    body = (
        '<p><a href="https://example.org/x">外部</a>与'
        '<a href="https://mp.weixin.qq.com/s/abc">公众号文章</a></p>'
    )
    rendering = channel.render(content(body_html=body, images=()))
    html = rendering.payload["article"]["content"]
    assert "example.org" not in html and "外部" in html
    assert '<a href="https://mp.weixin.qq.com/s/abc">公众号文章</a>' in html
    [flag] = [f for f in rendering.flags if f.code == "external_links"]
    assert flag.severity is Severity.CUT and "1 link" in flag.message


def test_scripts_styles_and_unknown_attributes_never_reach_wechat(channel):
    body = (
        '<p class="x" onclick="steal()">文</p><script>alert(1)</script><style>p{}</style>'
        '<iframe src="https://evil.example"></iframe>'
    )
    html = channel.render(content(body_html=body, images=())).payload["article"]["content"]
    assert html == "<p>文</p>"


def test_pictures_from_other_sites_are_left_out_with_a_flag(channel):
    body = '<p>图</p><img src="https://elsewhere.example/a.jpg" alt="a">'
    rendering = channel.render(content(body_html=body, images=()))
    assert "elsewhere.example" not in rendering.payload["article"]["content"]
    [flag] = [f for f in rendering.flags if f.code == "external_image"]
    assert flag.severity is Severity.CUT and "elsewhere.example/a.jpg" in flag.message


def test_item_pictures_follow_the_first_paragraph_as_placeholders(channel):
    rendering = channel.render(content())
    html = rendering.payload["article"]["content"]
    assert html.index("首次公开") < html.index(f'src="{PLACEHOLDER}0"') < html.index("档案目录")
    assert "<figcaption>图纸</figcaption>" in html
    assert rendering.payload["images"][0]["format"] == "png"


def test_no_cover_and_no_picture_is_refused(channel):
    rendering = channel.render(content(cover=None, images=()))
    assert "cover_missing" in codes(rendering, Severity.REFUSE)


def test_without_a_cover_the_first_item_picture_is_the_cover(channel):
    rendering = channel.render(content(cover=None))
    assert {"cover_from_item", "cover_reduced"} <= codes(rendering, Severity.NOTE)
    assert not rendering.refused


def test_an_unreadable_cover_is_refused_and_a_big_picture_is_flagged_for_reduction(channel):
    big = jpeg((1800, 1800), noise=True)
    assert len(big) > UPLOADIMG_MAX_BYTES
    rendering = channel.render(
        content(
            cover=Image(name="cover.tif", content_type="image/x-raw", data=b"not an image"),
            images=(Image(name="scan.jpg", content_type="image/jpeg", data=big),),
        )
    )
    assert "cover_format" in codes(rendering, Severity.REFUSE)
    [flag] = [f for f in rendering.flags if f.code == "image_reduced"]
    assert "scan.jpg" in flag.message and "1 MB" in flag.message


def test_an_article_over_the_content_limit_is_refused(channel):
    body = "<p>" + "字" * CONTENT_MAX_CHARS + "</p>"
    assert "content_too_long" in codes(channel.render(content(body_html=body)), Severity.REFUSE)


def test_a_short_post_becomes_an_article_of_its_paragraphs(channel):
    rendering = channel.render(content(kind="short", body_html="", text="第一段\n\n第二段<b>"))
    assert rendering.payload["article"]["content"].startswith("<p>第一段</p>")
    assert "&lt;b&gt;" in rendering.payload["article"]["content"]


# -- send, find, withdraw: publish ------------------------------------------------------------


def test_publish_puts_the_article_on_the_platform_exactly_once(channel, official):
    _, result = send(channel, official)

    article = Article.objects.get()
    assert result.remote_id == article.publish.article_id
    assert result.url == article.url
    assert article.title == "民国建筑图纸里的南京"
    assert article.content_source_url == f"{POST_URL}?{MARKER}=delivery-0001"
    # The item's picture was uploaded and the article shows it from WeChat's servers.
    uploaded = Media.objects.get(kind=Media.Kind.ARTICLE_IMAGE)
    assert uploaded.url in article.content and PLACEHOLDER not in article.content
    thumb = Media.objects.get(kind=Media.Kind.THUMB)
    assert article.thumb_media_id == thumb.media_id and thumb.content_type == "image/jpeg"
    page = httpx.get(result.url)
    assert page.status_code == 200 and "民国建筑图纸" in page.text


def test_a_large_png_cover_is_sent_as_a_small_jpeg_thumb(channel, official):
    cover = Image(name="cover.png", content_type="image/png", data=png((1600, 1200)))
    send(channel, official, cover=cover)
    thumb = Media.objects.get(kind=Media.Kind.THUMB)
    assert thumb.content_type == "image/jpeg" and thumb.size <= THUMB_MAX_BYTES


def test_find_sent_finds_a_published_article_and_nothing_for_an_unsent_one(channel, official):
    stored, result = send(channel, official, key="delivery-found")

    found = channel.find_sent(
        stored, account=official, idempotency_key="delivery-found", context={}
    )
    assert found is not None
    assert (found.remote_id, found.url) == (result.remote_id, result.url)
    assert (
        channel.find_sent(stored, account=official, idempotency_key="delivery-never", context={})
        is None
    )


def test_a_publish_whose_answer_was_lost_is_found_not_sent_again(channel, official):
    sandbox.sandbox_fault_set(
        appid=official.appid, mode="drop_after_commit", api="freepublish/submit"
    )
    rendering = channel.render(content())
    with pytest.raises(TransientChannelError, match="may or may not"):
        channel.send(rendering, account=official, idempotency_key="delivery-lost", context={})

    found = channel.find_sent(
        rendering, account=official, idempotency_key="delivery-lost", context={}
    )
    assert found is not None
    assert Article.objects.count() == 1
    assert found.url == Article.objects.get().url


def test_a_busy_platform_is_transient_and_nothing_is_published(channel, official):
    sandbox.sandbox_fault_set(appid=official.appid, mode="busy", api="draft/add")
    with pytest.raises(TransientChannelError, match="errcode -1"):
        send(channel, official)
    assert not Draft.objects.exists() and not Publish.objects.exists()


def test_an_http_500_on_submit_is_transient(channel, official):
    sandbox.sandbox_fault_set(appid=official.appid, mode="http500", api="freepublish/submit")
    with pytest.raises(TransientChannelError):
        send(channel, official)
    assert not Publish.objects.exists()


def test_a_failed_publish_job_is_permanent_and_says_why(channel, official):
    sandbox.sandbox_fault_set(appid=official.appid, mode="publish_fail")
    with pytest.raises(PermanentChannelError, match="publish_status 3"):
        send(channel, official)
    assert not Article.objects.exists()


def test_wrong_credentials_are_permanent_and_named(channel, official):
    official.app_secret = "not-the-secret"
    official.save()
    with pytest.raises(PermanentChannelError, match="AppID or AppSecret"):
        send(channel, official)


def test_an_account_without_credentials_is_permanent(channel, official):
    official.app_secret = ""
    official.save()
    with pytest.raises(PermanentChannelError, match="AppSecret"):
        send(channel, official)
    with pytest.raises(PermanentChannelError, match="no WeChat account"):
        channel.send(channel.render(content()), account=None, idempotency_key="k", context={})


def test_content_the_platform_refuses_is_permanent(channel, official):
    # Render refuses an over-long title; sent anyway, the platform refuses it too.
    with pytest.raises(PermanentChannelError, match="45003"):
        send(channel, official, title="长" * 40)
    assert not Draft.objects.exists()


def test_withdraw_deletes_the_article_and_a_second_withdraw_is_refused(channel, official):
    stored, result = send(channel, official, key="delivery-withdraw")

    channel.withdraw(account=official, remote_id=result.remote_id, context={})

    assert httpx.get(result.url).status_code == 404
    assert Article.objects.get().deleted_at is not None
    assert (
        channel.find_sent(stored, account=official, idempotency_key="delivery-withdraw", context={})
        is None
    )
    with pytest.raises(WithdrawRefused, match="40007"):
        channel.withdraw(account=official, remote_id=result.remote_id, context={})


# -- mass send --------------------------------------------------------------------------------


def test_mass_send_reaches_followers_once_and_a_rerun_is_recognised(channel, official):
    stored, result = send(channel, official, key="mass-0001", wechat_mode="mass_send")
    message = MassMessage.objects.get()
    assert result.remote_id == f"mass:{message.msg_id}"
    assert message.clientmsgid == "mass-0001"
    assert (
        channel.find_sent(stored, account=official, idempotency_key="mass-0001", context={}) is None
    )

    # The same delivery again at once: the platform asks to wait a minute.
    with pytest.raises(TransientChannelError, match="minute"):
        channel.send(stored, account=official, idempotency_key="mass-0001", context={})
    # Later: the platform names the earlier send, which stands.
    sandbox.sandbox_clock_advance(appid=official.appid, seconds=120)
    again = channel.send(stored, account=official, idempotency_key="mass-0001", context={})
    assert again.remote_id == result.remote_id and again.response["already_sent"] is True
    assert MassMessage.objects.count() == 1


def test_a_second_mass_send_the_same_day_is_refused_with_a_clear_message(channel, official):
    send(channel, official, key="mass-first", wechat_mode="mass_send")
    with pytest.raises(PermanentChannelError, match="once a day") as refused:
        send(channel, official, key="mass-second", wechat_mode="mass_send")
    assert "45028" in str(refused.value)
    assert MassMessage.objects.count() == 1


def test_a_mass_send_cannot_be_withdrawn(channel, official):
    _, result = send(channel, official, key="mass-w", wechat_mode="mass_send")
    with pytest.raises(WithdrawRefused, match="mass send"):
        channel.withdraw(account=official, remote_id=result.remote_id, context={})


def test_a_publish_still_running_is_returned_by_id_and_found_with_its_url_later(
    channel, official, settings, huey_immediate
):
    settings.ARCHIVOX_WECHAT_PUBLISH_WAIT = 0
    huey_immediate.immediate = False  # no worker: the sandbox's publish job stays running
    stored, result = send(channel, official, key="delivery-slow")
    publish = Publish.objects.get()
    assert result.remote_id == f"publish:{publish.publish_id}" and result.url == ""
    with pytest.raises(TransientChannelError, match="still being published"):
        channel.withdraw(account=official, remote_id=result.remote_id, context={})

    sandbox.sandbox_clock_advance(appid=official.appid, seconds=10)  # the job finishes
    found = channel.find_sent(stored, account=official, idempotency_key="delivery-slow", context={})
    assert found is not None and found.url == Article.objects.get().url
    channel.withdraw(account=official, remote_id=result.remote_id, context={})
    assert Article.objects.get().deleted_at is not None
