"""CSV parsing: UTF-8 text, a header naming known columns, and one ``_Record`` of strings per
row. (Not ``csv.py``, which would shadow the standard library's module inside this package.)"""

from __future__ import annotations

import codecs
import csv
import io

from archivox.catalog.imports.report import ImportReport, _Record

# The CSV columns, in the order exports write them (docs/catalog-import.md).
CSV_COLUMNS = (
    "reference_code",
    "parent_reference_code",
    "level",
    "title",
    "title_en",
    "date_expression",
    "start_year",
    "end_year",
    "extent",
    "creator",
    "scope_content",
    "access_conditions",
    "language",
    "subjects",
    "places",
    "people",
    "access_level",
    "closed_until",
    "position",
)
REQUIRED_COLUMNS = ("reference_code", "level", "title")


def _decode(data: bytes, report: ImportReport) -> str | None:
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = "save it as “CSV UTF-8”"
        try:
            data.decode("gb18030")
            hint = "it looks like GBK/GB18030 (Chinese Windows); save it as “CSV UTF-8”"
        except UnicodeDecodeError:
            pass
        report.add(
            "file",
            "",
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02X} on line {line}); {hint}",
        )
        return None


def _parse_csv(data: bytes, report: ImportReport) -> list[_Record]:
    text = _decode(data, report)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        report.add("row 1", "", f"malformed CSV: {exc}", order=1)
        return []
    if header is None or not any(cell.strip() for cell in header):
        report.add("file", "", "the file is empty; the first row must name the columns")
        return []
    columns = [cell.strip().lower() for cell in header]
    header_ok = True
    for index, column in enumerate(columns):
        if column not in CSV_COLUMNS:
            header_ok = False
            report.add(
                "row 1",
                column or f"column {index + 1}",
                "unknown column; the columns are " + ", ".join(CSV_COLUMNS),
                order=1,
            )
        elif columns.index(column) != index:
            header_ok = False
            report.add("row 1", column, "the column appears more than once", order=1)
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            header_ok = False
            hint = ""
            if len(columns) == 1 and (";" in header[0] or "\t" in header[0]):
                hint = " (the columns must be separated by commas)"
            report.add("row 1", column, f"the required column is missing{hint}", order=1)
    if not header_ok:
        return []
    present = frozenset(columns) - {"parent_reference_code"}
    parent_given = "parent_reference_code" in columns
    records: list[_Record] = []
    row_number = 1
    try:
        for row in reader:
            row_number += 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                report.add(
                    f"row {row_number}",
                    "",
                    f"the row has {len(row)} values but the header has {len(columns)} columns",
                    order=row_number,
                )
                continue
            raw = {column: cell.strip() for column, cell in zip(columns, row, strict=True)}
            parent_code = raw.pop("parent_reference_code", "") or None
            records.append(
                _Record(
                    where=f"row {row_number}",
                    order=row_number,
                    raw=raw,
                    present=present,
                    parent_given=parent_given,
                    parent_code=parent_code,
                )
            )
    except csv.Error as exc:
        message = f"malformed CSV: {exc}"
        if "field larger than field limit" in str(exc):
            message = f"a value is longer than {csv.field_size_limit():,} characters"
        report.add(f"row {row_number + 1}", "", message, order=row_number + 1)
    if not records and report.ok:
        report.add("file", "", "the file has a header but no descriptions")
    return records
