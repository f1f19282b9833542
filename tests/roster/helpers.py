"""Files as e-journals export them, and an import run from upload to the applied job."""

import io

from django.db import transaction
from openpyxl import Workbook

from roster.models import RosterImport
from roster.services.apply import roster_import_apply
from roster.services.imports import roster_import_confirm, roster_import_create

STUDENT_HEADERS = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Класс",
    "Дата рождения",
    "E-mail",
    "Телефон",
    "ФИО родителя",
    "Телефон родителя",
    "Кем приходится",
]


def csv_bytes(rows, headers=STUDENT_HEADERS, sep=";", encoding="utf-8-sig") -> bytes:
    lines = [sep.join(headers), *(sep.join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, headers=STUDENT_HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pupil(last, first, cls, born="01.09.2015", patronymic="Иванович", email="", phone="", parent="", contact=""):
    return [last, first, patronymic, cls, born, email, phone, parent, contact, "мать" if parent else ""]


def run_import(org, admin, data: bytes, name="roster.csv", kind="students", classes=()) -> RosterImport:
    """Upload, agree to create `classes`, confirm and apply (the job runs here, as a worker would)."""
    imp = roster_import_create(organisation=org, actor=admin, kind=kind, file_name=name, data=data)
    if classes:
        from roster.services.imports import roster_import_allow_classes

        roster_import_allow_classes(imp=imp, actor=admin, names=list(classes))
    with transaction.atomic():
        roster_import_confirm(imp=imp, actor=admin)
    roster_import_apply(imp.pk)
    imp.refresh_from_db()
    return imp
