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
