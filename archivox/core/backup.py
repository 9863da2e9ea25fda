"""Backup and restore of an installation (database and media), and copying its database to
another engine (SQLite → PostgreSQL when an archive outgrows one machine).

A backup is one ``.tar`` file:

- ``manifest.json``: format, when, which engine, the applied migrations, the row count of every
  table and the SHA-256 of every other member;
- ``database.sqlite3`` (made with SQLite's online backup API, so the site can stay up) or
  ``database.pgdump`` (``pg_dump --format=custom``);
- ``media/…``: the digital objects and everything else under MEDIA_ROOT.

Restore checks every checksum and that the backup's engine matches before it changes anything,
so a damaged or foreign file is refused with the database untouched.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "archivox-backup/1"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup cannot be made or restored; ``str()`` says why, for one line on stderr."""


@dataclass
class BackupReport:
    path: Path
    engine: str
    tables: dict[str, int]
    media_files: int
    size: int = 0
    checksums: dict[str, str] = field(default_factory=dict)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"backups of a {vendor} database are not supported")
    return vendor


def table_counts(alias: str = "default") -> dict[str, int]:
    """Rows per table of every installed model (what a restore or a copy must reproduce)."""
    counts = {}
    existing = set(connections[alias].introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed or model._meta.db_table not in existing:
            continue
        counts[model._meta.db_table] = model._default_manager.using(alias).count()
    return dict(sorted(counts.items()))


def _applied_migrations() -> list[str]:
    recorder = MigrationRecorder(connection)
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _pg_env(alias: str = "default") -> tuple[list[str], dict[str, str]]:
    config = connections[alias].settings_dict
    args = [
        "--host",
        str(config.get("HOST") or "127.0.0.1"),
        "--port",
        str(config.get("PORT") or 5432),
        "--username",
        str(config.get("USER") or "postgres"),
        "--dbname",
        str(config["NAME"]),
    ]
    env = dict(os.environ)
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)") from exc
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")


def _media_files(root: Path) -> Iterable[Path]:
    if not root.exists():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def backup_create(*, out: Path) -> BackupReport:
    """Write a backup of the database and media to ``out`` (a .tar file)."""
    engine = _engine()
    out = Path(out)
    if out.exists() and out.is_dir():
        raise BackupError(f"{out} is a directory; give a file name, e.g. {out}/archivox.tar")
    out.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=out.parent) as work:
        work_dir = Path(work)
        if engine == "sqlite":
            database = work_dir / "database.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(database)
            try:
                # The online backup API copies a consistent snapshot while others keep writing.
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            database = work_dir / "database.pgdump"
            args, env = _pg_env()
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(database), *args], env)
        checksums = {database.name: _sha256_file(database)}
        media = list(_media_files(media_root))
        for path in media:
            checksums["media/" + path.relative_to(media_root).as_posix()] = _sha256_file(path)
        report = BackupReport(
            path=out,
            engine=engine,
            tables=table_counts(),
            media_files=len(media),
            checksums=checksums,
        )
        manifest = {
            "format": FORMAT,
            "created": datetime.datetime.now(datetime.UTC).isoformat(),
            "engine": engine,
            "migrations": _applied_migrations(),
            "tables": report.tables,
            "checksums": checksums,
        }
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(datetime.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(database, arcname=database.name)
            for path in media:
                archive.add(path, arcname="media/" + path.relative_to(media_root).as_posix())
        partial.replace(out)  # a crash never leaves a half-written file under the final name
    report.size = out.stat().st_size
    return report


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember("manifest.json")
    except KeyError as exc:
        raise BackupError("not an Archivox backup: manifest.json is missing") from exc
    handle = archive.extractfile(member)
    if handle is None:
        raise BackupError("not an Archivox backup: manifest.json is not a file")
    try:
        manifest = json.loads(handle.read())
    except ValueError as exc:
        raise BackupError("not an Archivox backup: manifest.json is not JSON") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unsupported backup format {manifest.get('format')!r}; want {FORMAT}")
    return manifest


def backup_verify(*, path: Path, work_dir: Path) -> dict[str, Any]:
    """Unpack ``path`` into ``work_dir`` and check every checksum; the manifest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    if not tarfile.is_tarfile(path):
        raise BackupError(f"{path} is not a backup (not a tar file)")
    with tarfile.open(path, "r") as archive:
        manifest = _read_manifest(archive)
        expected = manifest.get("checksums", {})
        names = {member.name for member in archive.getmembers() if member.isfile()}
        missing = sorted(set(expected) - names)
        if missing:
            raise BackupError(f"the backup is incomplete: {', '.join(missing[:5])} missing")
        # The data filter refuses absolute paths, links out of the tree and device files.
        archive.extractall(work_dir, members=None, filter="data")
    for name, checksum in expected.items():
        if _sha256_file(work_dir / name) != checksum:
            raise BackupError(f"the backup is damaged: {name} does not match its checksum")
    return manifest


def backup_restore(*, path: Path, force: bool = False) -> dict[str, Any]:
    """Replace the database and media with the backup at ``path``; its manifest.

    Refuses (changing nothing) when the file is damaged or of another engine, or when the
    database already holds archives and ``force`` is not given."""
    engine = _engine()
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        manifest = backup_verify(path=path, work_dir=work_dir)
        if manifest["engine"] != engine:
            raise BackupError(
                f"this backup is of a {manifest['engine']} database and this installation uses "
                f"{engine}; restore it into a {manifest['engine']} installation, then copy it "
                f"with `manage.py copy_database --to …`"
            )
        if not force and _holds_data():
            raise BackupError(
                "the database already holds archives; restoring would replace them — "
                "give --force to do so"
            )
        if engine == "sqlite":
            source = sqlite3.connect(work_dir / "database.sqlite3")
            try:
                connection.ensure_connection()
                source.backup(connection.connection)
            finally:
                source.close()
            connection.close()
        else:
            args, env = _pg_env()
            connection.close()
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *args,
                    str(work_dir / "database.pgdump"),
                ],
                env,
            )
        restored_media = work_dir / "media"
        if media_root.exists():
            shutil.rmtree(media_root)
        if restored_media.exists():
            shutil.copytree(restored_media, media_root)
        else:
            media_root.mkdir(parents=True, exist_ok=True)
    return manifest


def _holds_data() -> bool:
    from archivox.core.models import Archive

    try:
        return Archive.objects.exists()
    except Exception:  # no tables yet: an empty database
        return False


# --- copying a database to another engine --------------------------------------------------


def _models_in_dependency_order() -> list[type[models.Model]]:
    """Concrete models ordered so that every foreign key points to a model copied before it."""
    existing = set(connection.introspection.table_names())
    pending = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in existing
    ]
    ordered: list[type[models.Model]] = []
    done: set[type[models.Model]] = set()
    while pending:
        progressed = False
        for model in list(pending):
            targets = {
                field.related_model._meta.concrete_model
                for field in model._meta.concrete_fields
                if field.is_relation and field.related_model is not None
            }
            targets.discard(model)  # self-references (the description tree) are fine in a batch
            if targets <= done:
                ordered.append(model)
                done.add(model)
                pending.remove(model)
                progressed = True
        if not progressed:  # a cycle between models: copy the rest as they come
            ordered.extend(pending)
            break
    return ordered


def database_copy(*, target_alias: str, batch: int = 2000) -> dict[str, int]:
    """Copy every row of the default database into ``target_alias`` (already migrated, empty),
    keeping primary keys; the row counts copied."""
    from django.db.models.signals import post_save, pre_save

    target = connections[target_alias]
    copied: dict[str, int] = {}
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    # migrate fills these two on its own, with ids of its choosing: they are replaced by the
    # source's, which the rest of the data (permissions of groups, audit entries) refers to.
    made_by_migrate = {Permission, ContentType}
    with target.constraint_checks_disabled(), transaction.atomic(using=target_alias):
        for model in _models_in_dependency_order():
            if model in made_by_migrate:
                continue
            if model._default_manager.using(target_alias).exists():
                raise BackupError(
                    f"the target database is not empty ({model._meta.db_table} has rows); "
                    "copy into a freshly migrated database"
                )
        Permission.objects.using(target_alias).all().delete()
        ContentType.objects.using(target_alias).all().delete()
        for model in _models_in_dependency_order():
            fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
            names = [f.attname for f in fields]
            rows = model._default_manager.using("default").order_by("pk").values_list(*names)
            total = 0
            chunk: list[models.Model] = []
            # Signals off: a copy is not a change (no audit entries, no caches to clear).
            receivers = (pre_save.receivers, post_save.receivers)
            pre_save.receivers, post_save.receivers = [], []
            try:
                for values in rows.iterator(chunk_size=batch):
                    chunk.append(model(**dict(zip(names, values, strict=True))))
                    if len(chunk) >= batch:
                        model._default_manager.using(target_alias).bulk_create(chunk)
                        total += len(chunk)
                        chunk = []
                if chunk:
                    model._default_manager.using(target_alias).bulk_create(chunk)
                    total += len(chunk)
            finally:
                pre_save.receivers, post_save.receivers = receivers
            copied[model._meta.db_table] = total
        if target.vendor == "postgresql":
            # The ids were copied, so each sequence must continue after the highest one.
            statements = target.ops.sequence_reset_sql(no_style(), _models_in_dependency_order())
            with target.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
    return dict(sorted(copied.items()))
