"""The administrator's pages: upload, mapping, preview with fixes, confirmation, result, error report, kit."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from invites.models import Invite
from orgs.models import AuditEntry, Group
from roster.models import RosterEntry, RosterImport
from tests.factories import ClassFactory, OrganisationFactory, admin_of, teacher_of

from .helpers import csv_bytes, pupil, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(client):
    org = OrganisationFactory()
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    admin = admin_of(org)
    client.force_login(admin)
    return org, cls, admin


def upload(client, org, data, name="список.xlsx", kind="students"):
    return client.post(
        reverse("roster:home", args=[org.pk]), {"kind": kind, "file": SimpleUploadedFile(name, data)}, follow=True
    )


def test_whole_journey_in_the_browser(client, school, django_capture_on_commit_callbacks):
    org, cls, admin = school
    data = xlsx_bytes([pupil("Петров", "Пётр", "5А"), pupil("Котова", "Ольга", "5Г"), pupil("Лисин", "Лев", "5 а")])
    page = upload(client, org, data)
    imp = RosterImport.objects.get()
    assert page.redirect_chain[-1][0] == reverse("roster:import", args=[org.pk, imp.pk])
    text = page.content.decode()
    assert "Строка 3, столбец «Класс»: класс «5Г» не найден — создать?" in text
    assert not RosterEntry.objects.exists()
    # Fix row 3 in the preview: the pupil is in 5А after all.
    row_url = reverse("roster:row", args=[org.pk, imp.pk, 3])
    assert "5Г" in client.get(row_url).content.decode()
    page = client.post(row_url, {"last_name": "Котова", "first_name": "Ольга", "group": "5А"}, follow=True)
    assert "Строка 3 исправлена." in page.content.decode()
    assert "не найден" not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster:confirm", args=[org.pk, imp.pk]))
    text = client.get(reverse("roster:import", args=[org.pk, imp.pk])).content.decode()
    assert "Загрузка завершена." in text
    assert RosterEntry.objects.filter(organisation=org).count() == 3
    kit = reverse("invites:class_kit", args=[org.pk, cls.pk])
    assert kit in text
    assert AuditEntry.objects.filter(organisation=org, action="roster.imported").exists()
    assert Invite.objects.filter(target_group=cls, status="active").count() == 6


def test_unknown_headers_go_through_mapping(client, school):
    org, cls, admin = school
    data = csv_bytes([["Петров Пётр", "5А"]], headers=["Ученик (полностью)", "Кл."], encoding="cp1251")
    page = upload(client, org, data, name="list.csv")
    imp = RosterImport.objects.get()
    assert page.redirect_chain[-1][0] == reverse("roster:mapping", args=[org.pk, imp.pk])
    assert "Не все столбцы удалось узнать" in page.content.decode()
    page = client.post(reverse("roster:mapping", args=[org.pk, imp.pk]), {"full_name": "0", "group": "1"}, follow=True)
    assert "Будет загружено" in page.content.decode()
    imp.refresh_from_db()
    assert imp.mapping == {"full_name": 0, "group": 1}


def test_creating_a_missing_class_from_the_preview(client, school, django_capture_on_commit_callbacks):
    org, cls, admin = school
    upload(client, org, csv_bytes([pupil("Котова", "Ольга", "5 Г")]), name="list.csv")
    imp = RosterImport.objects.get()
    page = client.post(reverse("roster:classes", args=[org.pk, imp.pk]), {"class": ["5Г"]}, follow=True)
    assert "класс будет создан" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster:confirm", args=[org.pk, imp.pk]))
    assert Group.objects.filter(organisation=org, name="5Г", kind="class").exists()


def test_too_large_file_has_a_clear_message(client, school, settings):
    org, cls, admin = school
    page = upload(client, org, b"a" * (10 * 1024 * 1024 + 1), name="big.csv")
    assert page.status_code == 400
    assert "Файл больше 10 МБ" in page.content.decode()


def test_error_report_download(client, school):
    org, cls, admin = school
    upload(client, org, csv_bytes([pupil("=1+2", "Иван", "5А"), pupil("Годный", "Иван", "5А")]), name="list.csv")
    imp = RosterImport.objects.get()
    resp = client.get(reverse("roster:errors", args=[org.pk, imp.pk]))
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(resp.content)).active
    assert sheet["A2"].value == 2 and sheet["C2"].value == "'=1+2"
    assert "Строка 2, столбец «Фамилия»" in sheet["B2"].value


def test_progress_endpoint(client, school):
    org, cls, admin = school
    upload(client, org, csv_bytes([pupil("Петров", "Пётр", "5А")]), name="list.csv")
    imp = RosterImport.objects.get()
    assert client.get(reverse("roster:progress", args=[org.pk, imp.pk])).json() == {
        "status": "draft",
        "done": 0,
        "total": 1,
        "finished": False,
    }


def test_teachers_and_other_organisations_are_refused(client, school):
    org, cls, admin = school
    upload(client, org, csv_bytes([pupil("Петров", "Пётр", "5А")]), name="list.csv")
    imp = RosterImport.objects.get()
    client.force_login(teacher_of(org))
    assert client.get(reverse("roster:home", args=[org.pk])).status_code == 403
    assert client.get(reverse("roster:import", args=[org.pk, imp.pk])).status_code == 403
    other = OrganisationFactory()
    client.force_login(admin_of(other))
    assert client.get(reverse("roster:import", args=[other.pk, imp.pk])).status_code == 404
    assert client.get(reverse("roster:errors", args=[other.pk, imp.pk])).status_code == 404
    assert "Импорт контингента" not in client.get(reverse("orgs:org_home", args=[org.pk])).content.decode()


def test_progress_while_the_job_runs(client, school):
    from django.core.cache import cache

    from roster.services.apply import progress_key

    org, cls, admin = school
    upload(client, org, csv_bytes([pupil("Петров", "Пётр", "5А"), pupil("Котов", "Кот", "5А")]), name="list.csv")
    imp = RosterImport.objects.get()
    RosterImport.objects.filter(pk=imp.pk).update(status=RosterImport.Status.RUNNING)
    cache.set(progress_key(imp.pk), 1)
    text = client.get(reverse("roster:import", args=[org.pk, imp.pk])).content.decode()
    assert "Загрузка идёт" in text and 'id="roster-done">1<' in text and "roster-progress.js" in text
    assert client.get(reverse("roster:progress", args=[org.pk, imp.pk])).json()["done"] == 1
    # Nothing can be changed or confirmed again while it runs.
    resp = client.post(reverse("roster:confirm", args=[org.pk, imp.pk]), follow=True)
    assert "Импорт уже запущен" in resp.content.decode()
