"""The demo data: rooms with opening hours for the demo archives, Nanjing's exhibition from its
demo catalog and a lecture; loading twice changes nothing."""

import pytest
from django.core.management import call_command

from archivox.catalog.demo import demo_catalog_load
from archivox.exhibitions import selectors
from archivox.exhibitions.models import Event, Exhibition
from archivox.reservations.models import Resource, Slot
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db


def test_load_demo_engagement_builds_rooms_an_exhibition_and_a_lecture(capsys, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    nanjing = ArchiveFactory(slug="nanjing", name="Nanjing", name_zh="南京市档案馆", is_demo=True)
    demo_catalog_load(only=["nanjing"])
    call_command("load_demo_engagement")
    assert set(Resource.objects.filter(archive=nanjing).values_list("slug", flat=True)) == {
        "reading-room",
        "exhibition-hall",
    }
    assert Slot.objects.filter(resource__archive=nanjing).exists()
    view = selectors.exhibition_get_public(archive=nanjing, slug="republican-buildings")
    codes = [item.description.reference_code for part in view.sections for item in part.items]
    assert "NJ-MG-001-0001" in codes and view.share_image is not None
    # nothing confidential or closed of the demo catalog is in it
    levels = {item.description.effective_access for part in view.sections for item in part.items}
    assert levels <= {"open", "restricted"}
    assert not any(
        item.description.effective_closed_until for p in view.sections for item in p.items
    )
    assert Event.objects.get(archive=nanjing).status == "published"
    call_command("load_demo_engagement")
    assert Exhibition.objects.count() == 1 and Event.objects.count() == 1
    assert Resource.objects.filter(archive=nanjing).count() == 2
    assert "already there" in capsys.readouterr().out
