"""The clients' calls that take published things back, and Weibo's short-link expansion, against
the sandboxes over real HTTP: WeChat ``freepublish/delete``, Weibo ``statuses/destroy`` and
``short_url/expand``."""

from __future__ import annotations

import io

import httpx
import pytest
from django.conf import settings as django_settings
from PIL import Image

from archivox.core.models import PlatformAccount
from archivox.platforms.wechat.client import WeChatApi, WeChatApiError
from archivox.platforms.weibo.client import client_for_account
from archivox.platforms.weibo.errors import WeiboApiError
from archivox.sandbox.wechat import services as wechat_sandbox
from archivox.sandbox.wechat.models import Publish
from archivox.sandbox.weibo.models import WeiboStatus
from archivox.sandbox.weibo.services import sandbox_weibo_account_ensure
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db(transaction=True)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (180, 40, 40)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def wechat(live_server, settings):
    settings.WECHAT_API = live_server.url + "/sandbox/wechat"
    account = wechat_sandbox.sandbox_account_create(name="测试")
    with WeChatApi(appid=account.appid, secret=account.app_secret, backoff=0.01) as api:
        yield api


def publish(api: WeChatApi, titles: list[str]) -> dict:
    thumb = api.add_thumb_material(jpeg())["media_id"]
    media_id = api.draft_add(
        [{"title": t, "content": f"<p>{t}</p>", "thumb_media_id": thumb} for t in titles]
    )
    return api.freepublish_get(api.freepublish_submit(media_id))


def test_freepublish_delete_takes_the_article_offline_and_out_of_the_list(wechat):
    published = publish(wechat, ["甲"])
    url = published["article_detail"]["item"][0]["article_url"]
    assert httpx.get(url).status_code == 200

    wechat.freepublish_delete(published["article_id"])

    assert httpx.get(url).status_code == 404
    assert wechat.freepublish_batchget()["item"] == []
    assert Publish.objects.get().status == Publish.Status.DELETED
    with pytest.raises(WeChatApiError) as refused:
        wechat.freepublish_delete(published["article_id"])
    assert refused.value.errcode == 40007


def test_freepublish_delete_of_one_article_keeps_the_others(wechat):
    published = publish(wechat, ["甲", "乙"])
    wechat.freepublish_delete(published["article_id"], index=2)
    [item] = wechat.freepublish_batchget()["item"]
    assert [news["title"] for news in item["content"]["news_item"]] == ["甲"]
    assert Publish.objects.get().status == Publish.Status.SUCCESS


def test_freepublish_delete_of_an_unknown_article_is_refused(wechat):
    with pytest.raises(WeChatApiError) as refused:
        wechat.freepublish_delete("no-such-article")
    assert refused.value.errcode == 40007


@pytest.fixture
def weibo(live_server, settings):
    settings.WEIBO_API = live_server.url + "/sandbox/weibo"
    archive = ArchiveFactory(name_zh="南京市档案馆")
    sandbox_weibo_account_ensure(archive)
    account = PlatformAccount.objects.get(archive=archive, platform="weibo")
    with client_for_account(account, backoff=0.01) as client:
        yield client


def share(client, path: str) -> dict:
    return client.statuses_share(
        text=f"展览开幕 {django_settings.BASE_URL}/{path}", rip="211.156.0.1"
    )


def test_statuses_destroy_deletes_our_status_once(weibo):
    status = share(weibo, "a")
    gone = weibo.statuses_destroy(status["idstr"])
    assert gone["idstr"] == status["idstr"]
    assert not WeiboStatus.objects.exists()
    with pytest.raises(WeiboApiError) as refused:
        weibo.statuses_destroy(status["idstr"])
    assert refused.value.error_code == 20101


def test_short_url_expand_reads_back_the_links_of_the_timeline(weibo):
    share(weibo, "posts/1?ax_delivery=k1")
    share(weibo, "posts/2")
    timeline = weibo.statuses_user_timeline()["statuses"]
    short = [text.split()[-1] for text in (s["text"] for s in timeline)]
    assert all(link.startswith("http://t.cn/") for link in short)
    expanded = weibo.short_url_expand([*short, "http://t.cn/unknown"])
    assert sorted(expanded.values()) == [
        f"{django_settings.BASE_URL}/posts/1?ax_delivery=k1",
        f"{django_settings.BASE_URL}/posts/2",
    ]
