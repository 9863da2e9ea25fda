"""The Django admin speaks the staff's language: with zh-hans active, every app, model and column
of ours is named in Chinese (Latin letters only in the few real acronyms and the platforms' own
names), never by Django's English made up from the code ("Certified copys", "created at")."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.utils import translation

from archivox.publishing.models import DeskSettings
from archivox.records_requests.models import CertifiedCopy, RecordsRequest
from tests.factories import ArchiveFactory, UserFactory
from tests.records_requests_factory import make_requests

pytestmark = pytest.mark.chinese

CHINESE = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Written in Latin letters in Chinese too, beside Chinese words ("WARC 文件", "微信 openid").
ALLOWED = {
    # Formats, protocols and standards, named so by the archives and the web.
    *("ID", "URL", "HTTP", "IP", "MIME", "XML", "HTML", "PDF", "SHA", "Unix"),
    *("OAI", "PMH", "IIIF", "WARC", "JS", "SDK"),
    # The platforms' own names, as their consoles print them: 开发者ID(AppID), 事件 Key,
    # 服务器令牌 Token, 微博 UID, the gh_ of an original ID, Weibo's AppKey.
    *("AppID", "AppSecret", "AppKey", "EncodingAESKey", "Token", "Key", "UID", "openid", "gh"),
    "Archivox",  # the product's name
}


def _ours() -> list:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("archivox.") and admin.site.is_registered(model)
    ]


def _wrong(label) -> str:
    """Why a label would read wrongly to Chinese staff ("" when it does not)."""
    text = str(label)
    if not CHINESE.search(text):
        return "no Chinese"
    english = [word for word in LATIN_WORD.findall(text) if word not in ALLOWED]
    return f"English {english}" if english else ""


def test_every_app_model_and_column_of_ours_is_named_in_chinese():
    ours = _ours()
    assert len(ours) > 100
    problems = []
    with translation.override("zh-hans"):
        for model in ours:
            meta = model._meta
            names = {
                "app": apps.get_app_config(meta.app_label).verbose_name,
                "name": meta.verbose_name,
                "plural": meta.verbose_name_plural,
            }
            for field in meta.get_fields():
                if not getattr(field, "concrete", False):
                    continue
                # Django's own primary key is "ID" in Chinese too.
                if field.auto_created and field.primary_key and str(field.verbose_name) == "ID":
                    continue
                names[f"field {field.name}"] = field.verbose_name
            for what, label in names.items():
                if why := _wrong(label):
                    problems.append(f"{meta.label} {what}: {label!s} ({why})")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_admin_index_and_lists_show_chinese_names(client):
    nanjing = ArchiveFactory(slug="nanjing")
    DeskSettings.objects.create(archive=nanjing, review_levels=2)
    make_requests(nanjing, on_time=1)
    CertifiedCopy.objects.create(
        request=RecordsRequest.objects.get(archive=nanjing),
        archive=nanjing,
        kind=CertifiedCopy.Kind.COPY,
        verification_code="K7Q2M9XW",
        file="records_requests/copies/2026/k7q2m9xw.pdf",
        sha256="0" * 64,
        page_count=2,
    )
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    headers = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}

    index = client.get("/admin/", **headers).content.decode()
    copies = client.get("/admin/records_requests/certifiedcopy/", **headers).content.decode()
    desks = client.get("/admin/publishing/desksettings/", **headers).content.decode()

    for html in (index, copies, desks):
        assert "Certified copys" not in html and "certified copys" not in html
        assert "settingss" not in html
        # The header and the tab's title name the platform, not the framework.
        assert "Archivox 管理后台" in html and "Django 管理" not in html
    assert "查档申请" in index and "档案证明（复制件）" in index and "发布台设置" in index
    assert "Desk settings" not in index and "Certified copies" not in index
    assert "档案证明（复制件）" in copies and "K7Q2M9XW" in copies
    for column in ("核验码", "类型", "出证馆", "签发时间", "撤销时间"):
        assert column in copies, column
    assert "发布台设置" in desks
