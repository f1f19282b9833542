"""The printable monthly report: what it says (the same figures and charts as the dashboard, for one month) and
its A4 PDF.

A report is about a *source* of figures: an organisation (the dashboard's figures) or a municipality (the roll-up's
table of its organisations against the targets, with the same hidden cells as its page). Both print with the same
page style and are stored, listed and downloaded the same way (report_jobs)."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from orgs.models import Organisation
from portal.pdf import html_to_pdf

from .. import dashboard as d
from .. import rollup as r
from ..areas import area_organisations, area_time_zone
from ..charts import Chart
from ..days import local_day
from ..models import Area

MONTHS = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
WEAK_WORDS = {
    "joined": f"вступили меньше {d.JOINED_MIN} % плана",
    "parents": f"родители на портале меньше чем у {d.PARENTS_MIN} % обучающихся",
    "class_chat": "нет чата {group}",  # «класса», «группы»: the organisation's word
    "parents_chat": "нет чата родителей",
    "quiet": f"нет содержательных сообщений {d.QUIET_DAYS} дней и дольше",
}
WEAK_ORDER = tuple(WEAK_WORDS)


# ---- months in Russian ----------------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    """The last day of the month that `month` falls in."""
    return (month_start(month) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def previous_month(day: date) -> date:
    return month_start(month_start(day) - timedelta(days=1))


def month_name(month: date) -> str:
    """«октябрь 2026 г.» (as in «отчёт за октябрь 2026 г.»: the accusative of a month is its nominative)."""
    return f"{MONTHS[month.month - 1]} {month.year} г."


def day_name(day: date) -> str:
    """«31 октября 2026 г.»"""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year} г."


def period_name(first: date, last: date) -> str:
    """«с 1 по 31 октября 2026 г.» (one month), else «с 28 сентября 2026 г. по 4 октября 2026 г.»"""
    if (first.year, first.month) == (last.year, last.month):
        return f"с {first.day} по {day_name(last)}"
    return f"с {day_name(first)} по {day_name(last)}"


# ---- sources of figures ---------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Everything the report shows for its period."""

    first: date
    last: date
    headlines: list[d.Headline]
    charts: list[Chart]
    rows: list[dict]
    classes: list[d.ClassRow]
    totals: list[tuple[str, int]]


class ReportSource(Protocol):
    kind: str
    short_name: str
    full_name: str
    time_zone: str

    def requisites(self) -> list[tuple[str, str]]: ...

    def freshness(self, now: datetime) -> d.Freshness: ...

    def figures(self, first: date, last: date) -> Figures: ...


def totals(rows: list[dict]) -> list[tuple[str, int]]:
    """The month's sums of the additive daily figures."""

    def total(key):
        return sum(row.get(key) or 0 for row in rows)

    return [
        ("Содержательные сообщения", total("messages")),
        ("Малосодержательные сообщения (эмодзи, одно слово, повтор)", total("messages_trivial")),
        ("Вступили по ссылкам-приглашениям", total("joined_by_link")),
        ("Вступили по одобренным заявкам", total("joined_by_request")),
    ]


@dataclass
class OrganisationSource:
    """An organisation's own figures: the dashboard's functions over the whole organisation."""

    organisation: Organisation
    kind: str = "organisation"

    @property
    def short_name(self) -> str:
        return self.organisation.short_name

    @property
    def full_name(self) -> str:
        return self.organisation.full_name

    @property
    def time_zone(self) -> str:
        return self.organisation.time_zone

    def requisites(self) -> list[tuple[str, str]]:
        org = self.organisation
        contacts = ", ".join(v for v in (org.contact_phone, org.contact_email, org.website) if v)
        rows = [
            ("Полное наименование", org.full_name),
            ("Краткое наименование", org.short_name),
            ("Тип", org.get_kind_display()),
            ("Адрес", org.address),
            ("Субъект РФ", org.region),
            ("Муниципальное образование", org.municipality),
            ("Контакты", contacts),
            ("Часовой пояс", org.get_time_zone_display()),
        ]
        return [(label, value) for label, value in rows if value]

    def freshness(self, now: datetime) -> d.Freshness:
        return d.freshness(self.organisation, now)

    def figures(self, first: date, last: date) -> Figures:
        org = self.organisation
        rows = d.daily(org, None, first, last)
        return Figures(
            first=first,
            last=last,
            headlines=d.headlines(org, last),
            charts=d.charts(rows, True),
            rows=rows,
            classes=d.class_rows(org, None, last),
            totals=totals(rows),
        )


def source_for(organisation: Organisation) -> ReportSource:
    return OrganisationSource(organisation)


# ---- the document ---------------------------------------------------------------------------------------------


_VARIABLE = re.compile(r"var\(--([a-z0-9-]+)\)")


def _read_static(path: str) -> str:
    with open(finders.find(path), encoding="utf-8") as handle:
        return handle.read()


def print_stylesheet() -> str:
    """The dashboard's stylesheet with the portal's colour variables written out: WeasyPrint draws an inline SVG
    with the styles inside the SVG only, and without var(); the charts print as they look on the page."""
    colours = dict(re.findall(r"--([a-z0-9-]+):\s*([^;]+);", _read_static("css/portal.css")))
    css = _VARIABLE.sub(lambda m: colours.get(m[1], "#000"), _read_static("css/stats.css"))
    return mark_safe(css)  # noqa: S308 — the portal's own files, not anyone's input


def report_words(source) -> dict[str, str]:
    """The organisation's words for the report, in Russian like the report (an area's report covers both kinds)."""
    organisation = getattr(source, "organisation", None)
    if organisation is None:
        return {
            "group": "класс или группа",
            "group_genitive": "класса или группы",
            "groups_dative": "классам и группам",
        }
    with translation.override("ru"):
        words = organisation.vocabulary
        return {key: str(getattr(words, key)) for key in ("group", "group_genitive", "groups_dative")}


def report_html(source: ReportSource, month: date, *, now: datetime | None = None) -> str:
    """The report of the month as a printable HTML document (A4, no script)."""
    now = now or timezone.now()
    fresh = source.freshness(now)
    first, last = month_start(month), month_end(month)
    # A month filled only in part (the statistics lag) is reported up to the last day counted, and says so.
    counted_to = min(last, fresh.last_day) if fresh.last_day else last
    figures = source.figures(first, max(first, counted_to))
    zone = ZoneInfo(source.time_zone)
    words = report_words(source)
    context = {
        "source": source,
        "requisites": source.requisites(),
        "title": f"Отчёт об использовании портала за {month_name(month)}",
        "period": period_name(first, last),
        "complete": counted_to >= last,
        "counted_to": counted_to,
        "fresh": fresh,
        "figures": figures,
        "words": words,
        "classes": [
            (c, [WEAK_WORDS[w].format(group=words["group_genitive"]) for w in WEAK_ORDER if w in c.weak])
            for c in figures.classes
        ],
        "thresholds": {"joined": d.JOINED_MIN, "parents": d.PARENTS_MIN, "quiet": d.QUIET_DAYS},
        "generated_at": timezone.localtime(now, zone),
        "svg_css": print_stylesheet(),
    }
    with timezone.override(zone):  # every time shown is the organisation's, on a worker too
        return render_to_string("stats/report.html", context)


def build_monthly_report(organisation: Organisation, month: date, *, now: datetime | None = None) -> str:
    """The HTML of an organisation's report for the month (any day of it)."""
    return report_html(source_for(organisation), month_start(month), now=now)


def time_zone_name(zone: str) -> str:
    """«Иркутск (UTC+8)», as an organisation's profile names its time zone."""
    return dict(Organisation._meta.get_field("time_zone").choices).get(zone, zone)


def area_report_html(area: Area, month: date, *, now: datetime | None = None) -> str:
    """The municipality's report of the month: the roll-up's table on the month's last day (messages over the
    month), the rows and hidden cells as on its page, and the area's total counting each active person once."""
    now = now or timezone.now()
    month = month_start(month)
    first, last = month, month_end(month)
    organisations = area_organisations(area)
    filled, _day = r.report_day(organisations)
    table = r.rollup(area, organisations, first=first, last=last, filled=filled)
    zone = area_time_zone(organisations)
    total = table.total
    context = {
        "area": area,
        "title": f"Отчёт муниципалитета об использовании портала за {month_name(month)}",
        "period": period_name(first, last),
        "table": table,
        "headers": r.COLUMNS,
        "rows": [(row, r.row_cells(row)) for row in r.sort_rows(table.rows, "name", False)],
        "total": (total, r.row_cells(total)),
        "people": [
            (r.LABEL_OF[k], total.active[k], total.registered[k], total.shares[k], total.targets[k], total.met[k])
            for k in r.KEYS
        ],
        "stale": [row.name for row in table.rows if row.stale],
        "min_people": r.MIN_PEOPLE,
        "hidden": r.HIDDEN,
        "zone": time_zone_name(zone),
        "generated_at": timezone.localtime(now, ZoneInfo(zone)),
        "svg_css": print_stylesheet(),
    }
    with timezone.override(ZoneInfo(zone)):
        return render_to_string("stats/area_report.html", context)


def report_document(report, *, now: datetime | None = None) -> str:
    """The HTML of a stored report's row (MonthlyReport), whichever its source."""
    if report.area_id is not None:
        return area_report_html(report.area, report.month, now=now)
    return build_monthly_report(report.organisation, report.month, now=now)


def render_pdf(html: str) -> bytes:
    """The report's PDF; PdfUnavailable without the PDF libraries."""
    return html_to_pdf(html)


def last_ended_month(time_zone: str, now: datetime) -> date:
    """The month before the one under way in the time zone: the latest month a report can be made for."""
    return previous_month(local_day(now, time_zone))
