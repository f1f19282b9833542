"""CSV and XLSX exports of invite links: name, class, role, link, expiry (local time), status.

`export_rows` turns invites into rows; `invites_csv` and `invites_xlsx` turn rows into file contents.
A name typed by a person may begin with = + - @: spreadsheets would run it as a formula, so such text
is neutralised (CSV: a leading apostrophe; XLSX: the cell is stored as text, never as a formula).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import translation

from orgs.models import Organisation
from portal.spreadsheets import csv_table, xlsx_table

from .kits import expiry_local, group_label, link_for, person_name, role_label, time_zone_label
from .models import Invite
from .services.redeem import invite_state

HEADERS = ("ФИО", "Класс", "Роль", "Ссылка", "Действует до", "Статус")
LINK_UNAVAILABLE = "ссылка недоступна — обновите её"


@dataclass(frozen=True)
class ExportRow:
    name: str
    group: str
    role: str
    link: str
    expires: datetime  # aware, in the organisation's time zone
    status: str
    time_zone: str = ""

    def as_texts(self) -> list[str]:
        return [self.name, self.group, self.role, self.link, f"{self.expires:%d.%m.%Y %H:%M}", self.status]


def export_rows(items: Iterable, organisation: Organisation) -> list[ExportRow]:
    """Rows for the given invites, or (invite, token or link) pairs; the status is the status as of now."""
    rows = []
    labels = dict(Invite.Status.choices)
    for item in items:
        invite, token_or_url = (item, None) if isinstance(item, Invite) else item
        rows.append(
            ExportRow(
                name=person_name(invite),
                group=group_label(invite),
                role=role_label(invite, organisation),
                link=link_for(invite, token_or_url) or LINK_UNAVAILABLE,
                expires=expiry_local(invite, organisation),
                status=str(labels[invite_state(invite)]),
                time_zone=time_zone_label(organisation),
            )
        )
    return rows


def _as_rows(rows: Iterable, organisation: Organisation | None) -> list[ExportRow]:
    rows = list(rows)
    if rows and not isinstance(rows[0], ExportRow):
        if organisation is None:
            raise ValueError("organisation is needed to export invites")
        rows = export_rows(rows, organisation)
    return rows


def _headers(rows: list[ExportRow], organisation: Organisation | None) -> list[str]:
    headers = list(HEADERS)
    if organisation is not None:  # «Класс» in a school, «Группа» in a college; the files are in Russian
        with translation.override("ru"):
            headers[1] = str(organisation.vocabulary.group).capitalize()
    if rows and rows[0].time_zone:
        headers[4] = f"Действует до (время: {rows[0].time_zone})"  # «Иркутск (UTC+8)»
    return headers


def invites_csv(rows: Iterable, organisation: Organisation | None = None) -> bytes:
    """CSV in UTF-8 with a BOM and «;» between fields, as Excel with Russian settings opens it."""
    rows = _as_rows(rows, organisation)
    return csv_table(_headers(rows, organisation), (row.as_texts() for row in rows))


def invites_xlsx(rows: Iterable, organisation: Organisation | None = None) -> bytes:
    """An XLSX workbook with one sheet «Приглашения»; expiry is a real date-time cell in local time."""
    rows = _as_rows(rows, organisation)
    values = ((row.name, row.group, row.role, row.link, row.expires.replace(tzinfo=None), row.status) for row in rows)
    return xlsx_table("Приглашения", _headers(rows, organisation), values, widths=(36, 10, 34, 60, 18, 16))
