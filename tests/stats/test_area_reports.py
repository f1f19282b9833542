"""The municipality's monthly report: an A4 PDF of the roll-up's table on the month's last day (the same rows and the
same hidden cells as the methodologist's page) with the area's total, stored with its hash, built once by the
monthly job when every organisation of the area has its month filled (or at the job's last run), asked for and
downloaded by the area's methodologists only, each request and download written to every school's log.

One test renders a real PDF (WeasyPrint takes seconds); the others replace the renderer with a stub."""

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from orgs.models import AuditEntry, Membership
from stats.days import local_day
from stats.models import FillState, MonthlyReport
from stats.services import report_jobs
from stats.services.areas import area_get_or_create, methodologist_attach
from stats.services.reports import month_end, month_name, period_name, previous_month
from stats.tasks import build_monthly_reports
from tests.factories import UserFactory, admin_of, teacher_of
from tests.invites.test_kits import pdf_text
from tests.stats.helpers import run_job_at, stored_bytes
from tests.stats.test_area import filled, signed_in
from tests.stats.test_dashboard import text

pytestmark = pytest.mark.django_db

# A small school: 4 staff registered (3 active) — fewer than 5 people, hidden as «<5» with the share made from them.
SMALL = {"teacher": (4, 3), "student": (60, 20), "parent": (40, 12)}


def last_month() -> date:
    """The month ended in every time zone of the tests' organisations (Irkutsk's, and Moscow's for a late one)."""
    return previous_month(local_day(timezone.now(), "Europe/Moscow"))


@pytest.fixture
def area():
    return area_get_or_create(region="Республика Бурятия", municipality="Селенгинский район")


@pytest.fixture
def methodologist(area):
    user = UserFactory()
    methodologist_attach(area=area, user=user)
    return user


@pytest.fixture
def month_filled(area):
    """Two schools of the area filled up to the last day of last month."""
    month = last_month()
    school = filled("Школа № 1", day=month_end(month))
    small = filled("Малокомплектная школа", people=SMALL, day=month_end(month))
    return month, school, small


def pages_url(area, tail="") -> str:
    return f"/areas/{area.pk}/stats/reports/{tail}"


def api_url(area, tail="") -> str:
    return f"/api/v1/areas/{area.pk}/stats/reports/{tail}"


def row_cells(html: str, name: str) -> list[str]:
    """The texts of the cells of the table row that begins with the organisation's name."""
    row = re.search(rf"<tr>\s*<th scope=\"row\">(?:<span[^>]*>)?{re.escape(name)}.*?</tr>", html, re.S)
    assert row, name
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells]


# ---- the one real PDF -------------------------------------------------------------------------------------------


def test_the_report_prints_the_rows_the_page_shows_for_the_months_last_day(
    area, methodologist, month_filled, django_capture_on_commit_callbacks
):
    month, school, small = month_filled
    client = signed_in(methodologist)
    page = client.get(reverse("stats:area", args=[area.pk]))
    shown = page.content.decode()
    assert f"Активность за 7 дней по {month_end(month):%d.%m.%Y}" in text(page)
    assert f'href="{pages_url(area)}"' in shown  # the page leads to the reports

    form = client.get(pages_url(area))
    assert f'<option value="{month.isoformat()}">{month_name(month).capitalize()}</option>' in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(pages_url(area), {"month": month.isoformat()}, follow=True)
    assert f"Отчёт за {month_name(month)} готовится…" in text(response)

    report = MonthlyReport.objects.get(area=area, month=month)
    assert (report.status, report.kind, report.organisation, report.requested_by) == (
        "ready",
        "area",
        None,
        methodologist,
    )
    content = stored_bytes(report)
    assert content.startswith(b"%PDF-")
    assert (report.sha256, report.size) == (hashlib.sha256(content).hexdigest(), len(content))
    assert re.fullmatch(rf"stats/reports/area-{area.pk}/[0-9a-f]{{32}}\.pdf", report.file.name)

    listing = client.get(pages_url(area)).content.decode()
    file_url = pages_url(area, f"{report.pk}/file/")
    assert f'href="{file_url}"' in listing and report.sha256 in listing
    download = client.get(file_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == content
    assert download["ETag"] == f'"{report.sha256}"'

    words = pdf_text(content)
    assert f"Отчёт муниципалитета об использовании портала за {month_name(month)}" in words
    assert "Селенгинский район" in words and "Республика Бурятия" in words
    assert period_name(month, month_end(month)).capitalize() in words
    assert re.search(r"Сформирован \d\d\.\d\d\.\d{4} \d\d:\d\d", words)
    # The school's row on the page (staff: 33 of 40 active, 83 %; 40 registered) is the report's row.
    school_cells = row_cells(shown, "Школа № 1")
    assert school_cells[0] == "83 % ✓ цель 75 %" and school_cells[3] == "40"
    assert "Школа № 1 83 % ✓ цель 75 %" in words
    # The small school's staff (4 registered, 3 active) is hidden on the page and in the report alike.
    small_cells = row_cells(shown, "Малокомплектная школа")
    assert small_cells[0].startswith("<5") and small_cells[3] == "<5"
    assert "Малокомплектная школа <5 цель 75 %" in words
    # The area's total counts each person active in the week once (no one in the per-person days of these
    # schools: the total's active are hidden), and sums the registered: 40 + 4 staff.
    assert "Педагоги и сотрудники <5 44 <5 75 %" in words
    # Requested, then downloaded: both in each school's log.
    for org in (school, small):
        actions = list(
            AuditEntry.objects.filter(organisation=org, actor=methodologist)
            .exclude(action="stats.area_viewed")
            .order_by("pk")
            .values_list("action", "details__format")
        )
        assert actions == [("stats.area_report_requested", "PDF"), ("stats.area_exported", "PDF")]


# ---- the document without WeasyPrint ----------------------------------------------------------------------------


def test_the_document_hides_what_the_page_hides(area, methodologist, month_filled, fake_pdf):
    month, _school, small = month_filled
    page = signed_in(methodologist).get(reverse("stats:area", args=[area.pk])).content.decode()
    report = report_jobs.area_report_request(area=area, month=month, actor=methodologist)
    report_jobs.monthly_report_build(report_id=report.pk)
    document = fake_pdf[-1]
    days = (month_end(month) - month).days + 1
    for name in ("Школа № 1", small.short_name):
        printed, shown = row_cells(document, name), row_cells(page, name)
        # The figures of the last day and the targets as on the page; the messages of the month, not of 30 days.
        assert printed[:9] + printed[11:] == shown[:9] + shown[11:]
        assert printed[9:11] == [str(30 * days), str(6 * days)]
    assert row_cells(document, small.short_name)[3] == "<5"  # 4 staff registered


# ---- the job ----------------------------------------------------------------------------------------------------


def area_reports(area) -> list[tuple[date, str]]:
    return list(MonthlyReport.objects.filter(area=area).values_list("month", "status"))


OCTOBER = date(2026, 10, 1)


def test_the_job_builds_the_areas_report_once_every_school_is_filled(
    area, monkeypatch, fake_pdf, django_capture_on_commit_callbacks
):
    school = filled("Школа № 1", day=date(2026, 10, 31))
    late = filled("Школа № 2", day=date(2026, 10, 30))
    # 1 November, 02:25 in Irkutsk: the schools' own reports wait for their last day; the area waits for the late one.
    assert run_job_at(monkeypatch, datetime(2026, 10, 31, 18, 25, tzinfo=UTC), django_capture_on_commit_callbacks) == 1
    assert area_reports(area) == []
    FillState.objects.filter(organisation=late).update(last_filled_day=date(2026, 10, 31))
    assert run_job_at(monkeypatch, datetime(2026, 10, 31, 19, 25, tzinfo=UTC), django_capture_on_commit_callbacks) == 2
    assert area_reports(area) == [(OCTOBER, "ready")]
    report = MonthlyReport.objects.get(area=area)
    assert report.requested_by is None and "за октябрь 2026 г." in fake_pdf[-1]
    # Run again: nothing new; and the schools' logs say nothing of a report nobody asked for.
    assert run_job_at(monkeypatch, datetime(2026, 10, 31, 20, 25, tzinfo=UTC), django_capture_on_commit_callbacks) == 0
    assert area_reports(area) == [(OCTOBER, "ready")] and len(fake_pdf) == 3
    assert not AuditEntry.objects.filter(organisation__in=[school, late], action__startswith="stats.area").exists()


def test_a_school_still_behind_at_the_jobs_last_run_is_marked_late(
    area, monkeypatch, fake_pdf, django_capture_on_commit_callbacks
):
    filled("Школа № 1", day=date(2026, 10, 31))
    filled("Отстающая школа", day=date(2026, 10, 20))
    last_run = report_jobs.LAST_RUN_DAY
    day_before = datetime(2026, 11, last_run - 1, 10, 25, tzinfo=UTC)
    assert run_job_at(monkeypatch, day_before, django_capture_on_commit_callbacks) == 1  # the first school's own
    assert area_reports(area) == []
    assert run_job_at(monkeypatch, day_before + timedelta(days=1), django_capture_on_commit_callbacks) == 1
    assert area_reports(area) == [(OCTOBER, "ready")]
    assert "Данные отстают" in fake_pdf[-1] and "Отстающая школа ⚠ данные отстают" in fake_pdf[-1]


def test_the_job_keeps_to_the_days_the_beat_runs_it():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == build_monthly_reports.name)
    assert max(entry["schedule"].day_of_month) == report_jobs.LAST_RUN_DAY


# ---- rights, the API and the log -------------------------------------------------------------------------------


def test_only_the_areas_methodologists_read_and_ask_for_its_reports(
    area, methodologist, month_filled, fake_pdf, django_capture_on_commit_callbacks
):
    month, school, small = month_filled
    other_area = area_get_or_create(region="Республика Бурятия", municipality="Кабанский район")
    stranger = UserFactory()
    methodologist_attach(area=other_area, user=stranger)
    director = teacher_of(school, position=Membership.Position.DIRECTOR)
    operator = UserFactory(is_superuser=True, is_staff=True)

    api = signed_in(methodologist)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(api_url(area), {"month": f"{month:%Y-%m}"}, format="json")
    assert response.status_code == 202 and response.json()["status"] == "pending"
    report = MonthlyReport.objects.get(area=area)
    listed = api.get(api_url(area)).json()["results"]
    assert [(r["id"], r["month"], r["status"]) for r in listed] == [(report.pk, f"{month:%Y-%m}", "ready")]
    assert listed[0]["file"] == f"http://testserver{api_url(area, f'{report.pk}/file/')}"
    file = api.get(api_url(area, f"{report.pk}/file/"))
    assert file.status_code == 200 and b"".join(file.streaming_content) == stored_bytes(report)

    wrong = api.post(api_url(area), {"month": f"{month + timedelta(days=40):%Y-%m}"}, format="json")
    assert wrong.status_code == 400 and "ещё не закончился" in wrong.json()["error"]["fields"]["month"][0]
    assert api.post(api_url(area), {"month": "осень"}, format="json").status_code == 400

    assert signed_in(operator).get(api_url(area, f"{report.pk}/file/")).status_code == 200
    for user in (stranger, director, admin_of(school)):
        client = signed_in(user)
        assert client.get(api_url(area)).status_code == 404
        assert client.post(api_url(area), {"month": f"{month:%Y-%m}"}, format="json").status_code == 404
        assert client.get(api_url(area, f"{report.pk}/file/")).status_code == 404
        assert client.get(pages_url(area)).status_code == 404
        assert client.get(pages_url(area, f"{report.pk}/file/")).status_code == 404
    # The area's report is not among the school's own, nor downloadable as one of them.
    head = signed_in(director)
    assert head.get(f"/api/v1/orgs/{school.pk}/stats/reports/").json()["results"] == []
    assert head.get(f"/api/v1/orgs/{school.pk}/stats/reports/{report.pk}/file/").status_code == 404
    # Another area's methodologist cannot download this one's report through their own area either.
    assert signed_in(stranger).get(api_url(other_area, f"{report.pk}/file/")).status_code == 404
    anonymous = APIClient()
    assert anonymous.get(pages_url(area)).status_code == 302
    assert anonymous.get(api_url(area)).status_code == 401

    for org in (school, small):
        entries = AuditEntry.objects.filter(organisation=org, action__startswith="stats.area_").order_by("pk")
        assert [(e.actor, e.action, e.details.get("month")) for e in entries] == [
            (methodologist, "stats.area_report_requested", f"{month:%Y-%m}"),
            (methodologist, "stats.area_exported", f"{month:%Y-%m}"),
            (operator, "stats.area_exported", f"{month:%Y-%m}"),
        ]
    log = signed_in(admin_of(school)).get(reverse("orgs:audit", args=[school.pk])).content.decode()
    assert "Муниципалитет заказал отчёт по статистике организаций" in log


def test_the_list_is_read_in_the_same_number_of_queries_however_many_reports(area, methodologist, month_filled):
    month, *_ = month_filled
    client = signed_in(methodologist)
    counts = []
    for back in range(3):
        MonthlyReport.objects.create(area=area, kind="area", month=previous_month(month - timedelta(days=31 * back)))
        if back == 1:
            continue
        for url in (api_url(area), pages_url(area)):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:], counts
