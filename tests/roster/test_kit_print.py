"""«Распечатать все комплекты» as a background job: a class at a time, then one file, with its progress on the
import's page; one job at a time; another organisation's administrator sees none of it."""

import re

import pytest
from django.urls import reverse

from invites.services.links import invite_url
from roster.models import KitPrint, RosterEntry
from roster.services import kits as kit_jobs
from tests.factories import ClassFactory, OrganisationFactory, admin_of
from tests.invites.test_kits import decoded_links, pdf_pages

from .helpers import csv_bytes, pupil, run_import

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def school(client):
    org = OrganisationFactory()
    admin = admin_of(org)
    client.force_login(admin)
    ClassFactory(organisation=org, grade=1, letter="А")
    ClassFactory(organisation=org, grade=2, letter="Б")
    surnames = ["Абрамов", "Белов", "Волков", "Громов", "Дронов", "Ершов", "Жуков"]
    rows = [pupil(s, "Иван", "1А", parent=f"{s}а Анна", contact=f"+7900000{n:04d}") for n, s in enumerate(surnames)]
    rows.append(pupil("Котова", "Ольга", "2Б", parent="Котов Олег", contact="+79001234567"))
    imp = run_import(org, admin, csv_bytes(rows))
    return org, admin, imp


def _start(client, org, imp):
    return client.post(reverse("roster:kits", args=[org.pk, imp.pk]))


def test_the_job_prints_every_class_into_one_pdf_each_class_from_a_new_page(
    client, school, django_capture_on_commit_callbacks
):
    org, _admin, imp = school
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client, org, imp)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("roster:import", args=[org.pk, imp.pk]))
    job = KitPrint.objects.get(source=imp)
    assert (job.status, job.done, job.total) == ("done", 2, 2)

    page = client.get(reverse("roster:import", args=[org.pk, imp.pk]))
    assert "Скачать все комплекты (PDF)" in _text(page)
    kit = client.get(reverse("roster:kits_file", args=[org.pk, imp.pk, job.pk]))
    assert kit["Content-Type"] == "application/pdf" and kit["Cache-Control"] == "no-store"
    pdf = b"".join(kit.streaming_content)  # streamed from the storage, as the monthly reports are

    entries = RosterEntry.objects.filter(source=imp).select_related("invite", "parent_invite")
    made = {invite_url(e.invite) for e in entries} | {invite_url(e.parent_invite) for e in entries}
    assert len(made) == 16 and set(decoded_links(pdf)) == made
    # 14 cards of 1А on three pages, then 2Б's two cards on a page of its own.
    document, pages = pdf_pages(pdf)
    texts = [p.get_textpage().get_text_range() for p in pages]
    document.close()
    assert len(texts) == 4
    assert all("1А" in t and "2Б" not in t for t in texts[:3]) and "2Б" in texts[3] and "1А" not in texts[3]
    # The parts are gone once the file is put together.
    assert job.parts and all(not KitPrint.file.field.storage.exists(name) for name in job.parts.values())


def test_progress_is_shown_and_a_second_click_shows_the_running_job(client, school, django_capture_on_commit_callbacks):
    org, _admin, imp = school
    with django_capture_on_commit_callbacks(execute=False) as queued:
        _start(client, org, imp)
        second = client.post(reverse("roster:kits", args=[org.pk, imp.pk]), follow=True)
    assert KitPrint.objects.filter(source=imp).count() == 1
    assert "Комплекты уже печатаются" in _text(second)
    job = KitPrint.objects.get(source=imp)
    page = _text(client.get(reverse("roster:import", args=[org.pk, imp.pk])))
    assert "Комплекты печатаются." in page and "Готово классов: 0 из 2" in page
    assert "Распечатать все комплекты" not in page
    progress_url = reverse("roster:kits_progress", args=[org.pk, imp.pk, job.pk])
    assert client.get(progress_url).json() == {
        "status": "queued",
        "done": 0,
        "total": 2,
        "finished": False,
        "error": "",
    }
    # The file is not there yet.
    assert client.get(reverse("roster:kits_file", args=[org.pk, imp.pk, job.pk])).status_code == 404

    kit_jobs.kit_print_part(job.pk, 0)
    assert client.get(progress_url).json()["done"] == 1
    assert "Готово классов: 1 из 2" in _text(client.get(reverse("roster:import", args=[org.pk, imp.pk])))

    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    progress = client.get(progress_url).json()
    assert progress["finished"] and progress["done"] == 2 and progress["status"] == "done"

    # Once the file is made, a click prints anew (from the links as they are then); the earlier file goes.
    first = KitPrint.objects.get(source=imp).file.name
    with django_capture_on_commit_callbacks(execute=True):
        _start(client, org, imp)
    assert KitPrint.objects.filter(source=imp, status="done").count() == 2
    latest = KitPrint.objects.filter(source=imp).first()
    assert latest.pk != job.pk and latest.file and not KitPrint.file.field.storage.exists(first)
    assert client.get(reverse("roster:kits_file", args=[org.pk, imp.pk, job.pk])).status_code == 404
    assert client.get(reverse("roster:kits_file", args=[org.pk, imp.pk, latest.pk])).status_code == 200


def test_each_step_run_twice_does_its_work_once(client, school, django_capture_on_commit_callbacks):
    org, admin, imp = school
    with django_capture_on_commit_callbacks(execute=False):
        job, created = kit_jobs.kit_print_start(imp=imp, actor=admin)
    assert created
    assert kit_jobs.kit_print_part(job.pk, 1) is True
    assert kit_jobs.kit_print_part(job.pk, 1) is False  # a worker killed after storing it: the task again
    assert kit_jobs.kit_print_finish(job.pk).status == "running"  # not every class yet
    with django_capture_on_commit_callbacks(execute=True):
        assert kit_jobs.kit_print_queue_parts(job.pk) == 1  # only the class still missing
    job.refresh_from_db()
    assert job.status == "done"
    name = job.file.name
    assert kit_jobs.kit_print_finish(job.pk).file.name == name


def test_another_organisations_admin_sees_nothing(client, school, django_capture_on_commit_callbacks):
    org, _admin, imp = school
    with django_capture_on_commit_callbacks(execute=True):
        _start(client, org, imp)
    job = KitPrint.objects.get(source=imp)
    other = OrganisationFactory()
    client.force_login(admin_of(other))
    for url in (
        reverse("roster:kits_file", args=[org.pk, imp.pk, job.pk]),
        reverse("roster:kits_progress", args=[org.pk, imp.pk, job.pk]),
        reverse("roster:kits_file", args=[other.pk, imp.pk, job.pk]),
        reverse("roster:kits_progress", args=[other.pk, imp.pk, job.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("roster:kits", args=[other.pk, imp.pk])).status_code == 404
    assert KitPrint.objects.count() == 1


def test_a_failed_print_says_why_and_may_be_tried_again(
    client, school, django_capture_on_commit_callbacks, monkeypatch
):
    from portal.pdf import PdfUnavailable

    org, _admin, imp = school

    real = kit_jobs.kit_section_pdf
    printed = []

    def second_unavailable(*args):  # the first class prints, the second cannot
        if printed:
            raise PdfUnavailable()
        printed.append(1)
        return real(*args)

    monkeypatch.setattr(kit_jobs, "kit_section_pdf", second_unavailable)
    with django_capture_on_commit_callbacks(execute=True):
        _start(client, org, imp)
    job = KitPrint.objects.get(source=imp)
    assert job.status == "failed" and not job.file
    # The part printed before the failure is not left behind.
    assert len(job.parts) == 1 and not KitPrint.file.field.storage.exists(next(iter(job.parts.values())))
    page = _text(client.get(reverse("roster:import", args=[org.pk, imp.pk])))
    assert "не установлены библиотеки для печати" in page and "Распечатать все комплекты" in page


def test_a_college_counts_groups(client, django_capture_on_commit_callbacks):
    org = OrganisationFactory(kind="college")
    admin = admin_of(org)
    client.force_login(admin)
    ClassFactory(organisation=org, grade=2, letter="", name="ИС-21")
    imp = run_import(org, admin, csv_bytes([pupil("Котова", "Ольга", "ИС-21", born="01.09.2006")]))
    with django_capture_on_commit_callbacks(execute=False):
        _start(client, org, imp)
    page = _text(client.get(reverse("roster:import", args=[org.pk, imp.pk])))
    assert "Готово групп: 0 из 1" in page and "классов" not in page.split("Комплекты печатаются.")[1]
