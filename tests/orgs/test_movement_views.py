"""The movement pages: an administrator previews, changes and confirms the promotion and reads its report; moves a
person with a reason and finds it on their history page; accepts a transfer from another school. Others cannot."""

import pytest
from django.urls import reverse

from chats.services.sync import chats_sync_organisation
from orgs.models import Group, Membership
from orgs.movement_models import Movement, OrgTransfer, Promotion
from tests.factories import (
    AcademicYearFactory,
    ClassFactory,
    OrganisationFactory,
    admin_of,
    curator_of,
    student_in,
    teacher_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    org = OrganisationFactory()
    AcademicYearFactory(organisation=org)
    five = ClassFactory(organisation=org, grade=5, letter="А")
    eleven = ClassFactory(organisation=org, grade=11, letter="А")
    curator_of(five)
    pupils = [student_in(five), student_in(eleven)]
    chats_sync_organisation(organisation=org)
    return org, five, eleven, admin_of(org), pupils


def test_the_administrator_previews_changes_and_confirms_the_promotion(
    client, school, django_capture_on_commit_callbacks
):
    org, five, eleven, admin, _pupils = school
    client.force_login(admin)
    url = reverse("orgs:promotion", args=[org.pk])
    page = client.get(url).content.decode()
    assert "2027/2028" in page and "6А" in page and "выпустить" in page
    data = {"from_year": five.academic_year_id, f"action-{five.pk}": "promote", f"action-{eleven.pk}": "exclude"}
    page = client.post(url, {**data, "preview": "1"}).content.decode()
    assert "остаётся как есть" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "confirm": "1"})
    promotion = Promotion.objects.get(organisation=org)
    assert response.status_code == 302 and response["Location"].endswith(f"/promotion/{promotion.pk}/")
    report = client.get(response["Location"]).content.decode()
    assert "5А" in report and "6А" in report and "Не переводились" in report
    eleven.refresh_from_db()
    assert not eleven.is_archived and eleven.name == "11А"
    # The same confirmation again: nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "confirm": "1"})
    assert Promotion.objects.count() == 1
    assert Group.objects.get(pk=five.pk).name == "6А"


def test_a_plan_with_a_collision_is_shown_with_its_error_and_not_confirmed(client, school):
    org, five, eleven, admin, _pupils = school
    client.force_login(admin)
    url = reverse("orgs:promotion", args=[org.pk])
    data = {f"action-{five.pk}": "split", f"parts-{five.pk}": "6А", "confirm": "1"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "не меньше двух" in response.content.decode()
    assert not Promotion.objects.exists()


def test_a_movement_with_its_reason_shows_on_the_history_page(client, school):
    org, five, _eleven, admin, pupils = school
    client.force_login(admin)
    pupil = pupils[0]
    url = reverse("orgs:person_action", args=[org.pk, pupil.pk, "move"])
    response = client.post(url, {"kind": "expel", "reason": "Приказ № 7 от 01.06.2027"})
    assert response.status_code == 302
    history = client.get(reverse("orgs:person_history", args=[org.pk, pupil.pk])).content.decode()
    assert "Отчисление" in history and "Приказ № 7 от 01.06.2027" in history and five.name in history
    assert Membership.objects.get(organisation=org, user=pupil).end_reason == "Приказ № 7 от 01.06.2027"


def test_a_dismissal_changes_the_position_history_too(client, school):
    org, _five, _eleven, admin, _pupils = school
    teacher = teacher_of(org)
    client.force_login(admin)
    url = reverse("orgs:person_action", args=[org.pk, teacher.pk, "move"])
    client.post(url, {"kind": "position", "position": "deputy", "reason": "Приказ № 3"})
    client.post(url, {"kind": "dismiss", "reason": "По собственному желанию"})
    kinds = list(Movement.objects.filter(user=teacher).order_by("pk").values_list("kind", "reason"))
    assert kinds == [("position", "Приказ № 3"), ("dismiss", "По собственному желанию")]
    history = client.get(reverse("orgs:person_history", args=[org.pk, teacher.pk])).content.decode()
    assert "Увольнение" in history and "Изменение должности" in history


def test_a_transfer_is_accepted_by_the_receiving_administrator(client, school, django_capture_on_commit_callbacks):
    org, _five, _eleven, admin, pupils = school
    other = OrganisationFactory(short_name="Лицей № 2")
    AcademicYearFactory(organisation=other)
    their_class = ClassFactory(organisation=other, grade=5, letter="Б")
    their_admin = admin_of(other)
    client.force_login(admin)
    url = reverse("orgs:person_action", args=[org.pk, pupils[0].pk, "move"])
    client.post(url, {"kind": "transfer_out", "target": other.pk, "reason": "Переезд"})
    transfer = OrgTransfer.objects.get()
    assert transfer.status == "pending"
    client.force_login(their_admin)
    page = client.get(reverse("orgs:transfers", args=[other.pk])).content.decode()
    assert pupils[0].full_name in page and "Переезд" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("orgs:transfers", args=[other.pk]),
            {"transfer": transfer.pk, "group": their_class.pk, "accept": "1"},
        )
    assert response.status_code == 302
    assert Membership.objects.get(organisation=org, user=pupils[0]).valid_to is not None
    assert Membership.objects.get(organisation=other, user=pupils[0]).is_active
    # Each school keeps its own side of the history; neither sees the other's transfers page.
    assert Movement.objects.get(organisation=org, user=pupils[0], kind="transfer_out")
    assert Movement.objects.get(organisation=other, user=pupils[0], kind="transfer_in").to_name == their_class.name
    assert client.get(reverse("orgs:transfers", args=[org.pk])).status_code == 404


@pytest.mark.parametrize("name", ["movement", "promotion", "transfers"])
def test_only_administrators_open_the_movement_pages(client, school, name):
    org, five, _eleven, admin, pupils = school
    client.force_login(teacher_of(org, position="director"))
    assert client.get(reverse(f"orgs:{name}", args=[org.pk])).status_code == 403
    client.force_login(admin)
    assert client.get(reverse(f"orgs:{name}", args=[org.pk])).status_code == 200


def test_hiring_from_the_movement_page(client, school):
    org, _five, _eleven, admin, _pupils = school
    client.force_login(admin)
    response = client.post(
        reverse("orgs:movement", args=[org.pk]),
        {"last_name": "Петрова", "first_name": "Анна", "phone": "+79141234567", "position": "teacher"},
    )
    assert response.status_code == 302
    hired = Membership.objects.get(organisation=org, role="teacher", user__last_name="Петрова")
    assert Movement.objects.filter(user=hired.user, kind="hire").exists()
