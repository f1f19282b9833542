"""A class's links at once in the browser pages: the list of names, the kit for the meeting, exports, e-mail sending."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.messages import get_messages
from django.contrib.staticfiles import finders
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from invites.models import Invite, InviteMailing
from invites.services import links
from orgs.models import AuditEntry
from portal.pdf import PdfUnavailable
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    admin_of,
    curator_of,
    student_in,
    teacher_of,
    teaches,
)
from tests.invites.test_kits import decoded_links

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupils(cls):
    return [
        student_in(cls, user=None),
        student_in(cls, user=None),
    ]


def class_url(org, cls, name="class", *args):
    return reverse(f"invites:{name}", args=[org.pk, cls.pk, *args])


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def ids_of(response) -> list[int]:
    return [int(i) for i in parse_qs(urlparse(response["Location"]).query)["ids"][0].split(",")]


def bulk(client, org, cls, names="", parents=False, **extra):
    data = {"student_names": names, **extra}
    if parents:
        data["parents"] = "on"
    return client.post(class_url(org, cls), data)


# --- Creating links for a class -------------------------------------------------------------


def test_curator_makes_personal_links_for_new_students_and_for_each_students_parents(client, org, cls, pupils):
    curator = curator_of(cls)
    client.force_login(curator)

    response = bulk(client, org, cls, "Новиков  Никита\n\n  Орлова Ольга Петровна  \n", parents=True)

    assert response.status_code == 302
    invites = Invite.objects.filter(organisation=org).order_by("pk")
    assert [invite.pk for invite in invites] == ids_of(response)
    students = [i for i in invites if i.role == "student"]
    parents = [i for i in invites if i.role == "parent"]
    assert [i.recipient_name for i in students] == ["Новиков Никита", "Орлова Ольга Петровна"]
    assert sorted(i.bound_student_id for i in parents) == sorted(p.pk for p in pupils)
    assert all(i.max_uses == 1 and i.created_by == curator and i.target_group == cls for i in invites)
    assert AuditEntry.objects.filter(organisation=org, action="invite.created", actor=curator).count() == 4

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Создано личных ссылок: 4." in messages_of(page)
    body = text(page)
    assert "Скачать PDF для собрания" in body
    for invite in invites:
        assert links.invite_url(invite) in body
    assert pupils[0].full_name in body


def test_verified_teacher_of_the_class_may_use_the_page_and_expiry_is_taken_in_local_time(client, org, cls):
    teacher = teacher_of(org)
    teaches(cls, teacher)
    client.force_login(teacher)

    day = (timezone.now() + timedelta(days=5)).date()

    response = bulk(client, org, cls, "Новиков Никита", expires_at=f"{day:%Y-%m-%d}T20:00")

    assert response.status_code == 302
    invite = Invite.objects.get()
    assert invite.expires_at == datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)  # 20:00 in Irkutsk


def test_curator_of_another_class_and_an_unverified_teacher_are_refused(client, org, cls, pupils):
    other = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    outsiders = [curator_of(other), teacher_of(org, verified=False)]
    teaches(cls, outsiders[1])

    for user in outsiders:
        client.force_login(user)
        assert client.get(class_url(org, cls)).status_code == 403
        assert bulk(client, org, cls, "Новиков Никита", parents=True).status_code == 403
        assert client.get(class_url(org, cls, "class_kit")).status_code == 403
        assert client.get(class_url(org, cls, "class_export", "csv")).status_code == 403

    assert not Invite.objects.exists()


def test_errors_are_shown_per_line_with_the_text_kept_and_nothing_is_created(client, org, cls, admin):
    enrolled = student_in(cls)
    client.force_login(admin)
    typed = (
        "Новиков Никита\n"
        "Петров\n"
        "новиков никита\n"
        '=HYPERLINK("http://evil")\n'
        f"{enrolled.last_name} {enrolled.first_name}\n"
    )

    response = bulk(client, org, cls, typed, parents=True)

    assert response.status_code == 400
    body = text(response)
    assert "Строка 2 «Петров»: укажите фамилию и имя." in body
    assert "Строка 3 «новиков никита»: повторяет строку 1." in body
    assert "Строка 4 «=HYPERLINK(&quot;http://evil&quot;)»: в имени могут быть только буквы" in body
    assert f"Строка 5 «{enrolled.last_name} {enrolled.first_name}»: уже учится здесь и есть в портале" in body
    assert "Строка 1" not in body
    # The textarea keeps what was typed, so that the user corrects it rather than retypes it.
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", response.content.decode(), re.S).group(1)
    assert "Петров" in textarea and "Новиков Никита" in textarea
    assert not Invite.objects.exists()


def test_an_empty_form_asks_for_names_or_parents(client, org, cls, admin):
    client.force_login(admin)

    response = bulk(client, org, cls, "  \n ")

    assert response.status_code == 400
    assert "Впишите имена обучающихся или отметьте «Родителям каждого из учеников»." in text(response)
    assert not Invite.objects.exists()


def test_a_refused_link_rolls_back_the_whole_batch(client, org, cls, admin, pupils, monkeypatch):
    from invites.services import bulk as bulk_service

    real = bulk_service.invite_create
    calls = []

    def failing_third(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            from portal.exceptions import RuleViolation

            raise RuleViolation("Ребёнок должен учиться в этом классе.", code="bound_student_class")
        return real(**kwargs)

    monkeypatch.setattr(bulk_service, "invite_create", failing_third)
    client.force_login(admin)

    response = bulk(client, org, cls, "Новиков Никита", parents=True)

    assert response.status_code == 400
    assert "Ребёнок должен учиться в этом классе." in text(response)
    assert not Invite.objects.exists()


# --- The kit and the exports ---------------------------------------------------------------


def test_the_kit_after_creation_holds_exactly_the_new_links(client, org, cls, admin, pupils):
    older, _ = links.invite_create(
        organisation=org, actor=admin, role="student", target_group=cls, recipient_name="Ранее Созданный"
    )
    client.force_login(admin)
    created = bulk(client, org, cls, parents=True)
    ids = ids_of(created)

    response = client.get(class_url(org, cls, "class_kit") + "?ids=" + ",".join(map(str, ids)))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="invites-{org.pk}-{cls.pk}.pdf"'
    assert response.content.startswith(b"%PDF")
    expected = sorted(links.invite_url(invite) for invite in Invite.objects.filter(pk__in=ids))
    assert sorted(decoded_links(response.content)) == expected
    assert links.invite_url(older) not in expected


def test_the_class_kit_prints_every_working_link_of_the_class_and_no_dead_one(client, org, cls, admin):
    alive, _ = links.invite_create(
        organisation=org, actor=admin, role="student", target_group=cls, recipient_name="А Б"
    )
    dead, _ = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls, recipient_name="В Г")
    links.invite_revoke(invite=dead, actor=admin)
    other = ClassFactory(organisation=org, grade=6, letter="В", name="6В")
    links.invite_create(organisation=org, actor=admin, role="student", target_group=other, recipient_name="Д Е")
    client.force_login(admin)

    page = client.get(class_url(org, cls))
    assert "Распечатать приглашения класса" in text(page)
    response = client.get(class_url(org, cls, "class_kit"))

    assert response.status_code == 200
    assert decoded_links(response.content) == [links.invite_url(alive)]


def test_a_kit_that_cannot_be_made_shows_the_reason_on_the_page(client, org, cls, admin, monkeypatch):
    links.invite_create(organisation=org, actor=admin, role="student", target_group=cls, recipient_name="А Б")

    def unavailable(*args, **kwargs):
        raise PdfUnavailable()

    monkeypatch.setattr("invites.views.kits.kit_pdf", unavailable)
    client.force_login(admin)

    response = client.get(class_url(org, cls, "class_kit"))

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "на сервере не установлены библиотеки для печати" in text(response)
    assert "Выгрузить в CSV" in text(response)


def test_a_kit_without_working_links_says_so(client, org, cls, admin):
    client.force_login(admin)

    response = client.get(class_url(org, cls, "class_kit"))

    assert response.status_code == 400
    assert "Нет приглашений для печати." in text(response)


def test_csv_and_xlsx_exports_of_the_batch(client, org, cls, admin, pupils):
    client.force_login(admin)
    ids = ids_of(bulk(client, org, cls, "Новиков Никита\nОрлова Ольга", parents=True))
    query = "?ids=" + ",".join(map(str, ids))
    expected = {links.invite_url(invite) for invite in Invite.objects.all()}

    response = client.get(class_url(org, cls, "class_export", "csv") + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="invites-{org.pk}-{cls.pk}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "ФИО"
    assert {row[3] for row in rows[1:]} == expected
    assert {"Новиков Никита", "Орлова Ольга", pupils[0].full_name} <= {row[0] for row in rows[1:]}

    response = client.get(class_url(org, cls, "class_export", "xlsx") + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)} == expected

    assert client.get(class_url(org, cls, "class_export", "pdf")).status_code == 404


# --- E-mail -------------------------------------------------------------------------------------


def test_mailing_sends_each_known_address_its_link_and_shows_the_count(
    client, org, cls, admin, django_capture_on_commit_callbacks
):
    with_email = [
        links.invite_create(
            organisation=org, actor=admin, role="student", target_group=cls, recipient_name=name, recipient_email=email
        )[0]
        for name, email in [("Орлов Олег", "oleg@example.org"), ("Петрова Полина", "polina@example.org")]
    ]
    links.invite_create(organisation=org, actor=admin, role="student", target_group=cls, recipient_name="Без Почты")
    client.force_login(admin)
    page = client.get(class_url(org, cls))
    assert "Разослать по e-mail" in text(page)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(class_url(org, cls, "class_mail"))

    mailing = InviteMailing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("invites:mailing", args=[org.pk, mailing.pk]) + f"?group={cls.pk}"
    assert sorted(m.to[0] for m in mail.outbox) == ["oleg@example.org", "polina@example.org"]
    for invite in with_email:
        letter = next(m for m in mail.outbox if m.to == [invite.recipient_email])
        assert links.invite_url(invite) in letter.body

    progress = client.get(response["Location"])
    assert progress.status_code == 200
    assert "Отправлено 2 из 2" in text(progress)
    assert "Рассылка запущена." in messages_of(progress)
    data = client.get(reverse("invites:mailing", args=[org.pk, mailing.pk]) + "?format=json").json()
    assert data["finished"] is True and data["sent"] == 2 and data["total"] == 2


def test_a_running_mailing_page_polls_for_figures_and_offers_a_manual_refresh(client, org, admin):
    mailing = InviteMailing.objects.create(
        organisation=org, invite_ids=[1, 2, 3], total=3, sent=1, sent_ids=[1], status="running", created_by=admin
    )
    client.force_login(admin)

    page = client.get(reverse("invites:mailing", args=[org.pk, mailing.pk]))

    body = text(page)
    assert "Отправлено 1 из 3" in body
    assert "Обновить вручную" in body
    # The polling script is a static file (the CSP allows no inline script); it reads the figures from data-url.
    html = page.content.decode()
    assert '<script src="/static/js/mailing-progress.js">' in html
    assert f'data-url="{reverse("invites:mailing", args=[org.pk, mailing.pk])}?format=json"' in html
    script = Path(finders.find("js/mailing-progress.js")).read_text()
    assert "setInterval" in script and "2000" in script
    data = client.get(reverse("invites:mailing", args=[org.pk, mailing.pk]) + "?format=json").json()
    assert data["finished"] is False and data["text"] == "отправлено 1 из 3"


def test_mailing_without_addresses_is_refused_with_a_message(client, org, cls, admin):
    links.invite_create(organisation=org, actor=admin, role="student", target_group=cls, recipient_name="Без Почты")
    client.force_login(admin)

    response = client.post(class_url(org, cls, "class_mail"), follow=True)

    assert "Выберите приглашения для рассылки." in messages_of(response)
    assert not InviteMailing.objects.exists()
    assert not mail.outbox


# --- Another organisation ----------------------------------------------------------------------


def test_another_organisations_user_sees_nothing_of_the_class(client, org, cls, admin):
    links.invite_create(organisation=org, actor=admin, role="student", target_group=cls, recipient_name="А Б")
    mailing = InviteMailing.objects.create(organisation=org, invite_ids=[], total=0, created_by=admin)
    stranger = admin_of(OrganisationFactory())
    client.force_login(stranger)

    for url in [
        class_url(org, cls),
        class_url(org, cls, "class_created") + "?ids=1",
        class_url(org, cls, "class_kit"),
        class_url(org, cls, "class_export", "csv"),
        class_url(org, cls, "class_export", "xlsx"),
        reverse("invites:mailing", args=[org.pk, mailing.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(class_url(org, cls, "class_mail")).status_code == 404
    assert bulk(client, org, cls, "Новиков Никита").status_code == 404
    assert Invite.objects.count() == 1


def test_the_invite_list_and_the_class_page_link_to_the_class_invites(client, org, cls, admin):
    client.force_login(admin)

    listing = client.get(reverse("invites:list", args=[org.pk]))
    roster = client.get(reverse("orgs:class", args=[org.pk, cls.pk]))

    assert class_url(org, cls) in listing.content.decode()
    assert class_url(org, cls) in roster.content.decode()
