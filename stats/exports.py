"""«Выгрузить показатели»: the statistics of a period as CSV or XLSX, for the same scope as the dashboard (the whole
organisation, or a curator's classes).

The XLSX has three sheets: «По дням» — the indicators of each day, the rows of the API's `GET …/stats/`; «По классам»
— the per-class table on the last day of the period with its weak spots in words; «Сведения» — the organisation, the
period and what the figures cover. A CSV holds one table (what CSV can carry and another program loads): the daily one
(…-days.csv) or the per-class one (…-classes.csv).

Only counts, no person: the same figures the dashboard shows. Names typed by people (the organisation's, the
classes') are neutralised by portal.spreadsheets (CSV: an apostrophe; XLSX: text cells, never formulas).
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone, translation

from orgs.models import Organisation
from portal.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_table, xlsx_bytes, xlsx_sheet, xlsx_workbook

from . import dashboard as d

ROLE_HEADINGS = {"teacher": "Педагоги и сотрудники", "student": "Обучающиеся", "parent": "Родители"}
COUNTS = (("registered", "зарегистрированы"), ("active_1d", "активны за день"), ("active_7d", "активны за 7 дней"))
# (key of a dashboard.daily() row, header, column width); a column is written when the scope's rows have it.
DAY_COLUMNS = (
    ("day", "Дата", 12),
    *(
        (f"{role}s_{what}", f"{heading}: {label}", 16)
        for role, heading in ROLE_HEADINGS.items()
        for what, label in COUNTS
    ),
    ("students_joined", "Обучающиеся: вступили", 14),
    ("students_with_parent", "Обучающиеся с родителем на портале", 16),
    ("messages", "Сообщения: содержательные", 16),
    ("messages_trivial", "Сообщения: малосодержательные (эмодзи, одно слово, повтор)", 22),
    ("joined_by_link", "Вступили по ссылкам-приглашениям", 16),
    ("joined_by_request", "Вступили по одобренным заявкам", 16),
)
# The weak spots (dashboard.weak_spots), then the other marks (dashboard.extra_marks), in words.
WEAK_WORDS = {
    "joined": "мало вступивших",
    "parents_chat": "нет чата родителей",
    "quiet": "нет содержательных сообщений",
    "curator_unverified": "куратор не подтверждён",
}
EXTRA_WORDS = {
    "parents": "мало родителей на портале",
    "class_chat": "нет чата {group}",  # «класса», «группы»
    "no_curator": "нет куратора",
}
CLASS_HEADERS = (
    ("Вступили обучающиеся", 12),
    ("План, человек", 10),
    ("Вступили, % плана", 10),
    ("С родителем на портале", 12),
    ("С родителем, % вступивших", 12),
    ("Чат {group}", 10),
    ("Чат родителей", 10),
    ("Обучающиеся, активные за 7 дней", 12),
    ("Последнее содержательное сообщение", 16),
    ("Куратор", 14),
    ("Слабые места", 40),
    ("Другие отметки", 30),
)


@dataclass(frozen=True)
class StatsExport:
    organisation: Organisation
    group_ids: list[int] | None
    first: date
    last: date
    days: list[dict]
    classes: list[d.ClassRow]
    last_filled_day: date | None
    made_at: datetime  # in the organisation's time zone


def stats_export(
    organisation: Organisation, group_ids: list[int] | None, first: date, last: date, fresh: d.Freshness | None = None
) -> StatsExport:
    """The figures of the period for the scope (see dashboard.stats_scope); the classes as on the last day. The
    number of queries does not depend on the number of classes or days."""
    fresh = fresh or d.freshness(organisation)
    return StatsExport(
        organisation=organisation,
        group_ids=group_ids,
        first=first,
        last=last,
        days=d.daily(organisation, group_ids, first, last),
        classes=d.class_rows(organisation, group_ids, last),
        last_filled_day=fresh.last_day,
        made_at=timezone.now().astimezone(ZoneInfo(organisation.time_zone)),
    )


def _day_table(export: StatsExport) -> tuple[list[str], list[list], list[int]]:
    columns = [c for c in DAY_COLUMNS if c[0] in export.days[0]]  # a period has at least one day
    rows = [[row[key] for key, _, _ in columns] for row in export.days]
    return [header for _, header, _ in columns], rows, [width for _, _, width in columns]


def _class_table(export: StatsExport) -> tuple[list[str], list[list], list[int]]:
    with translation.override("ru"):  # the files are in Russian
        vocabulary = export.organisation.vocabulary
        group, genitive = str(vocabulary.group), str(vocabulary.group_genitive)
    headers = [group.capitalize(), *(header.format(group=genitive) for header, _ in CLASS_HEADERS)]
    rows = [
        [
            c.name,
            c.joined,
            c.planned,
            c.joined_share,
            c.with_parent,
            c.parents_share,
            "есть" if c.class_chat else "нет",
            "есть" if c.parents_chat else "нет",
            c.active_7d,
            c.last_meaningful or f"не было за {d.LAST_MESSAGE_REACH} дней",
            "не назначен" if not c.has_curator else "не подтверждён" if c.curator_unverified else "подтверждён",
            ", ".join(words for key, words in WEAK_WORDS.items() if key in c.weak),
            ", ".join(words.format(group=genitive) for key, words in EXTRA_WORDS.items() if key in c.extra),
        ]
        for c in export.classes
    ]
    return headers, rows, [12, *(width for _, width in CLASS_HEADERS)]


def _about(export: StatsExport) -> list[list]:
    org = export.organisation
    if export.group_ids is None:
        scope = "вся организация"
    else:
        with translation.override("ru"):
            words = org.vocabulary
            scope = f"{words.groups} {words.curator_genitive}: "
        scope = scope + (", ".join(c.name for c in export.classes) or "—")
    return [
        ["Организация", org.full_name or org.short_name],
        ["Первый день периода", export.first],
        ["Последний день периода", export.last],
        ["Что посчитано", scope],
        ["Данные посчитаны по", export.last_filled_day or "ещё не посчитаны"],
        ["Выгружено", export.made_at.replace(tzinfo=None)],
        ["Часовой пояс", org.get_time_zone_display()],
        ["Состав", "Только обобщённые показатели: без содержания сообщений и без данных об отдельных людях."],
    ]


def export_csv(export: StatsExport, table: str = "days") -> bytes:
    """The daily table or the per-class one: UTF-8 with a BOM and «;», dates as ДД.ММ.ГГГГ, numbers as numbers."""
    headers, rows, _ = _day_table(export) if table == "days" else _class_table(export)
    return csv_table(headers, rows)


def export_xlsx(export: StatsExport) -> bytes:
    """«По дням» (dates are date cells), «По классам» (on the last day of the period) and «Сведения»."""
    workbook = xlsx_workbook()
    headers, rows, widths = _day_table(export)
    xlsx_sheet(workbook, "По дням", headers, rows, widths)
    headers, rows, widths = _class_table(export)
    title = "По классам" if export.organisation.vocabulary.is_class else "По группам"
    xlsx_sheet(workbook, title, headers, rows, widths)
    xlsx_sheet(workbook, "Сведения", ["Что", "Значение"], _about(export), (26, 80))
    return xlsx_bytes(workbook)


FORMATS = ("xlsx", "csv")
TABLES = ("days", "classes")


def export_file(export: StatsExport, file_format: str, table: str = "days") -> tuple[bytes, str, str]:
    """(content, content type, file name) of the export as "xlsx" (every table) or "csv" (the table named); the
    name is ASCII, for any browser."""
    name = f"statistika-{export.organisation.pk}-{export.first:%Y-%m-%d}-{export.last:%Y-%m-%d}"
    if file_format == "xlsx":
        return export_xlsx(export), XLSX_TYPE, f"{name}.xlsx"
    return export_csv(export, table), CSV_TYPE, f"{name}-{table}.csv"
