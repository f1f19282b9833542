"""Tables written as spreadsheets (CSV, XLSX) made safe to open.

A text typed by a person may begin with = + - @: a spreadsheet would run it as a formula (OWASP CSV injection). In
CSV such text gets a leading apostrophe; in XLSX every text is stored as a text cell, never as a formula. Numbers
stay numbers and dates are real date cells, so that a reader can sum and sort them.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT, DATE_TIME_FORMAT = "DD.MM.YYYY", "DD.MM.YYYY HH:MM"


def neutralise(value: str) -> str:
    """A leading apostrophe keeps a spreadsheet from running text as a formula (OWASP CSV injection)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_text(value) -> str:
    """One CSV field: text neutralised, dates as a Russian Excel reads them, nothing as an empty field."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def csv_table(headers: Sequence[str], rows: Iterable[Sequence], caption: str | None = None) -> bytes:
    """CSV in UTF-8 with a BOM and «;» between fields, as Excel with Russian settings opens it; a caption, when
    given, is a line of its own above the headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    if caption is not None:
        writer.writerow([csv_text(caption)])
    writer.writerow([csv_text(header) for header in headers])
    for row in rows:
        writer.writerow([csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_sheet(
    workbook: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence], widths=(), caption=None
):
    """A new sheet of the workbook: a bold, frozen header (below a bold caption line, when given); texts as text
    cells, numbers as numbers, dates (naive, already in local time) as date cells. Returns the sheet."""
    sheet = workbook.create_sheet(title)
    if caption is not None:
        cell = sheet.cell(row=1, column=1, value=caption)
        cell.data_type = "s"
        cell.font = Font(bold=True)
    header_row = 1 if caption is None else 2
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=header)
        cell.font = Font(bold=True)
        cell.data_type = "s"
    for index, row in enumerate(rows, start=header_row + 1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=index, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it begins with «=»: never a formula
            elif isinstance(value, datetime):
                cell.number_format = DATE_TIME_FORMAT
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    return sheet


def xlsx_workbook() -> Workbook:
    """A workbook without sheets: xlsx_sheet adds them."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def xlsx_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_table(title: str, headers: Sequence[str], rows: Iterable[Sequence], widths=()) -> bytes:
    """An XLSX workbook of one sheet."""
    workbook = xlsx_workbook()
    xlsx_sheet(workbook, title, headers, rows, widths)
    return xlsx_bytes(workbook)
