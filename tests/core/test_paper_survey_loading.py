import filecmp
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from archivox.core.models import Archive, AuditEntry, Region
from archivox.core.paper_survey import default_paper_survey_path

pytestmark = pytest.mark.django_db


def load(*args) -> str:
    out = StringIO()
    call_command("load_paper_survey", *args, stdout=out)
    return out.getvalue()


def test_loads_every_region_of_the_paper_with_its_main_archive():
    load()
    codes = set(Region.objects.values_list("code", flat=True))
    assert codes == {"beijing", "nanjing", "kunming", "suzhou", "sichuan", "hami", "yancheng"}
    for code in codes:
        archive = Archive.objects.get(slug=code)
        assert archive.region.code == code
        assert archive.parent is None
        assert archive.is_demo
    assert Archive.objects.get(slug="sichuan").level == Archive.Level.PROVINCE
    assert Archive.objects.get(slug="nanjing").name_zh == "南京市档案馆"
    assert Region.objects.get(code="hami").tier is None  # the paper assigns no tier


def test_district_archives_named_in_the_paper_sit_below_their_city():
    load()
    shijingshan = Archive.objects.get(slug="beijing-shijingshan")
    assert shijingshan.level == Archive.Level.DISTRICT
    assert shijingshan.parent.slug == "beijing"
    nanjing_districts = set(
        Archive.objects.filter(parent__slug="nanjing").values_list("slug", flat=True)
    )
    assert nanjing_districts == {
        "nanjing-qixia",
        "nanjing-gulou",
        "nanjing-pukou",
        "nanjing-xuanwu",
    }
    # The city bureau under another of its names is not a second archive.
    assert not Archive.objects.filter(name="Nanjing Archives Bureau").exists()


def test_loading_twice_changes_nothing_the_second_time():
    load()
    archives = list(Archive.objects.order_by("slug").values())
    audit_entries = AuditEntry.objects.count()

    output = load()

    assert "0 created, 0 updated" in output
    assert list(Archive.objects.order_by("slug").values()) == archives
    assert AuditEntry.objects.count() == audit_entries


def test_loading_records_the_system_as_the_actor_in_the_audit_log():
    load()
    entry = AuditEntry.objects.filter(action="archive.create", archive__slug="nanjing").get()
    assert entry.actor is None and entry.actor_label == "system"


def test_accepts_a_path_to_a_copy(tmp_path: Path):
    copy = tmp_path / "copy.yaml"
    copy.write_text(default_paper_survey_path().read_text(encoding="utf-8"), encoding="utf-8")
    assert str(copy) in load(str(copy))
    assert Archive.objects.filter(slug="suzhou").exists()


def test_the_bundled_copy_matches_the_shared_data_set():
    shared, bundled = settings.PAPER_SURVEY_PATHS
    if not Path(shared).exists():
        pytest.skip("no ../shared beside this checkout")
    assert filecmp.cmp(shared, bundled, shallow=False)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("regions: [unclosed", "not valid YAML at line"),
        ("- just\n- a list\n", "expected a mapping"),
        ("regions: []\n", "'regions' must be a non-empty list"),
        ("regions:\n  - {code: x, name: X}\n", "region #1 has no 'level'"),
        ("regions:\n  - {code: x, name: X, level: planet}\n", "unknown level 'planet'"),
        (
            "regions:\n  - {code: x, name: X, level: city}\n"
            "accounts:\n  - {region: y, institution: Y, level: city}\n",
            "unknown region 'y'",
        ),
    ],
)
def test_malformed_survey_file_is_refused_with_a_clear_error_and_nothing_saved(
    tmp_path: Path, content: str, message: str
):
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        load(str(bad))
    assert not Region.objects.exists()
    assert not Archive.objects.exists()


def test_missing_file_is_refused_with_a_clear_error(tmp_path: Path):
    with pytest.raises(CommandError, match="no such file"):
        load(str(tmp_path / "absent.yaml"))
