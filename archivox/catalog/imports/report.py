"""What every stage of an import shares: the report it returns (``ImportReport``, its
``ImportProblem``s), the ``_Record`` each row becomes and the stages fill in, and the
``Progress`` callback."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from archivox.catalog.models import Description

MAX_REPORTED_PROBLEMS = 1000

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stages are "checking", "saving" and "indexing"."""


class ImportFormatError(ValueError):
    """The caller asked for a format that does not exist (not a problem of the file)."""


@dataclasses.dataclass(frozen=True)
class ImportProblem:
    where: str  # "row 12", "file", or an EAD element path such as "ead/archdesc/dsc/c01[2]"
    field: str  # the CSV column or EAD element/attribute; empty for the whole row or file
    message: str
    order: int = dataclasses.field(default=0, compare=False, repr=False)  # place in the file

    def __str__(self) -> str:
        if self.field:
            return f"{self.where}, {self.field}: {self.message}"
        return f"{self.where}: {self.message}"


@dataclasses.dataclass
class ImportReport:
    """What an import did, or why it did nothing (``ok`` is False, nothing was saved).
    ``problems`` are in file order."""

    file: str
    format: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, where: str, field: str, message: str, *, order: int = 0) -> None:
        self.problems.append(ImportProblem(where, field, message, order))

    def lines(self, limit: int = MAX_REPORTED_PROBLEMS) -> list[str]:
        """One line per problem, as the command prints them; past ``limit``, a count."""
        lines = [str(problem) for problem in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"… and {len(self.problems) - limit:,} more problems")
        return lines


@dataclasses.dataclass(eq=False)
class _Record:
    """One description as read from the file, before and after checking."""

    where: str
    order: int  # place in the file, to list problems in file order
    raw: dict[str, Any]  # field -> str (or list[str] for list fields from EAD)
    present: frozenset[str]  # fields the file gives; absent CSV columns keep current values
    parent_given: bool  # False: no parent column (update: keep the parent; create: a root)
    parent_code: str | None  # None: a root
    labels: dict[str, str] | None = None  # field -> name in the report (EAD)
    values: dict[str, Any] = dataclasses.field(default_factory=dict)
    # Filled in while resolving the tree:
    target: Description | None = None  # the existing description this row updates
    parent_record: _Record | None = None
    parent_existing_id: int | None = None
    depth_in_file: int = 0
    obj: Description | None = None

    def label(self, field: str) -> str:
        return (self.labels or {}).get(field, field)

    @property
    def code(self) -> str:
        return self.values.get("reference_code") or ""
