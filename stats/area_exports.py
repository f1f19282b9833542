"""The municipality table as CSV and XLSX: the same columns and the same hidden cells («<5») as the page.

An organisation's name is typed by people and may begin with = + - @: it is neutralised (CSV: a leading apostrophe;
XLSX: stored as text, never as a formula). Figures are numbers; a hidden one is the text «<5».
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from portal.spreadsheets import neutralise

from .rollup import HIDDEN, KEYS, LABEL_OF, Rollup, Row

HEADERS = (
    "Организация",
    *(f"{LABEL_OF[k]}: активны за неделю, %" for k in KEYS),
    *(f"{LABEL_OF[k]}: цель, %" for k in KEYS),
    *(f"{LABEL_OF[k]}: активны за неделю" for k in KEYS),
    *(f"{LABEL_OF[k]}: зарегистрированы" for k in KEYS),
    "Классы и группы",
    "Обучающиеся с родителем на портале, %",
    "Чаты, активные за 7 дней",
    "Сообщения содержательные",
    "Сообщения малосодержательные",
    "Цели",
)
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _cells(row: Row) -> list:
    """The row's values in HEADERS order: numbers, None where hidden."""
    return [
        row.name,
        *(row.shares[k] for k in KEYS),
        *(row.targets[k] for k in KEYS),
        *(row.active[k] for k in KEYS),
        *(row.registered[k] for k in KEYS),
        row.classes,
        row.with_parent_share,
        row.chats_active,
        row.messages,
        row.messages_trivial,
        row.status_text,
    ]


def _title(rollup: Rollup) -> str:
    return f"{rollup.area}: {rollup.first:%d.%m.%Y} – {rollup.day:%d.%m.%Y}"


def _rows(rollup: Rollup) -> list[Row]:
    return [*rollup.rows, rollup.total]


def rollup_csv(rollup: Rollup) -> bytes:
    """CSV in UTF-8 with a BOM and «;» between fields, as Excel with Russian settings opens it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(_title(rollup))])
    writer.writerow(HEADERS)
    for row in _rows(rollup):
        writer.writerow([HIDDEN if v is None else neutralise(str(v)) for v in _cells(row)])
    return buffer.getvalue().encode("utf-8-sig")


def rollup_xlsx(rollup: Rollup) -> bytes:
    """An XLSX workbook with one sheet «Муниципалитет»: a title line, the headers, a row per organisation, the total."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Муниципалитет"
    title = sheet.cell(row=1, column=1, value=_title(rollup))
    title.data_type = "s"
    title.font = Font(bold=True)
    sheet.append(HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for index, row in enumerate(_rows(rollup), start=3):
        for column, value in enumerate(_cells(row), start=1):
            cell = sheet.cell(row=index, column=column)
            if isinstance(value, int):
                cell.value = value
            else:
                cell.value = HIDDEN if value is None else value
                cell.data_type = "s"  # text, even when it begins with «=»: never a formula
            if row.organisation_id is None:
                cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 40
    sheet.freeze_panes = "B3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXPORTS = {"csv": rollup_csv, "xlsx": rollup_xlsx}
