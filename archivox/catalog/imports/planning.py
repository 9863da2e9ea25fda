"""Planning: the rows matched with each other and with the catalog (duplicates, updates,
parents, cycles, levels), into a ``_Plan`` of updates and of new rows, parents first."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from archivox.catalog.imports.report import ImportReport, _Record
from archivox.catalog.models import Description
from archivox.catalog.services import level_allowed_below
from archivox.core.models import Archive

LOOKUP_BATCH = 500


@dataclasses.dataclass
class _Plan:
    updates: list[_Record]
    new_generations: list[list[_Record]]
    by_id: dict[int, Description]  # every existing description the import touches or hangs on


def _load(archive: Archive, codes: Iterable[str], *, lock: bool) -> dict[str, Description]:
    codes = sorted(set(codes))
    found: dict[str, Description] = {}
    for start in range(0, len(codes), LOOKUP_BATCH):
        rows = Description.objects.filter(
            archive=archive, reference_code__in=codes[start : start + LOOKUP_BATCH]
        )
        if lock:
            rows = rows.select_for_update()
        for description in rows:
            description.archive = archive
            found[description.reference_code] = description
    return found


def _resolve(
    records: list[_Record], archive: Archive, *, update: bool, report: ImportReport
) -> _Plan:
    """Match rows with each other and with the catalog: duplicates, parents, cycles, levels."""
    by_code: dict[str, _Record] = {}
    for record in records:
        code = record.code
        if not code:
            continue
        if code in by_code:
            report.add(
                record.where,
                record.label("reference_code"),
                f"{code!r} appears more than once in the file (first at {by_code[code].where})",
                order=record.order,
            )
            continue
        by_code[code] = record
    parent_codes = {r.parent_code for r in records if r.parent_code}
    existing = _load(archive, set(by_code) | parent_codes, lock=update)
    by_id = {description.pk: description for description in existing.values()}

    for code, record in by_code.items():
        if code not in existing:
            continue
        if not update:
            report.add(
                record.where,
                record.label("reference_code"),
                f"{code!r} already exists in archive {archive.slug}; import with --update "
                "(update=True) to change existing descriptions",
                order=record.order,
            )
            continue
        record.target = existing[code]
    # Parents of the descriptions being updated, for the move check and for inheritance.
    missing = {r.target.parent_id for r in by_code.values() if r.target is not None}
    missing = sorted(pk for pk in missing - set(by_id) if pk is not None)
    for start in range(0, len(missing), LOOKUP_BATCH):
        for description in Description.objects.filter(pk__in=missing[start : start + LOOKUP_BATCH]):
            description.archive = archive
            by_id[description.pk] = description

    for record in records:
        if record.parent_code is not None and record.parent_code.startswith("\0"):
            continue  # the enclosing EAD component has no unitid; reported there
        if not record.parent_given:
            if record.target is not None:
                record.parent_existing_id = record.target.parent_id
            continue
        code = record.parent_code
        if code is None:
            pass
        elif code in by_code:
            record.parent_record = by_code[code]
        elif code in existing:
            record.parent_existing_id = existing[code].pk
        else:
            report.add(
                record.where,
                record.label("parent_reference_code"),
                f"no description {code!r} in the file or in archive {archive.slug}",
                order=record.order,
            )
            continue
        if record.target is not None and record.parent_record is not record:
            _check_not_moved(record, by_id, report)

    cyclic = _find_cycles(records, report)
    _set_depths(records, cyclic)
    for record in records:
        if record in cyclic:
            continue
        _check_level(record, by_id, report)
    _check_children_levels(records, by_code, report)

    # Existing descriptions are not moved, so their depth in the catalog orders them.
    updates = sorted(
        (r for r in by_code.values() if r.target is not None), key=lambda r: r.target.depth
    )
    generations: dict[int, list[_Record]] = {}
    for record in records:
        if record.target is None and by_code.get(record.code) is record:
            generations.setdefault(record.depth_in_file, []).append(record)
    return _Plan(updates, [generations[depth] for depth in sorted(generations)], by_id)


def _check_not_moved(record: _Record, by_id: dict[int, Description], report: ImportReport) -> None:
    target = record.target
    assert target is not None
    if record.parent_record is not None:
        parent_target = record.parent_record.target
        new_parent_id = parent_target.pk if parent_target is not None else -1
    else:
        new_parent_id = record.parent_existing_id
    if new_parent_id == target.parent_id:
        return
    current = by_id.get(target.parent_id) if target.parent_id else None
    where_now = f"under {current.reference_code!r}" if current is not None else "a root"
    report.add(
        record.where,
        record.label("parent_reference_code"),
        f"{target.reference_code!r} is {where_now} in the catalog; an import does not move "
        "descriptions (move it in the console first)",
        order=record.order,
    )


def _find_cycles(records: list[_Record], report: ImportReport) -> set[_Record]:
    """Rows whose parent links, followed within the file, come back to themselves."""
    state: dict[int, int] = {}  # id(record) -> 1 on the current walk, 2 done
    cyclic: set[_Record] = set()
    for record in records:
        chain: list[_Record] = []
        node: _Record | None = record
        while node is not None and id(node) not in state:
            state[id(node)] = 1
            chain.append(node)
            node = node.parent_record
        if node is not None and state[id(node)] == 1:
            loop = chain[chain.index(node) :]
            codes = " → ".join([*(member.code for member in loop), loop[0].code])
            for member in loop:
                cyclic.add(member)
                report.add(
                    member.where,
                    member.label("parent_reference_code"),
                    f"the parent links {codes} form a cycle",
                    order=member.order,
                )
        for member in chain:
            state[id(member)] = 2
    return cyclic


def _set_depths(records: list[_Record], cyclic: set[_Record]) -> None:
    done: set[int] = set()
    for record in records:
        chain = []
        node: _Record | None = record
        while node is not None and id(node) not in done and node not in cyclic:
            chain.append(node)
            node = node.parent_record
        depth = node.depth_in_file + 1 if node is not None and id(node) in done else 0
        for member in reversed(chain):
            member.depth_in_file = depth
            done.add(id(member))
            depth += 1


def _level_of(record: _Record) -> str | None:
    if "level" in record.values:
        return record.values["level"]
    if record.target is not None and "level" not in record.present:
        return record.target.level
    return None


def _check_level(record: _Record, by_id: dict[int, Description], report: ImportReport) -> None:
    level = _level_of(record)
    if level is None:
        return
    if record.parent_record is not None:
        parent_level, parent_code = _level_of(record.parent_record), record.parent_record.code
    elif record.parent_existing_id is not None and record.parent_existing_id in by_id:
        parent = by_id[record.parent_existing_id]
        parent_level, parent_code = parent.level, parent.reference_code
    else:
        return
    if parent_level is not None and not level_allowed_below(parent_level, level):
        report.add(
            record.where,
            record.label("level"),
            f"a {level} cannot stand below a {parent_level} ({parent_code!r}); levels go "
            "fonds → series → file → item",
            order=record.order,
        )


def _check_children_levels(
    records: list[_Record], by_code: dict[str, _Record], report: ImportReport
) -> None:
    """A description whose level an update changes must still stand above its children."""
    changed = {
        r.target.pk: r
        for r in records
        if r.target is not None and r.values.get("level", r.target.level) != r.target.level
    }
    ids = sorted(changed)
    for start in range(0, len(ids), LOOKUP_BATCH):
        children = Description.objects.filter(parent_id__in=ids[start : start + LOOKUP_BATCH])
        for parent_id, code, level in children.values_list("parent_id", "reference_code", "level"):
            if code in by_code and by_code[code].target is not None:
                continue  # a row of the file; checked against its new parent above
            record = changed[parent_id]
            if not level_allowed_below(record.values["level"], level):
                report.add(
                    record.where,
                    record.label("level"),
                    f"{record.code!r} cannot become a {record.values['level']}: "
                    f"{code!r} below it is a {level}",
                    order=record.order,
                )
