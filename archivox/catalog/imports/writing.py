"""Writing: the planned updates and the new descriptions, with the tree fields, effective
access and OAI-PMH deletion records that ``catalog.services`` would compute, by bulk SQL."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from archivox.catalog.imports.planning import LOOKUP_BATCH, _Plan
from archivox.catalog.imports.report import Progress, _Record
from archivox.catalog.models import DeletedRecord, Description
from archivox.catalog.selectors import set_specs_for
from archivox.catalog.services import DESCRIPTION_FIELDS
from archivox.catalog.signals import access_changed_on_commit
from archivox.catalog.tree import inherit_from, path_for
from archivox.core.models import Archive

WRITE_BATCH = 2000
INSERT_BATCH = 1000  # rows per INSERT on PostgreSQL; SQLite's parameter limit makes it less

DERIVED_FIELDS = ("depth", "effective_access", "effective_closed_until")
PROPAGATION_FIELDS = (
    "id",
    "archive_id",
    "reference_code",
    "parent_id",
    "path",
    "access_level",
    "closed_until",
    "effective_access",
    "effective_closed_until",
    "depth",
)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _derived(description: Description) -> tuple[Any, ...]:
    return description.depth, description.effective_access, description.effective_closed_until


def _record_visibility(description: Description, was_public: bool, today: datetime.date) -> None:
    """As services keep OAI-PMH's deletion records in step with public visibility."""
    now_public = description.is_public_on(today)
    if was_public and not now_public:
        DeletedRecord.objects.update_or_create(
            archive_id=description.archive_id,
            reference_code=description.reference_code,
            defaults={
                "description_id_was": description.pk,
                "deleted_at": timezone.now(),
                "set_specs": set_specs_for(description),
            },
        )
    elif now_public and not was_public:
        DeletedRecord.objects.filter(
            archive_id=description.archive_id, reference_code=description.reference_code
        ).delete()


def _apply_updates(
    plan: _Plan, archive: Archive, today: datetime.date
) -> tuple[list[Description], int]:
    """Change the existing descriptions, then re-derive access below those whose effective
    access changed. Returns those whose own fields changed, and how many did not change."""
    now = timezone.now()
    changed_rows: list[Description] = []
    derived_rows: list[Description] = []
    roots: list[Description] = []
    unchanged = 0
    for record in plan.updates:
        obj = record.target
        assert obj is not None
        record.obj = obj
        was_public = obj.is_public_on(today)
        before = _derived(obj)
        changed = [
            name
            for name, value in record.values.items()
            if name in DESCRIPTION_FIELDS and getattr(obj, name) != value
        ]
        for name in changed:
            setattr(obj, name, record.values[name])
        parent = plan.by_id.get(obj.parent_id) if obj.parent_id else None
        inherit_from(obj, parent)
        if changed:
            obj.updated_at = now
            changed_rows.append(obj)
        elif _derived(obj) != before:
            derived_rows.append(obj)
        else:
            unchanged += 1
        if _derived(obj)[1:] != before[1:]:
            roots.append(obj)
        _record_visibility(obj, was_public, today)
    in_file = {record.target.pk for record in plan.updates if record.target is not None}
    descendants: dict[int, Description] = {}
    root_ids = {root.pk for root in roots}
    # A subtree query from the topmost changed descriptions covers those below them.
    for root in (r for r in roots if not root_ids.intersection(r.ancestor_ids)):
        rows = (
            Description.objects.filter(archive=archive, path__startswith=root.path)
            .exclude(pk__in=in_file)
            .only(*PROPAGATION_FIELDS)
        )
        for row in rows:
            descendants.setdefault(row.pk, plan.by_id.get(row.pk, row))
    for row in sorted(descendants.values(), key=lambda d: d.depth):
        row.archive = archive
        was_public = row.is_public_on(today)
        before = _derived(row)
        inherit_from(row, plan.by_id[row.parent_id])
        plan.by_id[row.pk] = row
        if _derived(row) != before:
            # A new datestamp, so incremental OAI-PMH harvests see the change of access.
            row.updated_at = now
            derived_rows.append(row)
            _record_visibility(row, was_public, today)
    fields = [name for name in DESCRIPTION_FIELDS if name != "reference_code"]
    _write_fields(changed_rows, [*fields, *DERIVED_FIELDS, "updated_at"])
    _write_fields(derived_rows, [*DERIVED_FIELDS, "updated_at"])
    access_changed_on_commit(archive_id=archive.pk, description_ids=[root.pk for root in roots])
    return changed_rows, unchanged


def _parent_of(record: _Record, by_id: dict[int, Description]) -> Description | None:
    if record.parent_record is not None:
        return record.parent_record.obj
    if record.parent_existing_id is not None:
        return by_id[record.parent_existing_id]
    return None


def _create(
    plan: _Plan, archive: Archive, today: datetime.date, progress: Progress | None
) -> list[Description]:
    """Insert the new descriptions a generation at a time (parents before children), each with
    its depth, effective access and materialised path computed as services compute them."""
    total = sum(len(generation) for generation in plan.new_generations)
    created: list[Description] = []
    public_codes: list[str] = []
    for generation in plan.new_generations:
        for batch in _chunks(generation, WRITE_BATCH):
            ids = _reserve_ids(len(batch))
            objs = []
            for record, pk in zip(batch, ids, strict=True):
                parent = _parent_of(record, plan.by_id)
                obj = record.obj
                assert obj is not None
                obj.pk = pk
                obj.parent = parent
                inherit_from(obj, parent)
                obj.path = path_for(pk, parent)
                objs.append(obj)
            Description.objects.bulk_create(objs, batch_size=INSERT_BATCH)
            public_codes.extend(obj.reference_code for obj in objs if obj.is_public_on(today))
            created.extend(objs)
            if progress is not None:
                progress("saving", len(created), total)
    # A description that comes back into public view is no longer deleted for harvesters.
    if public_codes and DeletedRecord.objects.filter(archive=archive).exists():
        for codes in _chunks(public_codes, LOOKUP_BATCH):
            DeletedRecord.objects.filter(archive=archive, reference_code__in=codes).delete()
    return created


def _reserve_ids(count: int) -> list[int]:
    """Ids for ``count`` new descriptions, taken before inserting so that each row is written
    once, with the path that contains its own id (``tree.path_for``)."""
    table = Description._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite (settings.py accepts no other database). The import's transaction holds
        # SQLite's single write lock (transactions begin IMMEDIATE), so no other writer can take
        # these ids meanwhile; were one to, the insert would fail on the primary key and the
        # whole import would roll back. AUTOINCREMENT never reuses an id: start past both the
        # highest id and the highest ever handed out.
        sql = "SELECT MAX(id), (SELECT MAX(seq) FROM sqlite_sequence WHERE name = %s) FROM "
        cursor.execute(sql + connection.ops.quote_name(table), [table])
        highest, sequence = cursor.fetchone()
        start = max(highest or 0, sequence or 0) + 1
        return list(range(start, start + count))


def _write_fields(objs: Sequence[Description], names: Sequence[str]) -> None:
    """UPDATE the columns ``names`` of each row by primary key: one parameterised statement sent
    as a batch, the values prepared by the model's own fields. (``bulk_update`` builds a CASE
    over every id of a batch for every column, which grows with the square of the batch.)"""
    if not objs:
        return
    fields = [Description._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {quote(Description._meta.db_table)} SET {assignments} "  # noqa: S608 - our names
        f"WHERE {quote(Description._meta.pk.column)} = %s"
    )
    rows = [
        (
            *(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields),
            obj.pk,
        )
        for obj in objs
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), WRITE_BATCH):
            cursor.executemany(sql, rows[start : start + WRITE_BATCH])
