"""The monthly report: a PDF that says what the dashboard says for the month, stored with its hash, built once per
organisation by the monthly job when the organisation's own month has ended, and readable only by those who see
the organisation's statistics. One test renders a real PDF (WeasyPrint takes seconds); the others replace the
renderer with a stub, as they are about scheduling, storage and rights."""

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from stats.days import days_between, local_day
from stats.models import FillState, MonthlyReport, OrgDayCount
from stats.registry import indicators
from stats.services import report_jobs
from stats.services.reports import month_end, month_name, period_name, previous_month
from stats.tasks import build_monthly_reports
from tests.factories import OrganisationFactory, admin_of
from tests.invites.test_kits import pdf_text
from tests.stats.test_dashboard import text
from tests.test_storage import failing_writes  # noqa: F401 (a fixture)

from .filled import filled_organisation
from .helpers import run_job_at, stored_bytes

pytestmark = pytest.mark.django_db

DAYS = 64  # yesterday and back: the whole of last month, whatever today is


@pytest.fixture
def filled():
    return filled_organisation(3, days=DAYS)


def last_month(org) -> date:
    return previous_month(local_day(timezone.now(), org.time_zone))


def pages_url(org, tail="") -> str:
    return f"/orgs/{org.pk}/stats/reports/{tail}"


def api_url(org, tail="") -> str:
    return f"/api/v1/orgs/{org.pk}/stats/reports/{tail}"


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def files_under(root) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


# ---- the one real PDF -------------------------------------------------------------------------------------------


def test_a_requested_report_says_what_the_dashboard_shows_and_is_stored_with_its_hash(
    client, filled, django_capture_on_commit_callbacks
):
    org, director = filled.organisation, filled.people["director"]
    month = last_month(org)
    client.force_login(director)
    dashboard = text(client.get(f"/orgs/{org.pk}/stats/?days=90"))

    form = client.get(pages_url(org))
    assert f'<option value="{month.isoformat()}">{month_name(month).capitalize()}</option>' in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(pages_url(org), {"month": month.isoformat()}, follow=True)
    assert f"Отчёт за {month_name(month)} готовится…" in text(response)

    report = MonthlyReport.objects.get(organisation=org, month=month)
    assert (report.status, report.requested_by, report.error) == ("ready", director, "")
    content = stored_bytes(report)
    assert content.startswith(b"%PDF-")
    assert (report.sha256, report.size) == (hashlib.sha256(content).hexdigest(), len(content))
    assert re.fullmatch(rf"stats/reports/{org.pk}/[0-9a-f]{{32}}\.pdf", report.file.name)

    words = pdf_text(content)
    assert org.full_name in words and org.short_name in words and org.address in words
    assert f"Отчёт об использовании портала за {month_name(month)}" in words
    assert period_name(month, month_end(month)).capitalize() in words
    assert re.search(r"Сформирован \d\d\.\d\d\.\d{4} \d\d:\d\d \(время организации\)", words)
    assert f"Данные статистики посчитаны по {filled.yesterday:%d.%m.%Y} включительно" in words
    # The dashboard's chart of messages (90 days) shows each day's meaningful and trivial messages; the report
    # gives the month's total and the same days.
    shown = {
        day: tuple(int(n) for n in m.groups())
        for day in days_between(month, month_end(month))
        if (m := re.search(rf"{day:%d\.%m\.%Y} (\d+) (\d+) ", dashboard.split("Сообщения за день")[-1]))
    }
    assert len(shown) == (month_end(month) - month).days + 1
    assert f"Содержательные сообщения {sum(n for n, _ in shown.values())}" in words
    last = month_end(month)
    assert re.search(rf"{last:%d\.%m\.%Y} \d+ \d+ \d+ {shown[last][0]} {shown[last][1]} ", words)
    assert "Слабые места" in words and "нет чата родителей" in words  # the weak class, in words

    listing = text(client.get(pages_url(org)))
    assert f"{month_name(month).capitalize()} Готов" in listing and f"{report.sha256[:12]}…" in listing
    download = client.get(pages_url(org, f"{report.pk}/file/"))
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    assert download["Content-Type"] == "application/pdf" and download["ETag"] == f'"{report.sha256}"'
    name = quote(f"Отчёт {org.short_name} {month:%Y-%m}.pdf", safe="")
    assert (
        download["Content-Disposition"].startswith("attachment;")
        and f"filename*=UTF-8''{name}" in download["Content-Disposition"]
    )
    assert (
        client.get(pages_url(org, f"{report.pk}/file/"), headers={"If-None-Match": f'"{report.sha256}"'}).status_code
        == 304
    )

    api = api_as(filled.people["admin"])
    row = api.get(api_url(org)).json()["results"][0]
    assert (row["month"], row["status"], row["sha256"], row["size"]) == (
        f"{month:%Y-%m}",
        "ready",
        report.sha256,
        len(content),
    )
    assert b"".join(api.get(row["file"]).streaming_content) == content


# ---- asking again, failing ----------------------------------------------------------------------------------


def test_asking_again_replaces_the_file_and_keeps_one_row(filled, fake_pdf, django_capture_on_commit_callbacks):
    org, director = filled.organisation, filled.people["director"]
    month = last_month(org)
    api = api_as(director)
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(api_url(org), {"month": f"{month:%Y-%m}"}, format="json")
    assert first.status_code == 202 and first.json()["status"] == "pending"
    old = MonthlyReport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(api_url(org), {"month": f"{month:%Y-%m}"}, format="json")
    assert again.status_code == 202 and again.json()["id"] == old.pk
    new = MonthlyReport.objects.get()
    assert new.status == "ready" and new.file.name != old.file.name and new.sha256 != old.sha256
    assert files_under(settings.MEDIA_ROOT) == [Path(settings.MEDIA_ROOT) / new.file.name]
    assert api.get(api_url(org)).json()["count"] == 1


@pytest.mark.usefixtures("failing_writes")
def test_a_full_disk_marks_the_report_failed_in_russian(client, filled, fake_pdf, django_capture_on_commit_callbacks):
    org = filled.organisation
    month = last_month(org)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(filled.people["admin"]).post(api_url(org), {"month": f"{month:%Y-%m}"}, format="json")
    assert response.status_code == 202
    report = MonthlyReport.objects.get()
    assert report.status == "failed" and "на сервере закончилось место" in report.error
    assert not report.file and files_under(settings.MEDIA_ROOT) == []
    client.force_login(filled.people["director"])
    assert "⚠ Не сформирован: Отчёт не сохранён: на сервере закончилось место" in text(client.get(pages_url(org)))


WRONG_MONTHS = [
    ("2026-13", "Месяц в формате ГГГГ-ММ"),
    ("октябрь", "Месяц в формате ГГГГ-ММ"),
    ("1999-12", "между 2000 и 2100"),
    ("2015-01", "данных статистики нет"),
    ("current", "ещё не закончился"),
    ("next", "ещё не закончился"),
]


def test_a_month_not_ended_or_without_figures_is_refused_in_russian(client, filled, fake_pdf):
    org, director = filled.organisation, filled.people["director"]
    today = local_day(timezone.now(), org.time_zone)
    named = {"current": f"{today:%Y-%m}", "next": f"{month_end(today) + timedelta(days=1):%Y-%m}"}
    api = api_as(director)
    client.force_login(director)
    for month, words in WRONG_MONTHS:
        month = named.get(month, month)
        response = api.post(api_url(org), {"month": month}, format="json")
        assert response.status_code == 400, response.content
        assert words in response.json()["error"]["fields"]["month"][0], month
        # The page offers only the months it accepts: anything else is the form's error, not a report.
        page = client.post(pages_url(org), {"month": f"{month}-01"})
        assert page.status_code == 200 and "Выберите корректный вариант" in text(page), month
    assert not MonthlyReport.objects.exists() and fake_pdf == []


# ---- the monthly job ------------------------------------------------------------------------------------------

OCTOBER = date(2026, 10, 1)


def organisation_with_october(time_zone: str, *, filled_to: date):
    """An organisation with figures for every day of October 2026, its statistics filled up to `filled_to`."""
    org = OrganisationFactory(time_zone=time_zone)
    OrgDayCount.objects.bulk_create(
        OrgDayCount(organisation=org, indicator="activity.v1", subgroup="messages", day=day, value=5)
        for day in days_between(OCTOBER, month_end(OCTOBER))
    )
    FillState.objects.bulk_create(
        FillState(indicator=i.id, organisation=org, last_filled_day=filled_to) for i in indicators()
    )
    return org


def reported(org) -> list[tuple[date, str]]:
    return list(MonthlyReport.objects.filter(organisation=org).values_list("month", "status"))


def test_the_monthly_job_runs_hourly_in_the_first_week_of_a_month():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == build_monthly_reports.name)
    assert entry["schedule"].day_of_month == set(range(1, 8)) and entry["schedule"].hour == set(range(24))


def test_kaliningrad_gets_its_report_after_its_own_midnight_once(
    monkeypatch, fake_pdf, django_capture_on_commit_callbacks
):
    org = organisation_with_october("Europe/Kaliningrad", filled_to=date(2026, 10, 31))
    # 21:59 UTC is 23:59 on 31 October in Kaliningrad (UTC+2): the month is not over there.
    assert run_job_at(monkeypatch, datetime(2026, 10, 31, 21, 59, tzinfo=UTC), django_capture_on_commit_callbacks) == 0
    assert reported(org) == []
    assert run_job_at(monkeypatch, datetime(2026, 10, 31, 22, 1, tzinfo=UTC), django_capture_on_commit_callbacks) == 1
    assert reported(org) == [(OCTOBER, "ready")]
    assert run_job_at(monkeypatch, datetime(2026, 10, 31, 23, 25, tzinfo=UTC), django_capture_on_commit_callbacks) == 0
    assert reported(org) == [(OCTOBER, "ready")] and len(fake_pdf) == 1
    report = MonthlyReport.objects.get(organisation=org)
    assert report.requested_by is None and "за октябрь 2026 г." in fake_pdf[0]


def test_kamchatka_waits_for_its_last_day_to_be_filled(monkeypatch, fake_pdf, django_capture_on_commit_callbacks):
    org = organisation_with_october("Asia/Kamchatka", filled_to=date(2026, 10, 30))
    other = organisation_with_october("Europe/Kaliningrad", filled_to=date(2026, 10, 31))
    # 11:59 UTC is 23:59 on 31 October in Kamchatka (UTC+12); 12:30 UTC is already 1 November there.
    assert run_job_at(monkeypatch, datetime(2026, 10, 31, 11, 59, tzinfo=UTC), django_capture_on_commit_callbacks) == 0
    assert run_job_at(monkeypatch, datetime(2026, 10, 31, 12, 30, tzinfo=UTC), django_capture_on_commit_callbacks) == 0
    assert reported(org) == []  # its 31 October is not counted yet: the next run picks it up
    FillState.objects.filter(organisation=org).update(last_filled_day=date(2026, 10, 31))
    assert run_job_at(monkeypatch, datetime(2026, 10, 31, 13, 25, tzinfo=UTC), django_capture_on_commit_callbacks) == 1
    assert reported(org) == [(OCTOBER, "ready")] and reported(other) == []
    assert run_job_at(monkeypatch, datetime(2026, 11, 1, 0, 25, tzinfo=UTC), django_capture_on_commit_callbacks) == 1
    assert reported(org) == [(OCTOBER, "ready")] and reported(other) == [(OCTOBER, "ready")]
    assert MonthlyReport.objects.count() == 2 and len(fake_pdf) == 2


def test_the_job_tries_a_failed_report_again_but_not_one_being_built(
    monkeypatch, fake_pdf, django_capture_on_commit_callbacks
):
    org = organisation_with_october("Europe/Moscow", filled_to=date(2026, 10, 31))
    now = datetime(2026, 11, 1, 1, 25, tzinfo=UTC)
    MonthlyReport.objects.create(organisation=org, month=OCTOBER, status="pending", requested_at=now)
    assert run_job_at(monkeypatch, now, django_capture_on_commit_callbacks) == 0
    MonthlyReport.objects.update(status="failed", error="Отчёт не сохранён: на сервере закончилось место.")
    assert run_job_at(monkeypatch, now + timedelta(hours=1), django_capture_on_commit_callbacks) == 1
    assert reported(org) == [(OCTOBER, "ready")] and MonthlyReport.objects.get().error == ""


# ---- who may -------------------------------------------------------------------------------------------------


@pytest.fixture
def stored(filled, fake_pdf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = report_jobs.monthly_report_request(
            organisation=filled.organisation, month=last_month(filled.organisation), actor=filled.people["admin"]
        )
    return filled, MonthlyReport.objects.get(pk=report.pk)


RIGHTS = [("admin", 200), ("director", 200), ("curator", 403), ("teacher", 403), ("student", 403), ("parent", 403)]


def test_who_may_list_download_and_ask_for_reports(client, stored):
    filled, report = stored
    org = filled.organisation
    for who, status in RIGHTS:
        user = filled.people[who]
        client.force_login(user)
        assert client.get(pages_url(org)).status_code == status, who
        assert client.get(pages_url(org, f"{report.pk}/file/")).status_code == status, who
        asked = client.post(pages_url(org), {"month": report.month.isoformat()})
        assert asked.status_code == (302 if status == 200 else 403), who
        api = api_as(user)
        assert api.get(api_url(org)).status_code == status, who
        assert api.get(api_url(org, f"{report.pk}/file/")).status_code == status, who
        asked = api.post(api_url(org), {"month": f"{report.month:%Y-%m}"}, format="json")
        assert asked.status_code == (202 if status == 200 else 403), who


def test_another_organisation_gets_404_for_everything(client, stored):
    filled, report = stored
    org = filled.organisation
    stranger = admin_of(OrganisationFactory())
    client.force_login(stranger)
    assert client.get(pages_url(org)).status_code == 404
    assert client.get(pages_url(org, f"{report.pk}/file/")).status_code == 404
    api = api_as(stranger)
    assert api.get(api_url(org)).status_code == 404
    assert api.get(api_url(org, f"{report.pk}/file/")).status_code == 404
    assert api.post(api_url(org), {"month": f"{report.month:%Y-%m}"}, format="json").status_code == 404
    # Their own organisation's address with this report's id: not theirs, not found.
    assert (
        api_as(stranger).get(api_url(stranger.memberships.get().organisation, f"{report.pk}/file/")).status_code == 404
    )


def test_the_list_costs_the_same_for_two_reports_and_for_twenty(client, stored):
    filled, report = stored
    org = filled.organisation
    client.force_login(filled.people["director"])

    def counts():
        api = api_as(type(filled.people["director"]).objects.get(pk=filled.people["director"].pk))  # as a new request
        with CaptureQueriesContext(connection) as page:
            assert client.get(pages_url(org)).status_code == 200
        with CaptureQueriesContext(connection) as listed:
            assert api.get(api_url(org)).status_code == 200
        return len(page), len(listed)

    MonthlyReport.objects.create(organisation=org, month=date(2020, 1, 1), status="pending")
    few = counts()
    MonthlyReport.objects.bulk_create(
        MonthlyReport(organisation=org, month=date(2021 + n // 12, n % 12 + 1, 1), status="failed", error="x")
        for n in range(18)
    )
    assert counts() == few
