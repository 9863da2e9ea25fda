"""The demo catalog's data files (data/demo/catalog/): the shipped ones read cleanly, and a
malformed one is refused with the file and the entry named, before anything is written."""

import re
import textwrap
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from archivox.catalog.demo import DemoCatalogFileError, demo_catalog_dir, demo_catalog_specs
from archivox.catalog.models import Description, FeaturedCollection
from tests.factories import ArchiveFactory

GOOD = """\
archive: nanjing
placeholder_colour: [138, 45, 45]
collections:
  - slug: test-collection
    title: 测试专题
    entries: [NJ-T-0001]
descriptions:
  - code: NJ-T
    level: fonds
    title: 测试全宗
    dates: 1912—1949年
    years: [1912, 1949]
    creator: 南京市档案馆
    scope: 演示用的测试全宗。
    children:
      - code: NJ-T-0001
        level: item
        title: 总统府历史照片
        years: [1927, 1949]
        access: restricted
        closed_until: 2047-01-01
        subjects: [民国建筑]
"""


def write(directory: Path, text: str, name: str = "01-nanjing.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_shipped_files_read_in_order_and_name_their_archive():
    paths = sorted(demo_catalog_dir().glob("*.yaml"))
    specs = demo_catalog_specs()
    assert demo_catalog_dir() == Path(settings.BASE_DIR) / "data" / "demo" / "catalog"
    assert [spec.slug for spec in specs][:3] == ["nanjing", "suzhou", "hami"]
    # The file names say the order and the archive, so the folder reads like the catalog.
    assert [re.sub(r"^\d+-", "", path.stem) for path in paths] == [spec.slug for spec in specs]
    assert sum(1 for spec in specs for root in spec.nodes for _ in root.walk()) >= 300


def test_a_good_file_reads_as_written(tmp_path):
    write(tmp_path, GOOD)
    [spec] = demo_catalog_specs(tmp_path)
    [root] = spec.nodes
    [child] = root.children
    assert (spec.slug, spec.colour) == ("nanjing", (138, 45, 45))
    assert root.when == ("1912—1949年", 1912, 1949)
    values = child.values(1)
    assert values["access_level"] == "restricted" and str(values["closed_until"]) == "2047-01-01"
    assert values["is_demo"] is True and "演示数据" in values["access_conditions"]
    assert values["language"] == "中文" and values["date_expression"] == ""
    assert spec.collections[0].codes == ("NJ-T-0001",)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # A required field left out.
        ("        title: 总统府历史照片\n", "", "description NJ-T-0001: 'title' is missing"),
        # A value that is not one of the choices.
        ("access: restricted", "access: secret", "description NJ-T-0001: 'access' is 'secret'"),
        ("level: item", "level: fonds", "a fonds cannot stand below the fonds NJ-T"),
        ("years: [1927, 1949]", "years: [1949, 1927]", "the start comes after the end"),
        ("years: [1927, 1949]", "years: 1927", "description NJ-T-0001: 'years' must be 2 whole"),
        ("closed_until: 2047-01-01", "closed_until: 2047年", "'closed_until' must be a date"),
        ("subjects: [民国建筑]", "subjects: 民国建筑", "'subjects' must be a list of texts"),
        # YAML reads an unquoted number as a number, not as the text of a title.
        ("title: 测试全宗", "title: 1946", "description NJ-T: 'title' must be text"),
        # A misspelt key would otherwise be dropped without a word.
        ("scope: 演示用的测试全宗。", "scop: 演示用的测试全宗。", "unknown key 'scop'"),
        # Before the code is read, the entry is named by where it stands.
        ("      - code: NJ-T-0001\n", "      -\n", "description #1 under NJ-T: 'code' is missing"),
        ("entries: [NJ-T-0001]", "entries: [NJ-T-9999]", "collection test-collection: 'entries'"),
        ("archive: nanjing\n", "", "top level: 'archive' is missing"),
        ("    title: 测试专题\n", "    title: [测试专题\n", "not valid YAML at line"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_file_and_the_entry(tmp_path, old, new, message):
    assert old in GOOD
    write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(DemoCatalogFileError) as caught:
        demo_catalog_specs(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / '01-nanjing.yaml'}: ")
    assert message in str(caught.value)


def test_a_code_used_twice_and_an_archive_in_two_files_are_refused(tmp_path):
    write(tmp_path, GOOD.replace("code: NJ-T-0001", "code: NJ-T"))
    with pytest.raises(DemoCatalogFileError, match=r"description NJ-T: .* used twice"):
        demo_catalog_specs(tmp_path)
    write(tmp_path, GOOD)
    write(tmp_path, GOOD, name="02-nanjing-again.yaml")
    with pytest.raises(DemoCatalogFileError, match=r"02-nanjing-again.yaml: archive 'nanjing'"):
        demo_catalog_specs(tmp_path)
    with pytest.raises(DemoCatalogFileError, match="no demo catalog files"):
        demo_catalog_specs(tmp_path / "empty")


@pytest.mark.django_db
def test_the_command_names_the_bad_entry_and_writes_nothing(tmp_path, settings):
    ArchiveFactory(slug="nanjing", is_demo=True)
    settings.DEMO_DATA_DIR = tmp_path
    write(tmp_path / "catalog", GOOD)
    bad = GOOD.replace("archive: nanjing", "archive: suzhou").replace("    title: 测试全宗\n", "")
    write(tmp_path / "catalog", bad, name="02-suzhou.yaml")
    with pytest.raises(CommandError, match=r"02-suzhou.yaml: description NJ-T: 'title' is missing"):
        call_command("load_demo_catalog", "--no-images", stdout=StringIO())
    # The good file before it was not loaded either: every file is checked first.
    assert not Description.objects.exists() and not FeaturedCollection.objects.exists()
