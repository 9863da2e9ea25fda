"""Responses of a questionnaire as CSV and XLSX for staff."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.text import slugify

from archivox.polls.models import Questionnaire
from archivox.polls.selectors import questionnaire_results, response_rows

# A spreadsheet runs a cell beginning with one of these as a formula; answers are the public's
# text, so such a cell is written with a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def responses_csv(*, questionnaire: Questionnaire) -> str:
    header, rows = response_rows(questionnaire=questionnaire)
    out = io.StringIO()
    # A BOM so that Excel opens the Chinese text as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    return out.getvalue()


def responses_xlsx(*, questionnaire: Questionnaire) -> bytes:
    """Two sheets: every response, and the summary per question."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = response_rows(questionnaire=questionnaire)
    book = Workbook()
    sheet = book.active
    sheet.title = "responses"
    sheet.append([_safe(cell) for cell in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(cell) for cell in row])
    sheet.freeze_panes = "A2"

    summary = book.create_sheet("summary")
    summary.append(["question", "answer", "count", "percent"])
    for cell in summary[1]:
        cell.font = Font(bold=True)
    results = questionnaire_results(questionnaire=questionnaire)
    summary.append(["(responses)", "all", results.responses, None])
    for question in results.questions:
        if question.options:
            for option in question.options:
                summary.append(
                    [_safe(question.text), _safe(option.text), option.count, option.percent]
                )
        elif question.ratings:
            for value, count, percent in question.ratings:
                summary.append([_safe(question.text), value, count, percent])
            summary.append([_safe(question.text), "average", question.average, None])
        else:
            summary.append([_safe(question.text), "(answered)", question.answered, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_filename(questionnaire: Questionnaire, extension: str) -> str:
    name = slugify(questionnaire.slug) or f"questionnaire-{questionnaire.pk}"
    return f"{questionnaire.archive.slug}-{name}-responses.{extension}"
