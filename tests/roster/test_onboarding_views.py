"""The shortcuts of the onboarding path: the current school year added from the preview, every missing class
created at once, every class's kit in one PDF, and one mailing for all the import's links with an address."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from invites.models import InviteMailing
from invites.services.links import invite_url
from orgs.models import AcademicYear, Group
from roster.models import KitPrint, RosterEntry, RosterImport
from tests.factories import OrganisationFactory, admin_of
from tests.invites.test_kits import decoded_links

from .helpers import csv_bytes, pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(client):
    """A school just approved: no academic year, no classes."""
    org = OrganisationFactory(time_zone="Asia/Vladivostok")
    admin = admin_of(org)
    client.force_login(admin)
    return org, admin


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _upload(client, org, rows):
    data = csv_bytes(rows)
    client.post(reverse("roster:home", args=[org.pk]), {"kind": "students", "file": SimpleUploadedFile("a.csv", data)})
    return RosterImport.objects.latest("pk")


def test_from_a_fresh_school_to_the_kits_and_letters(client, fresh, django_capture_on_commit_callbacks):
    org, admin = fresh
    imp = _upload(
        client,
        org,
        [
            pupil("Петров", "Пётр", "1А", born="01.09.2018", parent="Петрова Анна", contact="anna@example.org"),
            pupil("Котова", "Ольга", "2Б", born="01.09.2017", parent="Котов Олег", contact="+79001234567"),
        ],
    )
    preview_url = reverse("roster:import", args=[org.pk, imp.pk])
    preview = _text(client.get(preview_url))
    year_url = f"{reverse('orgs:year_create', args=[org.pk])}?next={preview_url}"
    assert "Нет текущего учебного года" in preview and year_url.replace("/", "%2F") in preview.replace("/", "%2F")

    # The year form comes filled in with the school year going on, in the school's time zone.
    form = client.get(year_url).context["form"]
    assert re.fullmatch(r"\d{4}/\d{4}", form.initial["name"]) and form.initial["starts_on"].month == 9
    values = {k: str(v) for k, v in form.initial.items() if k != "is_current"} | {"is_current": "on"}
    back = client.post(year_url, {**values, "next": preview_url})
    assert back.status_code == 302 and back["Location"] == preview_url
    assert AcademicYear.objects.get(organisation=org).is_current

    preview = _text(client.get(preview_url))
    assert "Создать все классы из файла (2)" in preview
    names = re.findall(r'<input type="hidden" name="class" value="([^"]+)">', client.get(preview_url).content.decode())
    client.post(reverse("roster:classes", args=[org.pk, imp.pk]), {"class": names})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster:confirm", args=[org.pk, imp.pk]))
    assert sorted(Group.objects.filter(organisation=org, kind="class").values_list("name", flat=True)) == ["1А", "2Б"]

    result = _text(client.get(preview_url))
    assert "Действующих личных ссылок: 4." in result and "Разослать по e-mail (1 адрес)" in result
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("roster:kits", args=[org.pk, imp.pk]))
    assert started.status_code == 302
    job = KitPrint.objects.get(source=imp)
    page = _text(client.get(preview_url))
    assert "Скачать все комплекты (PDF)" in page
    kit = client.get(reverse("roster:kits_file", args=[org.pk, imp.pk, job.pk]))
    assert kit["Content-Type"] == "application/pdf"
    entries = RosterEntry.objects.filter(source=imp).select_related("invite", "parent_invite")
    made = {invite_url(e.invite) for e in entries} | {invite_url(e.parent_invite) for e in entries}
    assert set(decoded_links(b"".join(kit.streaming_content) if kit.streaming else kit.content)) == made

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("roster:mail", args=[org.pk, imp.pk]))
    mailing = InviteMailing.objects.get(organisation=org)
    assert sent["Location"] == reverse("invites:mailing", args=[org.pk, mailing.pk])
    assert mailing.total == 1 and [m.to for m in mail.outbox if "anna@example.org" in m.to]


def test_the_year_form_does_not_send_elsewhere(client, fresh):
    org, admin = fresh
    url = reverse("orgs:year_create", args=[org.pk])
    response = client.post(
        url, {"name": "2026/2027", "starts_on": "2026-09-01", "ends_on": "2027-08-31", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("orgs:structure", args=[org.pk])


def test_the_home_page_offers_to_load_the_lists_until_the_students_list_is_loaded(client, fresh):
    """A new school's administrator is pointed at the import (not at typing names class by class); loading the
    staff's list alone starts the step, the students' list finishes it."""
    from orgs.onboarding import onboarding_steps
    from tests.roster.helpers import run_import

    org, admin = fresh

    def lists():
        steps, _next = onboarding_steps(org)
        return next(step for step in steps if step.key == "lists")

    home = _text(client.get(reverse("orgs:org_home", args=[org.pk])))
    assert "Списки обучающихся и сотрудников" in home
    assert f'href="{reverse("roster:home", args=[org.pk])}">Загрузить списки</a>' in home
    assert lists().state == "todo"
    from tests.factories import AcademicYearFactory

    AcademicYearFactory(organisation=org)
    staff = "ФИО;Должность\r\nИванова Анна Петровна;учитель\r\n".encode()
    run_import(org, admin, staff, name="staff.csv", kind="staff")
    assert lists().state == "started"
    run_import(org, admin, csv_bytes([pupil("Орлов", "Олег", "5А")]), classes=["5А"])
    assert lists().state == "done"
