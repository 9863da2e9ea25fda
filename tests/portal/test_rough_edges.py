"""Rough edges of the portal (issue 21): a Chinese 404 page in the portal's frame with a mobile
viewport; feeds open in a browser as a readable page (an XSL stylesheet); the search filters fold
on a phone."""

import pytest
from django.contrib.staticfiles import finders

from tests.factories import ArchiveFactory

pytestmark = [pytest.mark.django_db, pytest.mark.chinese]


def test_the_404_page_is_chinese_styled_and_fits_a_phone(client):
    page = client.get("/archives/no-such-archive/")
    html = page.content.decode()
    assert page.status_code == 404
    assert "这个地址没有页面" in html and 'name="viewport"' in html and "portal.css" in html
    assert "Not Found" not in html


def test_feeds_carry_a_stylesheet_for_browsers(client):
    ArchiveFactory(slug="nanjing", name_zh="南京市档案馆")
    for path in ("/feeds/nanjing/atom.xml", "/feeds/nanjing/rss.xml"):
        feed = client.get(path).content.decode()
        assert (
            '<?xml-stylesheet href="/static/publishing/feed.xsl" media="screen" type="text/xsl"'
            in feed
        )
    assert finders.find("publishing/feed.xsl")


def test_the_search_filters_fold_under_a_summary(client):
    page = client.get("/search/", {"q": "城墙"}).content.decode()
    assert '<details class="more-filters"' in page and "筛选：" in page
