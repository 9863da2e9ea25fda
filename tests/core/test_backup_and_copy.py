"""`manage.py backup`, `restore` and `copy_database`, run as real processes (issue 10)."""

import hashlib
import io
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from archivox.catalog import services as catalog_services
from archivox.catalog.models import Description
from archivox.core.backup import table_counts
from archivox.core.models import Archive
from tests.helpers import child_env, database_url_for_child, manage

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def installation(tmp_path):
    """The paper's archives, a few descriptions and media files, in a committed database."""
    media = tmp_path / "media"
    (media / "objects").mkdir(parents=True)
    (media / "objects" / "scan-0001.jpg").write_bytes(b"\xff\xd8 not really a jpeg " * 100)
    (media / "objects" / "名册.pdf").write_bytes(b"%PDF-1.4 register\n%%EOF")
    call_command("load_paper_survey", verbosity=0)
    nanjing = Archive.objects.get(slug="nanjing")
    fonds = catalog_services.description_create(
        actor=None,
        archive=nanjing,
        parent=None,
        reference_code="B0001",
        title="民国建筑档案",
        level="fonds",
    )
    catalog_services.description_create(
        actor=None,
        archive=nanjing,
        parent=fonds,
        reference_code="B0001-001",
        title="白崇禧公馆修缮报告",
        level="series",
    )
    connection.close()  # the child processes must see a database nobody holds open
    return media


def env_for(media: Path, **extra: str) -> dict[str, str]:
    values = {"DATABASE_URL": database_url_for_child(), "ARCHIVOX_MEDIA_ROOT": str(media)}
    return child_env(**{**values, **extra})


def media_checksums(media: Path) -> dict[str, str]:
    return {
        path.relative_to(media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in media.rglob("*")
        if path.is_file()
    }


def test_backup_then_restore_brings_back_every_row_and_media_file(installation, tmp_path):
    before_rows, before_media = table_counts(), media_checksums(installation)
    out = tmp_path / "backups" / "archivox.tar"

    made = manage("backup", "--out", str(out), env=env_for(installation))
    assert made.returncode == 0, made.stderr
    assert "2 media files" in made.stdout

    # Damage: a description deleted, another renamed, an archive renamed, a media file lost,
    # another added.
    Description.objects.filter(reference_code="B0001-001").delete()
    Description.objects.filter(reference_code="B0001").update(title="改错了")
    Archive.objects.filter(slug="nanjing").update(name_zh="错误")
    (installation / "objects" / "scan-0001.jpg").unlink()
    (installation / "stray.txt").write_text("not in the backup")
    connection.close()

    restored = manage("restore", str(out), "--force", env=env_for(installation))
    assert restored.returncode == 0, restored.stderr
    assert table_counts() == before_rows
    assert media_checksums(installation) == before_media
    assert Description.objects.get(reference_code="B0001-001").title == "白崇禧公馆修缮报告"
    assert Description.objects.get(reference_code="B0001").title == "民国建筑档案"
    assert Archive.objects.get(slug="nanjing").name_zh == "南京市档案馆"


def test_restore_refuses_to_replace_a_database_that_holds_archives_without_force(
    installation, tmp_path
):
    out = tmp_path / "a.tar"
    assert manage("backup", "--out", str(out), env=env_for(installation)).returncode == 0
    refused = manage("restore", str(out), env=env_for(installation))
    assert refused.returncode != 0
    assert "already holds archives" in refused.stderr
    assert "--force" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_damaged_backup_is_refused_and_nothing_changes(installation, tmp_path):
    out = tmp_path / "a.tar"
    assert manage("backup", "--out", str(out), env=env_for(installation)).returncode == 0
    # Rewrite one media member with other bytes: the manifest's checksum no longer matches.
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(out) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else b""
            if member.name == "media/objects/名册.pdf":
                data = b"%PDF-1.4 tampered\n%%EOF"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    rows = table_counts()
    connection.close()

    refused = manage("restore", str(damaged), "--force", env=env_for(installation))
    assert refused.returncode != 0
    assert "damaged" in refused.stderr and "名册.pdf" in refused.stderr
    assert table_counts() == rows
    assert (installation / "objects" / "名册.pdf").read_bytes() == b"%PDF-1.4 register\n%%EOF"


def test_a_file_that_is_not_a_backup_is_refused_with_a_clear_error(installation, tmp_path):
    bogus = tmp_path / "notes.tar"
    bogus.write_text("hello")
    result = manage("restore", str(bogus), "--force", env=env_for(installation))
    assert result.returncode != 0
    assert "not a backup" in result.stderr
    missing = manage("restore", str(tmp_path / "nope.tar"), env=env_for(installation))
    assert "no such backup file" in missing.stderr


def test_copy_database_moves_an_installation_to_the_other_engine_with_every_row(
    installation, tmp_path
):
    """On SQLite this copies into a fresh PostgreSQL database (the way an archive grows); on
    PostgreSQL, into a fresh SQLite file (the way back)."""
    rows = table_counts()
    if connection.vendor == "sqlite":
        name = f"archivox_copy_{uuid.uuid4().hex[:8]}"
        admin = "postgresql://postgres@127.0.0.1:5432/postgres"
        with psycopg.connect(admin, autocommit=True) as pg:
            pg.execute(f'CREATE DATABASE "{name}"')
        target = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        name = None
        target = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    try:
        result = manage("copy_database", "--to", target, env=env_for(installation), timeout=300)
        assert result.returncode == 0, result.stderr
        assert "counts match" in result.stdout
        # The copy is a working installation: its search finds the item.
        script = (
            "from archivox.catalog.search import search_descriptions as s;"
            "print(s('白崇禧', public=False).total)"
        )
        env = env_for(installation, DATABASE_URL=target)
        found = manage("shell", "-v", "0", "-c", script, env=env)
        assert found.returncode == 0, found.stderr
        assert found.stdout.strip() == "1"
        again = manage("copy_database", "--to", target, env=env_for(installation))
        assert again.returncode != 0 and "not empty" in again.stderr
    finally:
        if name:
            with psycopg.connect(admin, autocommit=True) as pg:
                pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert table_counts() == rows
