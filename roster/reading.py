"""Reading an uploaded roster file into a header and rows of text, whatever the e-journal wrote.

CSV: UTF-8 (with or without a BOM) or Windows-1251, fields separated by «;» or «,» (or a tab), found by the csv
module's Sniffer. XLSX: the first sheet, read with openpyxl in read-only mode; dates become «ДД.ММ.ГГГГ».
"""

import csv
import io
import re
import zipfile
from datetime import date, datetime

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from portal.exceptions import RuleViolation

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
ENCODINGS = ("utf-8-sig", "cp1251")


def _refuse(message: str, code: str) -> RuleViolation:
    return RuleViolation(message, code=code, fields={"file": [message]})


# Control characters other than tab and line ends: a text table has none, a picture or an archive has many (and
# Windows-1251 decodes any bytes, so decoding alone does not tell them apart).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(data: bytes) -> str:
    """The text of a CSV file: strict UTF-8 first (a BOM is dropped), else Windows-1251; a file with control
    characters is not a table and is refused."""
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if CONTROL.search(text):
            raise _refuse(
                _("Файл не похож на таблицу: загрузите список в формате CSV (текст) или XLSX."), "file_not_table"
            )
        return text
    raise _refuse(_("Не удалось прочитать файл: сохраните его в кодировке UTF-8 или Windows-1251."), "file_encoding")


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        # One column, or a sample the Sniffer cannot decide: the separator that occurs most in the header.
        header = text.splitlines()[0] if text else ""
        return max(";,\t", key=header.count)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(CONTROL.sub(" ", str(value)).split())


def _csv_rows(data: bytes) -> list[list[str]]:
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return [[_cell_text(cell) for cell in row] for row in reader]
    except csv.Error:
        raise _refuse(_("Файл CSV повреждён: проверьте кавычки в строках."), "file_broken") from None


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _refuse(_("Файл XLSX повреждён или это не таблица Excel."), "file_broken") from None
    try:
        sheet = workbook.worksheets[0]
        rows, filled = [], 0
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(cell) for cell in row])
            filled += any(rows[-1])
            if filled > MAX_ROWS + 1:  # the header and one row too many: enough to refuse, no need to read on
                break
        return rows
    finally:
        workbook.close()


def read_table(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-empty rows, each with its row number in the file (the header is row 1)."""
    if len(data) > MAX_BYTES:
        raise _refuse(
            _("Файл больше 10 МБ. Разделите его на части (например, по параллелям) и загрузите по очереди."),
            "file_too_large",
        )
    if not data.strip():
        raise _refuse(_("Файл пуст."), "file_empty")
    is_xlsx = filename.lower().endswith(".xlsx") or data[:2] == b"PK"
    rows = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    numbered = [(number, row) for number, row in enumerate(rows, start=1) if any(cell for cell in row)]
    if not numbered:
        raise _refuse(_("Файл пуст."), "file_empty")
    header, body = numbered[0][1], numbered[1:]
    if len(body) > MAX_ROWS:
        raise _refuse(
            _("В файле больше 20 000 строк. Разделите его на части и загрузите по очереди."), "file_too_many_rows"
        )
    if not body:
        raise _refuse(_("В файле нет строк после заголовка."), "file_no_rows")
    width = len(header)
    body = [(number, (row + [""] * width)[: max(width, len(row))]) for number, row in body]
    return header, body
