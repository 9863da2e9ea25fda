"""The demo loader: kinds for the paper's archives, a holiday calendar, requests in every
status (run twice: nothing doubled)."""

from django.core.management import call_command
from django.test import TestCase

from archivox.core.models import Archive, Role
from archivox.core.services import membership_grant
from archivox.records_requests.models import Holiday, RecordsRequest, RequestKind
from tests.factories import ArchiveFactory, UserFactory


def test_demo_loads_kinds_calendar_and_every_status(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    nanjing = ArchiveFactory(slug="nanjing", name_zh="南京市档案馆", is_demo=True)
    ArchiveFactory(
        slug="nanjing-xuanwu",
        name_zh="玄武区档案馆",
        level=Archive.Level.DISTRICT,
        parent=nanjing,
        is_demo=True,
    )
    demo = UserFactory(username="demo")
    for archive in Archive.objects.all():
        membership_grant(actor=None, archive=archive, user=demo, role=Role.ARCHIVIST)
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("load_demo_records_requests", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("load_demo_records_requests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert RequestKind.objects.filter(archive=nanjing).count() == 4
    assert Holiday.objects.filter(archive=nanjing, is_working_day=True).exists()
    statuses = set(RecordsRequest.objects.values_list("status", flat=True))
    assert statuses == set(RecordsRequest.Status.values)
    assert RecordsRequest.objects.count() == 9
