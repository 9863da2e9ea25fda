"""The composer: the item picker pages through every item an editor may draw on (never a
confidential one; a closed one shown with its closure and not offered), a search inside the form
keeps everything typed, and the editor is served from our own static files."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders

from archivox.catalog import services as catalog
from archivox.publishing import selectors
from archivox.publishing.models import Post

pytestmark = [pytest.mark.django_db, pytest.mark.chinese]


@pytest.fixture
def many(archive, items):
    for n in range(1, 122):
        catalog.description_create(
            actor=None,
            archive=archive,
            parent=None,
            reference_code=f"NJ-9-{n:03d}",
            title=f"民国地图第{n}幅",
            level="item",
        )
    return items


def test_the_picker_pages_through_all_items_and_never_offers_a_confidential_one(
    archive, archivist, many
):
    first = selectors.picker_page(user=archivist, archive=archive)
    assert first.total == 124  # 121 maps, the open, restricted and closed items
    assert (first.number, first.pages, len(first.items)) == (1, 7, 20)
    last = selectors.picker_page(user=archivist, archive=archive, page=99)
    assert last.number == 7 and len(last.items) == 4
    every = [
        item
        for n in range(1, 8)
        for item in selectors.picker_page(user=archivist, archive=archive, page=n).items
    ]
    titles = {item.title for item in every}
    assert "机密档案" not in titles and len(every) == 124
    closed = next(item for item in every if item.title == "封闭期档案")
    assert not closed.selectable and closed.access_label.startswith("封闭期至 ")
    found = selectors.picker_page(user=archivist, archive=archive, query="第12")
    assert {item.title for item in found.items} == {
        f"民国地图第{n}幅" for n in (12, *range(120, 122))
    }


def test_a_search_inside_the_form_keeps_what_was_typed(client, archive, archivist, many):
    client.force_login(archivist)
    url = f"/console/publishing/archives/{archive.slug}/new/"
    typed = {
        "title": "城墙里的南京",
        "body_html": "<p>正文还没写完</p>",
        "item": [str(many["open"].pk)],
        f"use_image_{many['open'].pk}": "on",
        "q": "地图第3",
        "picker": "search",
    }
    page = client.post(url, typed)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="城墙里的南京"' in html and "正文还没写完" in html
    assert "民国地图第30幅" in html  # the search ran
    assert f'name="use_image_{many["open"].pk}" checked' in html  # the chosen item stays
    assert not Post.objects.exists()  # nothing saved by a search
    assert "机密档案" not in html
    html = client.get(url, {"q": "档案"}).content.decode()
    assert "封闭期至" in html and "开放 (" not in html and "机密档案" not in html


def test_the_picker_fragment_leaves_out_chosen_items(client, archive, archivist, many):
    client.force_login(archivist)
    url = f"/console/publishing/archives/{archive.slug}/items/"
    html = client.get(url, {"q": "城墙", "chosen": [many["open"].pk]}).content.decode()
    assert "南京城墙图" not in html
    html = client.get(url, {"q": "城墙"}).content.decode()
    assert "南京城墙图" in html


def test_the_editor_is_served_from_our_static_files():
    assert finders.find("publishing/vendor/quill.js")
    assert finders.find("publishing/vendor/quill.snow.css")
    assert finders.find("publishing/composer.js")
