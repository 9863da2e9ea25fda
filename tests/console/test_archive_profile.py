"""An archive's profile for visitors (address, hours, telephone, website, map link, transport):
edited by its administrators in the console, audited, shown on the portal's archive home and
offered as a WeChat menu link."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from archivox.core import services as core_services
from archivox.core.models import AuditEntry
from archivox.service_hall import selectors as service_hall_selectors

pytestmark = pytest.mark.django_db

PROFILE = {
    "address": "南京市建邺区江东中路 265 号",
    "opening_hours": "周一至周五 8:30–17:00",
    "phone": "025-8480 0000 转 8",
    "website": "https://da.nanjing.gov.cn/",
    "map_url": "https://uri.amap.com/marker?position=118.73,32.00&name=南京市档案馆",
    "transport": "地铁 2 号线元通站 3 号口，向东步行 500 米。\n馆内有 20 个停车位。",
}


def url(slug="nanjing"):
    return reverse("console:archive_profile", args=[slug])


@pytest.mark.chinese
def test_an_administrator_edits_the_profile_in_chinese_and_it_is_audited(client, administrator):
    client.force_login(administrator)
    page = client.get(url()).content.decode()
    for label in ("本馆简介", "地址", "开放时间", "电话", "网站", "地图链接", "交通指南"):
        assert label in page, label
    assert 'type="tel"' in page and 'inputmode="tel"' in page

    response = client.post(url(), {**PROFILE, "address": "  " + PROFILE["address"] + " "})
    assert response.status_code == 302 and response.url == url()
    administrator.memberships.first().archive.refresh_from_db()
    archive = administrator.memberships.first().archive
    for name, value in PROFILE.items():
        assert getattr(archive, name) == value.replace("\r\n", "\n"), name
    entry = AuditEntry.objects.filter(action="archive.update").latest("id")
    assert entry.actor == administrator and entry.archive == archive
    assert entry.before["phone"] == "" and entry.after["phone"] == PROFILE["phone"]
    assert set(entry.after) == set(PROFILE)
    assert "本馆简介已保存" in client.get(url()).content.decode()

    # Saving again without a change records nothing.
    client.post(url(), PROFILE)
    assert AuditEntry.objects.filter(action="archive.update").count() == 1


@pytest.mark.chinese
def test_a_bad_telephone_or_link_is_refused_next_to_its_field_and_nothing_typed_is_lost(
    client, administrator, nanjing
):
    client.force_login(administrator)
    typed = {
        **PROFILE,
        "phone": "请拨打南京档案馆",
        "map_url": "javascript:alert(1)",
        "transport": "公交 9 路档案馆站下车",
    }
    response = client.post(url(), typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "请输入电话号码" in page  # the model's rule, in Chinese, next to the field
    assert "输入一个有效的 URL" in page or "有效的URL" in page or "网址" in page
    assert "公交 9 路档案馆站下车" in page and "请拨打南京档案馆" in page
    assert PROFILE["address"] in page
    nanjing.refresh_from_db()
    assert nanjing.transport == "" and nanjing.phone == ""
    assert not AuditEntry.objects.filter(action="archive.update").exists()

    # The service applies the same rules to a caller without the form.
    with pytest.raises(ValidationError) as refused:
        core_services.archive_profile_update(
            actor=administrator, archive=nanjing, website="ftp://files.example/", phone="x"
        )
    assert set(refused.value.error_dict) == {"website", "phone"}
    nanjing.refresh_from_db()
    assert nanjing.website == "" and nanjing.phone == ""


def test_only_the_archives_administrators_edit_its_profile(client, staff, nanjing):
    for name in ("archivist", "reviewer", "outsider"):
        client.force_login(staff[name])
        assert client.get(url()).status_code == 403, name
        assert client.post(url(), PROFILE).status_code == 403, name
    nanjing.refresh_from_db()
    assert nanjing.phone == ""
    client.force_login(staff["administrator"])
    dashboard = client.get(reverse("console:dashboard")).content.decode()
    assert f'href="{url()}"' in dashboard


def test_the_service_refuses_fields_outside_the_profile(administrator, nanjing):
    with pytest.raises(ValueError):
        core_services.archive_profile_update(actor=administrator, archive=nanjing, slug="x")


@pytest.mark.chinese
def test_the_portal_home_shows_the_profile_with_a_dialling_link_and_the_map(client, nanjing):
    core_services.archive_profile_update(actor=None, archive=nanjing, **PROFILE)
    page = client.get("/archives/nanjing/").content.decode()
    assert 'id="visit"' in page and "来馆参观" in page
    assert 'href="tel:025-84800000"' not in page  # tel: takes digits only
    assert 'href="tel:02584800000"' in page and "025-8480 0000 转 8" in page
    assert 'href="https://uri.amap.com/marker?position=118.73,32.00&amp;name=' in page
    assert "打开地图" in page
    assert "地铁 2 号线元通站 3 号口，向东步行 500 米。<br>馆内有 20 个停车位。" in page
    assert 'href="https://da.nanjing.gov.cn/"' in page and ">da.nanjing.gov.cn<" in page
    for label in ("开放时间", "地址", "电话", "交通指南", "网站"):
        assert f"<dt>{label}</dt>" in page, label


@pytest.mark.chinese
def test_an_empty_profile_shows_no_empty_heading(client, nanjing):
    page = client.get("/archives/nanjing/").content.decode()
    assert 'id="visit"' not in page and "来馆参观" not in page and "tel:" not in page

    # Only a telephone number: that line alone, no address search links.
    core_services.archive_profile_update(actor=None, archive=nanjing, phone="025-12345")
    page = client.get("/archives/nanjing/").content.decode()
    assert 'href="tel:02512345"' in page
    assert "<dt>地址</dt>" not in page and "交通指南" not in page and "uri.amap.com" not in page


@pytest.mark.chinese
def test_the_wechat_menu_offers_the_visit_section_as_a_page(nanjing, settings):
    settings.BASE_URL = "https://archives.example"
    pages = dict(service_hall_selectors.menu_action_choices(archive=nanjing))["打开网页"]
    visit = next(choice for choice in pages if choice.value == "view:visit")
    assert visit.label == "本馆简介/到馆指南"
    assert visit.button == {
        "type": "view",
        "url": "https://archives.example/archives/nanjing/#visit",
    }
    assert service_hall_selectors.menu_resolver(archive=nanjing)["view:visit"] == visit.button
