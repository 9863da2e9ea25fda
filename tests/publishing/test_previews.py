"""Previews that look like the channel: the WeChat article with its pictures (no empty
``src``) and WeChat's own 阅读原文, the Weibo status with its picture and a short web link, the
portal page listing its catalog items once, the e-mail with a working unsubscribe link; on the
post page the channels by their names and every cut or note in plain Chinese."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from archivox.publishing import services

pytestmark = pytest.mark.django_db

CHANNELS = ["wechat", "weibo", "portal", "feed", "email"]


@pytest.fixture
def post(make_post):
    return make_post(channels=CHANNELS)


def _renderings(post):
    with translation.override("zh-hans"):
        return services.post_render(post=post)


def test_the_wechat_preview_shows_its_pictures_and_no_english(post):
    preview = _renderings(post)["wechat"].preview_html
    assert 'src=""' not in preview
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]{40,}"', preview)
    assert "Read the original" not in preview
    assert "阅读原文" in preview
    assert "南京市档案馆" in preview  # the account, as WeChat shows it under the title


def test_the_weibo_preview_shows_the_picture_and_a_short_link(post):
    preview = _renderings(post)["weibo"].preview_html
    assert re.search(r'<img src="data:image/png;base64,', preview)
    assert "wall.png" not in preview  # no raw file name
    assert ">网页链接</a>" in preview
    assert f"/archives/nanjing/posts/{post.pk}/" in preview  # the link's target


def test_the_portal_preview_lists_its_catalog_items_once(post):
    preview = _renderings(post)["portal"].preview_html
    assert preview.count("相关馆藏") == 1
    assert preview.count("南京城墙图</a></li>") == 1


def test_the_email_preview_has_a_real_unsubscribe_link(post):
    preview = _renderings(post)["email"].preview_html
    assert "{{unsubscribe_url}}" not in preview
    assert "/archives/nanjing/posts/subscribe/" in preview
    assert "退订" in preview


@pytest.mark.chinese
def test_the_post_page_names_channels_and_flags_in_chinese(client, post, archivist):
    client.force_login(archivist)
    page = client.get(f"/console/publishing/posts/{post.pk}/").content.decode()
    for label in ("微信公众号", "微博", "本馆网站", "订阅邮件"):
        assert f"<summary>{label}" in page
    assert "[cut]" not in page and "[note]" not in page and "[refuse]" not in page
    assert 'class="phone"' in page
    assert re.search(r'<span class="badge">(发送时将调整|提示|无法发送)</span>', page)
