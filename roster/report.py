"""The error report of an import: the rows left out with their messages, as XLSX (texts never become formulas)."""

from portal.spreadsheets import neutralise, xlsx_table

from .models import RosterImport


def error_report_xlsx(imp: RosterImport, rows: list[dict]) -> bytes:
    """One line per row left out: its number, what is wrong, then the cells as they were in the file."""
    headers = ["Строка", "Что не так", *imp.headers]
    body = [
        [row["row"], neutralise(" ".join(row["messages"])), *(neutralise(str(cell)) for cell in row["cells"])]
        for row in rows
    ]
    return xlsx_table("Ошибки импорта", headers, body, widths=(8, 60))


def error_report_filename(imp: RosterImport) -> str:
    return f"roster-import-{imp.pk}-errors.xlsx"
