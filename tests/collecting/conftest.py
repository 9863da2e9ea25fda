"""A Nanjing archive with an archivist and its collecting campaign, and family photographs."""

import io

import pytest
from PIL import Image

from archivox.collecting.demo import demo_collecting_load
from archivox.collecting.models import Campaign
from archivox.core import services as core_services
from archivox.core.models import Role
from tests.factories import ArchiveFactory, UserFactory


def photo(colour: str = "sienna", *, gps: bool = True) -> bytes:
    """A JPEG as a phone makes it: with EXIF naming the camera and where it was taken."""
    image = Image.new("RGB", (64, 48), colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "Camera app 1.0"  # Software
    if gps:
        exif[0x8825] = {1: "N", 2: (32.0, 3.0, 0.0), 3: "E", 4: (118.0, 47.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def wav() -> bytes:
    """A short silent WAV recording."""
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(8000)
        recording.writeframes(b"\0\0" * 800)
    return out.getvalue()


@pytest.fixture
def nanjing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")
    archivist = UserFactory(username="wang")
    core_services.membership_grant(actor=None, archive=archive, user=archivist, role=Role.ARCHIVIST)
    demo_collecting_load()
    campaign = Campaign.objects.get(archive=archive, slug="family-photos")
    return {"archive": archive, "archivist": archivist, "campaign": campaign}
