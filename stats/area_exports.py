"""The municipality table as CSV and XLSX: the same columns and the same hidden cells («<5») as the page.

An organisation's name is typed by people and may begin with = + - @: it is neutralised (CSV: a leading apostrophe;
XLSX: stored as text, never as a formula). Figures are numbers; a hidden one is the text «<5».
"""

from openpyxl.styles import Font

from portal.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_table, xlsx_bytes, xlsx_sheet, xlsx_workbook

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
CONTENT_TYPES = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}


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


def _table(rollup: Rollup) -> list[list]:
    """A row per organisation, then the total; a hidden figure is the text «<5»."""
    return [[HIDDEN if v is None else v for v in _cells(row)] for row in [*rollup.rows, rollup.total]]


def rollup_csv(rollup: Rollup) -> bytes:
    """CSV in UTF-8 with a BOM and «;» between fields: a title line, the headers, the rows."""
    return csv_table(HEADERS, _table(rollup), caption=_title(rollup))


def rollup_xlsx(rollup: Rollup) -> bytes:
    """An XLSX workbook with one sheet «Муниципалитет»: a title line, the headers, a row per organisation, the total
    (bold); the names stay in view when the table scrolls."""
    workbook = xlsx_workbook()
    sheet = xlsx_sheet(workbook, "Муниципалитет", HEADERS, _table(rollup), widths=(40,), caption=_title(rollup))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B3"
    return xlsx_bytes(workbook)


EXPORTS = {"csv": rollup_csv, "xlsx": rollup_xlsx}
