"""What an import reports: every problem with its file, line and column (up to
``MAX_PROBLEMS``), the counts of what was written, and the error that refuses the import."""

from __future__ import annotations

import dataclasses

MAX_PROBLEMS = 1000


class SurveyImportError(Exception):
    """The import was refused; ``report`` names every problem. Nothing was saved."""

    def __init__(self, report: ImportReport) -> None:
        # The true counts, not those of the listed problems (listing stops at MAX_PROBLEMS).
        super().__init__(
            f"{report.bad_rows} bad row(s), {report.problem_count} problem(s); nothing imported"
        )
        self.report = report


@dataclasses.dataclass
class Problem:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.column + ': ' if self.column else ''}{self.message}"


@dataclasses.dataclass
class ImportReport:
    problems: list[Problem] = dataclasses.field(default_factory=list)
    truncated: bool = False
    problem_count: int = 0
    _bad_rows: set[tuple[str, int]] = dataclasses.field(default_factory=set, repr=False)
    institutions_created: int = 0
    accounts_created: int = 0
    accounts_updated: int = 0
    snapshots: int = 0
    posts: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def bad_rows(self) -> int:
        """Rows (or files, for a problem of a whole file) with at least one problem."""
        return len(self._bad_rows)

    def problem(self, file: str, line: int, column: str, message: str) -> None:
        self.problem_count += 1
        self._bad_rows.add((file, line))
        if len(self.problems) >= MAX_PROBLEMS:
            self.truncated = True
            return
        self.problems.append(Problem(file, line, column, message))

    def summary(self) -> str:
        return (
            f"{self.institutions_created} institution(s) added, "
            f"{self.accounts_created} account(s) added, {self.accounts_updated} updated, "
            f"{self.snapshots} snapshot(s), {self.posts} post record(s)"
        )

    def lines(self) -> list[str]:
        lines = [str(problem) for problem in self.problems]
        if self.truncated:
            lines.append(
                f"… stopped listing after {MAX_PROBLEMS} problems: {self.problem_count} in "
                f"{self.bad_rows} bad row(s) in all"
            )
        return lines
