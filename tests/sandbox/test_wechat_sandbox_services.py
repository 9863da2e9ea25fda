"""Sandbox services called directly (no HTTP): what happens when no background worker runs."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from archivox.sandbox.wechat import services
from archivox.sandbox.wechat.models import Publish

pytestmark = pytest.mark.django_db  # one transaction that never commits: no task ever runs


def test_without_a_worker_freepublish_get_finishes_the_job_itself():
    account = services.sandbox_account_create(name="无后台")
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buffer, "JPEG")
    thumb = services.media_upload(
        account=account,
        kind="thumb",
        upload=SimpleUploadedFile("t.jpg", buffer.getvalue()),
        site="http://sandbox.test",
    )
    article = {"title": "无人值守", "content": "<p>正文</p>", "thumb_media_id": thumb["media_id"]}
    media_id = services.draft_add(account=account, body={"articles": [article]})["media_id"]
    publish_id = services.publish_submit(
        account=account, body={"media_id": media_id}, site="http://sandbox.test"
    )["publish_id"]
    assert (
        services.publish_get(account=account, body={"publish_id": publish_id})["publish_status"]
        == Publish.Status.PUBLISHING
    )
    services.sandbox_clock_advance(appid=account.appid, seconds=5)
    account.refresh_from_db()
    status = services.publish_get(account=account, body={"publish_id": publish_id})
    assert status["publish_status"] == Publish.Status.SUCCESS
    assert status["article_detail"]["item"][0]["article_url"].startswith(
        "http://sandbox.test/sandbox/wechat/mp/s/"
    )


def test_unknown_publish_ids_and_bad_bodies_get_the_platforms_codes():
    account = services.sandbox_account_create()
    with pytest.raises(services.SandboxApiError) as refused:
        services.publish_get(account=account, body={"publish_id": "1"})
    assert refused.value.errcode == 40007
    with pytest.raises(services.SandboxApiError) as refused:
        services.mass_sendall(
            account=account, body={"filter": {"is_to_all": True}, "msgtype": "voice"}
        )
    assert refused.value.errcode == 40008
    with pytest.raises(services.SandboxApiError) as refused:
        services.mass_sendall(
            account=account,
            body={"filter": {"is_to_all": False, "tag_id": 2}, "msgtype": "text"},
        )
    assert refused.value.errcode == 40035


def test_each_call_is_counted_once_up_to_the_daily_quota_and_then_refused(monkeypatch):
    from archivox.sandbox.wechat import rules
    from archivox.sandbox.wechat.models import QuotaUsage

    monkeypatch.setitem(rules.DAILY_QUOTA, "draft/add", 3)
    account = services.sandbox_account_create(name="配额")
    for _ in range(3):
        services.quota_consume(account=account, api="draft/add")
    usage = QuotaUsage.objects.get(account=account, api="draft/add", period="day")
    assert usage.count == 3
    with pytest.raises(services.SandboxApiError) as refused:
        services.quota_consume(account=account, api="draft/add")
    assert refused.value.errcode == 45009
    usage.refresh_from_db()
    assert usage.count == 3  # a refused call is not counted
    # Another API has its own count.
    services.quota_consume(account=account, api="media/uploadimg")
    assert QuotaUsage.objects.get(account=account, api="media/uploadimg").count == 1
