"""Files and mailings of the invites API: the class kit (PDF), CSV/XLSX exports, e-mail mailings with progress."""

import csv
import io
import sys

import pytest
from django.core import mail
from openpyxl import load_workbook
from rest_framework.test import APIClient

from invites.models import InviteMailing
from invites.services import links
from tests.factories import ClassFactory, OrganisationFactory, admin_of, curator_of, student_in
from tests.invites.test_kits import decoded_links, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    org = OrganisationFactory(short_name="Школа № 9", time_zone="Asia/Irkutsk")
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    return org, cls, admin_of(org)


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(org, suffix):
    return f"/api/v1/orgs/{org.pk}/invites/{suffix}"


def invite(org, cls, actor, name, role="student", **kw):
    created, _token = links.invite_create(
        organisation=org, actor=actor, role=role, target_group=cls, recipient_name=name, **kw
    )
    return created


def error(resp):
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]


# --- The printable kit --------------------------------------------------------------------


def test_kit_is_a_pdf_with_one_qr_code_per_active_link_of_the_class(school):
    org, cls, admin = school
    kids = [invite(org, cls, admin, name) for name in ("Абрамова Алиса", "Белов Борис", "Васильева Вера")]
    revoked = invite(org, cls, admin, "Отозванный Олег")
    links.invite_revoke(invite=revoked, actor=admin)
    other = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    invite(org, other, admin, "Чужой Класс")

    resp = client_of(admin).get(url(org, f"kit/?group={cls.pk}"), HTTP_ACCEPT="application/pdf")

    assert resp.status_code == 200, resp.content[:300]
    assert resp["Content-Type"] == "application/pdf"
    assert resp["Content-Disposition"] == f'attachment; filename="invites-{org.pk}-{cls.pk}.pdf"'
    assert resp["Cache-Control"] == "no-store"
    assert resp.content.startswith(b"%PDF")
    assert sorted(decoded_links(resp.content)) == sorted(links.invite_url(i) for i in kids)
    text = pdf_text(resp.content)
    assert "Белов Борис" in text and "5А" in text
    assert "Отозванный Олег" not in text and "Чужой Класс" not in text

    revoked_kit = client_of(admin).get(url(org, f"kit/?group={cls.pk}&status=revoked"))
    assert decoded_links(revoked_kit.content) == [links.invite_url(revoked)]


def test_curator_prints_only_their_own_links_of_their_own_class(school):
    org, cls, admin = school
    curator = curator_of(cls)
    kid = student_in(cls)
    invite(org, cls, admin, "Ссылка администратора")
    own = invite(org, cls, curator, "", role="parent", bound_student=kid)

    resp = client_of(curator).get(url(org, f"kit/?group={cls.pk}&role=parent"))

    assert resp.status_code == 200, resp.content[:300]
    assert decoded_links(resp.content) == [links.invite_url(own)]
    assert "Ссылка администратора" not in pdf_text(resp.content)


def test_kit_refused_for_another_class_another_organisation_and_bad_input(school):
    org, cls, admin = school
    curator = curator_of(cls)
    other = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    invite(org, other, admin, "Ученик 6Б")
    elsewhere = OrganisationFactory()
    their_class = ClassFactory(organisation=elsewhere, grade=5, letter="А", name="5А")
    invite(elsewhere, their_class, admin_of(elsewhere), "Чужая школа")
    client = client_of(curator)

    resp = client.get(url(org, f"kit/?group={other.pk}"))
    assert resp.status_code == 403 and "куратор" in error(resp)["message"]
    resp = client.get(url(org, f"kit/?group={their_class.pk}"))
    assert resp.status_code == 404 and error(resp)["code"] == "not_found"
    resp = client_of(admin).get(url(elsewhere, f"kit/?group={their_class.pk}"))
    assert resp.status_code == 404 and error(resp)
    resp = client.get(url(org, "kit/?group=x"))
    assert resp.status_code == 400 and "group" in error(resp)["fields"]
    resp = client.get(url(org, f"kit/?group={cls.pk}"))  # nothing to print yet
    assert resp.status_code == 400 and error(resp)["code"] == "kit_empty"


def test_kit_without_pdf_libraries_answers_503_in_the_error_shape(school, monkeypatch):
    org, cls, admin = school
    invite(org, cls, admin, "Абрамова Алиса")
    monkeypatch.setitem(sys.modules, "reportlab.pdfgen.canvas", None)  # as if the PDF library could not be loaded

    resp = client_of(admin).get(url(org, f"kit/?group={cls.pk}"))

    assert resp.status_code == 503
    assert resp["Content-Type"] == "application/json"
    err = error(resp)
    assert err["code"] == "pdf_unavailable" and "CSV или XLSX" in err["message"]


# --- Exports ------------------------------------------------------------------------------


def test_csv_export_has_a_bom_russian_headers_and_the_filtered_links(school):
    org, cls, admin = school
    kid = student_in(cls)
    student = invite(org, cls, admin, "=Белов Борис")  # would run as a formula in a spreadsheet
    parent = invite(org, cls, admin, "", role="parent", bound_student=kid)
    client = client_of(admin)

    resp = client.get(url(org, "export/?format=csv"))

    assert resp.status_code == 200, resp.content[:300]
    assert resp["Content-Type"] == "text/csv; charset=utf-8"
    assert resp["Content-Disposition"] == f'attachment; filename="invites-{org.pk}.csv"'
    assert resp.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["ФИО", "Класс", "Роль", "Ссылка", "Действует до (время: Иркутск (UTC+8))", "Статус"]
    by_link = {row[3]: row for row in rows[1:]}
    assert set(by_link) == {links.invite_url(student), links.invite_url(parent)}
    assert by_link[links.invite_url(student)][:3] == ["'=Белов Борис", "5А", "Ученик"]
    assert by_link[links.invite_url(parent)][0] == kid.full_name
    assert by_link[links.invite_url(parent)][5] == "действует"

    only_parents = client.get(url(org, "export/?role=parent"))  # csv by default
    rows = list(csv.reader(io.StringIO(only_parents.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[3] for row in rows[1:]] == [links.invite_url(parent)]


def test_xlsx_export_opens_and_holds_the_rows_the_caller_may_see(school):
    org, cls, admin = school
    curator = curator_of(cls)
    invite(org, cls, admin, "Ссылка администратора")
    mine = [invite(org, cls, curator, name) for name in ("Абрамова Алиса", "Белов Борис")]

    resp = client_of(curator).get(url(org, "export/?format=xlsx&ordering=created_at"))

    assert resp.status_code == 200, resp.content[:300]
    assert resp["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert resp["Content-Disposition"] == f'attachment; filename="invites-{org.pk}.xlsx"'
    sheet = load_workbook(io.BytesIO(resp.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("ФИО", "Класс", "Роль", "Ссылка")
    assert [(row[0], row[1], row[3]) for row in values[1:]] == [
        ("Абрамова Алиса", "5А", links.invite_url(mine[0])),
        ("Белов Борис", "5А", links.invite_url(mine[1])),
    ]


def test_export_refuses_an_unknown_format_and_another_organisation(school):
    org, cls, admin = school
    resp = client_of(admin).get(url(org, "export/?format=pdf"))
    assert resp.status_code == 400 and "format" in error(resp)["fields"]
    elsewhere = OrganisationFactory()
    resp = client_of(admin).get(url(elsewhere, "export/?format=csv"))
    assert resp.status_code == 404 and error(resp)


# --- E-mail mailings ----------------------------------------------------------------------


def test_mailing_sends_each_known_address_its_link_and_reports_progress(school, django_capture_on_commit_callbacks):
    org, cls, admin = school
    batch = [
        invite(org, cls, admin, "Орлов Олег", recipient_email="oleg@example.org"),
        invite(org, cls, admin, "Без Почты"),
        invite(org, cls, admin, "Петрова Полина", recipient_email="polina@example.org"),
    ]
    client = client_of(admin)

    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(url(org, "mailings/"), {"invites": [i.pk for i in batch]}, format="json")

    assert resp.status_code == 202, resp.content
    assert resp.json()["total"] == 3
    progress = client.get(url(org, f"mailings/{resp.json()['id']}/"))
    assert progress.status_code == 200
    body = progress.json()
    assert body["finished"] is True and body["status"] == "done"
    assert (body["sent"], body["skipped"], body["failed"], body["percent"]) == (2, 1, 0, 100)
    assert body["text"].startswith("отправлено 2 из 3")
    letters = {m.to[0]: m.body for m in mail.outbox}
    assert set(letters) == {"oleg@example.org", "polina@example.org"}
    assert links.invite_url(batch[0]) in letters["oleg@example.org"]
    assert links.invite_url(batch[2]) in letters["polina@example.org"]
    assert links.invite_url(batch[2]) not in letters["oleg@example.org"]


def test_mailing_refuses_others_links_bad_lists_and_others_mailings(school):
    org, cls, admin = school
    curator = curator_of(cls)
    admins_invite = invite(org, cls, admin, "Орлов Олег", recipient_email="oleg@example.org")
    curators_invite = invite(org, cls, curator, "Петрова Полина", recipient_email="polina@example.org")
    no_address = invite(org, cls, curator, "Без Почты")
    client = client_of(curator)

    resp = client.post(url(org, "mailings/"), {"invites": [curators_invite.pk, admins_invite.pk]}, format="json")
    assert resp.status_code == 404 and error(resp)
    resp = client.post(url(org, "mailings/"), {"invites": [no_address.pk]}, format="json")
    assert resp.status_code == 400 and error(resp)["code"] == "mailing_no_addresses"
    resp = client.post(url(org, "mailings/"), {"invites": []}, format="json")
    assert resp.status_code == 400 and "invites" in error(resp)["fields"]
    # A bad item of the list is named by its position, not a server error.
    resp = client.post(url(org, "mailings/"), {"invites": [curators_invite.pk, "два"]}, format="json")
    assert resp.status_code == 400
    err = error(resp)
    assert list(err["fields"]) == ["invites.1"] and err["message"].startswith("Проверьте введённые данные.")
    assert not InviteMailing.objects.exists()

    admins_mailing = client_of(admin).post(url(org, "mailings/"), {"invites": [admins_invite.pk]}, format="json")
    assert admins_mailing.status_code == 202
    resp = client.get(url(org, f"mailings/{admins_mailing.json()['id']}/"))
    assert resp.status_code == 404 and error(resp)
