"""The documents pages as the administrator, the director and a teacher use them; another organisation sees none."""

import html

import pytest
from django.urls import reverse

from policies.models import DocumentVersion, ResponsiblePerson
from policies.services.documents import version_create
from policies.services.workflow import version_agreement_add, version_approve

from .helpers import PROTOCOL_DATE, office

pytestmark = pytest.mark.django_db


def page(client, user, url, data=None):
    client.force_login(user)
    response = client.post(url, data) if data is not None else client.get(url)
    return response, html.unescape(response.content.decode())


def test_the_administrator_drafts_edits_and_sends_and_the_director_approves(client):
    o = office()
    org = o.org.pk
    response, _ = page(client, o.admin, reverse("policies:version_new", args=[org, "regulation"]), {"major": "1"})
    version = DocumentVersion.objects.get(document__organisation=o.org)
    assert response.status_code == 302 and response["Location"].endswith(f"/versions/{version.pk}/edit/")

    _, text = page(client, o.admin, reverse("policies:documents", args=[org]))
    assert "Продолжить работу с проектом 1.0" in text and "Создать проект новой версии" not in text
    edit = reverse("policies:version_edit", args=[org, version.pk])
    _, text = page(client, o.admin, edit)
    assert "Пункт 3.1" in text and "изменён по сравнению с шаблоном" not in text
    page(client, o.admin, reverse("policies:clause_save", args=[org, version.pk, "access"]), {"access-text": "Свой."})
    _, text = page(client, o.admin, edit)
    assert text.count("изменён по сравнению с шаблоном") == 1 and "Текст шаблона" in text

    agreement = {"body": "Педагогический совет", "protocol_number": "7", "protocol_date": PROTOCOL_DATE.isoformat()}
    page(client, o.admin, reverse("policies:version_agreement", args=[org, version.pk]), agreement)
    version.refresh_from_db()
    assert version.status == DocumentVersion.Status.AGREEMENT

    approve = reverse("policies:version_approve", args=[org, version.pk])
    page(client, o.admin, approve, {"method": "in_app"})
    version.refresh_from_db()
    assert version.status == DocumentVersion.Status.AGREEMENT  # an administrator does not approve
    page(client, o.director, approve, {"method": "order", "order_number": "15-од", "order_date": "2026-08-29"})
    version.refresh_from_db()
    assert version.status == DocumentVersion.Status.IN_FORCE

    _, text = page(client, o.teacher, reverse("policies:version", args=[org, version.pk]))
    assert "УТВЕРЖДЕНО" in text and "от 29.08.2026 № 15-од" in text
    assert "СОГЛАСОВАНО" in text and "Протокол № 7 от 28.08.2026" in text
    assert '<span class="policy-number">3.1.</span> Свой.' in text and o.org.full_name in text and "ПОЛОЖЕНИЕ" in text


def test_a_teacher_sees_documents_in_force_but_no_drafts(client):
    o = office()
    draft = version_create(organisation=o.org, kind="regulation", actor=o.admin)
    response, text = page(client, o.teacher, reverse("policies:documents", args=[o.org.pk]))
    assert response.status_code == 200 and "Версий пока нет" in text and "Составить проект" not in text
    assert page(client, o.teacher, reverse("policies:version", args=[o.org.pk, draft.pk]))[0].status_code == 404
    assert page(client, o.director, reverse("policies:version", args=[o.org.pk, draft.pk]))[0].status_code == 200
    assert page(client, o.director, reverse("policies:version_edit", args=[o.org.pk, draft.pk]))[0].status_code == 403


def test_the_author_is_told_that_someone_else_approves(client):
    o = office()
    from tests.factories import member

    member(o.org, "admin", o.director)
    version = version_create(organisation=o.org, kind="regulation", actor=o.director)
    version_agreement_add(
        version=version, actor=o.admin, body="Совет", protocol_number="1", protocol_date=PROTOCOL_DATE
    )
    _, text = page(client, o.director, reverse("policies:version", args=[o.org.pk, version.pk]))
    assert "утвердить его должен другой человек" in text
    response, _ = page(
        client, o.director, reverse("policies:version_approve", args=[o.org.pk, version.pk]), {"method": "in_app"}
    )
    response = client.get(response["Location"])
    assert "Автор проекта" in html.unescape(response.content.decode())
    version.refresh_from_db()
    assert version.status == DocumentVersion.Status.AGREEMENT


def test_in_app_approval_shows_the_directors_stamp(client):
    o = office()
    version = version_create(organisation=o.org, kind="procedure", actor=o.admin)
    _, text = page(client, o.admin, reverse("policies:version", args=[o.org.pk, version.pk]))
    assert "ПРОЕКТ" in text and "УТВЕРЖДАЮ" in text
    version_agreement_add(
        version=version, actor=o.admin, body="Совет", protocol_number="1", protocol_date=PROTOCOL_DATE
    )
    version_approve(version=version, actor=o.director, method="in_app")
    _, text = page(client, o.teacher, reverse("policies:version", args=[o.org.pk, version.pk]))
    assert "УТВЕРЖДАЮ" in text and o.director.short_name in text and "ПРОЕКТ" not in text


def test_an_order_carries_its_own_date_and_number(client):
    o = office()
    version = version_create(organisation=o.org, kind="order", actor=o.admin)
    version_approve(version=version, actor=o.director, method="order", order_number="45-од", order_date=PROTOCOL_DATE)
    _, text = page(client, o.teacher, reverse("policies:version", args=[o.org.pk, version.pk]))
    assert "от 28.08.2026 № 45-од" in text and "ПРИКАЗЫВАЮ" in text and "УТВЕРЖДЕНО" not in text
    assert f'Директор <span class="policy-sign-line"></span> {o.director.short_name}' in text


def test_another_organisation_sees_nothing(client):
    o, other = office(), office()
    version = version_create(organisation=o.org, kind="regulation", actor=o.admin)
    for name, args in (
        ("policies:documents", [o.org.pk]),
        ("policies:version", [o.org.pk, version.pk]),
        ("policies:version_edit", [o.org.pk, version.pk]),
        ("policies:responsible", [o.org.pk]),
    ):
        assert page(client, other.admin, reverse(name, args=args))[0].status_code == 404
    # Another organisation's version under one's own organisation is not found either.
    assert page(client, other.admin, reverse("policies:version", args=[other.org.pk, version.pk]))[0].status_code == 404
    url = reverse("policies:clause_save", args=[other.org.pk, version.pk, "access"])
    assert page(client, other.admin, url, {"access-text": "x"})[0].status_code == 404


def test_responsible_persons_are_shown_to_members_and_kept_by_administrators(client):
    o = office()
    url = reverse("policies:responsible", args=[o.org.pk])
    data = {"person": "", "duty": "moderation", "position": "учитель информатики", "valid_from": "2026-09-01"}
    assert page(client, o.teacher, url, data)[0].status_code == 403
    membership = o.teacher.memberships.get(organisation=o.org)
    response, _ = page(client, o.admin, url, {**data, "person": membership.pk})
    assert response.status_code == 302
    _, text = page(client, o.teacher, url)
    assert o.teacher.full_name in text and "учитель информатики" in text and "Назначить ответственного" not in text
    responsible = ResponsiblePerson.objects.get(organisation=o.org)
    page(
        client,
        o.admin,
        reverse("policies:responsible_end", args=[o.org.pk, responsible.pk]),
        {"valid_to": "2026-12-31"},
    )
    responsible.refresh_from_db()
    assert str(responsible.valid_to) == "2026-12-31"


def test_bad_input_gets_a_message_not_an_error(client):
    o = office()
    version = version_create(organisation=o.org, kind="regulation", actor=o.admin)
    url = reverse("policies:version_agreement", args=[o.org.pk, version.pk])
    response, _ = page(client, o.admin, url, {"body": "", "protocol_number": "", "protocol_date": "вчера"})
    assert response.status_code == 302
    text = html.unescape(client.get(response["Location"]).content.decode())
    assert "Укажите орган, номер и дату протокола" in text
    response, _ = page(client, o.admin, reverse("policies:version_new", args=[o.org.pk, "nothing"]), {})
    assert response.status_code == 404


def test_the_list_costs_the_same_queries_however_many_versions(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from policies.services.workflow import version_approve

    o = office()
    client.force_login(o.admin)
    url = reverse("policies:documents", args=[o.org.pk])

    def publish(kind, major):
        version = version_create(organisation=o.org, kind=kind, actor=o.admin, major=major)
        version_agreement_add(
            version=version, actor=o.admin, body="Совет", protocol_number="1", protocol_date=PROTOCOL_DATE
        )
        version_approve(version=version, actor=o.director, method="in_app")

    publish("regulation", True)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for kind in ("regulation", "procedure"):
        publish(kind, False)
        publish(kind, True)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
