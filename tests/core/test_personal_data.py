"""The personal-data registry: retention settings and the two commands (sources are the apps';
their own purge and export are tested with them)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archivox.core import personal_data
from archivox.core.personal_data import PersonalDataSource, retention_days


def test_retention_defaults_to_three_years_and_is_set_per_source(monkeypatch):
    monkeypatch.delenv("ARCHIVOX_RETENTION_DAYS", raising=False)
    assert retention_days("reservations") == 1095
    monkeypatch.setenv("ARCHIVOX_RETENTION_DAYS", "730")
    monkeypatch.setenv("ARCHIVOX_RETENTION_RESERVATIONS_DAYS", "365")
    assert retention_days("reservations") == 365
    assert retention_days("consultations") == 730


def test_a_malformed_retention_setting_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("ARCHIVOX_RETENTION_DAYS", "forever")
    with pytest.raises(ValueError, match="whole number of days"):
        retention_days("consultations")


@pytest.mark.django_db
def test_every_registered_source_is_purged_and_exported(monkeypatch, tmp_path):
    seen = {}

    def purge(*, before):
        seen["before"] = before
        return 3

    def export(*, identifier):
        return [{"who": identifier, "what": "问题"}]

    monkeypatch.setattr(personal_data, "_SOURCES", {})
    personal_data.personal_data_source_register(
        PersonalDataSource(name="letters", description="letters", purge=purge, export=export)
    )
    out = StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert "letters: would purge 3 (kept 1095 days)" in out.getvalue()
    target = tmp_path / "person.json"
    call_command(
        "export_personal_data", "reader@example.cn", "--out", str(target), stdout=StringIO()
    )
    data = json.loads(target.read_text())
    assert data["records"]["letters"] == [{"who": "reader@example.cn", "what": "问题"}]
    with pytest.raises(CommandError, match="email address"):
        call_command("export_personal_data", "  ")


@pytest.mark.django_db
def test_old_consultations_lose_who_asked_but_keep_their_timings(monkeypatch, mailoutbox):
    """The engagement sources, for real: a closed consultation past its retention keeps its
    times (the survey counts them) and loses the person's name and address."""
    import datetime

    from django.utils import timezone

    from archivox.consultations import services
    from archivox.consultations.models import Consultation, InboundMessage
    from tests.factories import ArchiveFactory

    monkeypatch.setenv("ARCHIVOX_RETENTION_CONSULTATIONS_DAYS", "30")
    archive = ArchiveFactory(slug="nanjing")
    services.consultation_ask(
        archive=archive, name="王读者", email="wang@example.cn", question="家谱在哪里查？"
    )
    consultation = Consultation.objects.get()
    services.consultation_answer(actor=None, consultation=consultation, text="请来阅览室。")
    services.consultation_close(actor=None, consultation=consultation)

    before = call_command_json("export_personal_data", "wang@example.cn")
    assert before["records"]["consultations"][0]["name"] == "王读者"

    long_ago = timezone.now() - datetime.timedelta(days=60)
    Consultation.objects.update(opened_at=long_ago)
    InboundMessage.objects.update(received_at=long_ago)
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "consultations: purged 1 (kept 30 days)" in out.getvalue()

    purged = Consultation.objects.get()
    assert (purged.person_name, purged.person_email) == ("", "")
    assert "wang@example.cn" not in purged.person
    assert purged.first_response_at is not None  # the timing stays for the indicators
    assert (
        call_command_json("export_personal_data", "wang@example.cn")["records"]["consultations"]
        == []
    )


def call_command_json(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())
