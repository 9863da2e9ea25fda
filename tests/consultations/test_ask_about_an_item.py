""" "Ask about this item" on a description page opens the form with the item named — only an
item the public may see."""

import pytest
from django.utils import translation

from archivox.catalog import services as catalog_services

pytestmark = pytest.mark.django_db


def describe(archive, code, title, **values):
    return catalog_services.description_create(
        actor=None, archive=archive, reference_code=code, title=title, level="fonds", **values
    )


def test_the_form_starts_with_the_open_items_reference_and_title(client, inbox_archive):
    describe(inbox_archive, "B0001", "白崇禧公馆修缮档案")
    with translation.override("en"):
        html = client.get(
            f"/archives/{inbox_archive.slug}/ask/?item=B0001", HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "About B0001 “白崇禧公馆修缮档案”: " in html


def test_a_confidential_item_is_not_named_in_the_form(client, inbox_archive):
    describe(inbox_archive, "S0001", "CANARYaskform 机密", access_level="confidential")
    with translation.override("en"):
        response = client.get(
            f"/archives/{inbox_archive.slug}/ask/?item=S0001", HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "CANARYaskform" not in html
    assert "About S0001" not in html
