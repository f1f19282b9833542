"""Movement through the API: the promotion's preview, confirmation (twice: nothing new) and report; a member's
movement kinds and history; a transfer accepted by the receiving administrator."""

import pytest
from rest_framework.test import APIClient

from chats.services.sync import chats_sync_organisation
from orgs.models import Group, Membership
from orgs.movement_models import Movement, OrgTransfer
from tests.factories import AcademicYearFactory, ClassFactory, OrganisationFactory, admin_of, student_in, teacher_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    org = OrganisationFactory()
    AcademicYearFactory(organisation=org)
    five = ClassFactory(organisation=org, grade=5, letter="А")
    six = ClassFactory(organisation=org, grade=5, letter="Б")
    pupil = student_in(five)
    chats_sync_organisation(organisation=org)
    return org, five, six, pupil, admin_of(org)


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_preview_confirm_and_report(school, django_capture_on_commit_callbacks):
    org, five, six, _pupil, admin = school
    client = _client(admin)
    base = f"/api/v1/orgs/{org.pk}/promotions/"
    changes = {"changes": {str(six.pk): {"action": "merge", "merge_into": five.pk}}}
    plan = client.post(base + "preview/", changes, format="json").json()
    assert {r["name"]: (r["action"], r["to"]) for r in plan["rows"]} == {"5А": ("promote", "6А"), "5Б": ("merge", "6А")}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(base, {**changes, "from_year": plan["from_year"]}, format="json")
    assert response.status_code == 202, response.content
    promotion = client.get(f"{base}{response.json()['id']}/").json()
    assert promotion["status"] == "done" and promotion["progress"] == {"status": "done", "done": 2, "total": 2}
    assert promotion["report"]["merged"] == [{"from": "5Б", "to": "6А", "students": 0}]
    again = client.post(base, {**changes, "from_year": plan["from_year"]}, format="json")
    assert again.json()["id"] == promotion["id"]
    assert len(client.get(base).json()["results"]) == 1


def test_a_bad_plan_is_a_clear_400(school):
    org, five, _six, _pupil, admin = school
    client = _client(admin)
    response = client.post(
        f"/api/v1/orgs/{org.pk}/promotions/", {"changes": {str(five.pk): {"action": "split"}}}, format="json"
    )
    assert response.status_code == 400
    assert "разделения" in response.json()["error"]["message"]


def test_movement_kinds_and_history(school):
    org, five, six, pupil, admin = school
    client = _client(admin)
    member = Membership.objects.get(organisation=org, user=pupil)
    url = f"/api/v1/orgs/{org.pk}/members/{member.pk}/"
    moved = client.post(url + "move/", {"kind": "transfer", "group": six.pk, "reason": "Заявление"}, format="json")
    assert moved.status_code == 200, moved.content
    assert (moved.json()["kind"], moved.json()["from_name"], moved.json()["to_name"]) == ("transfer", "5А", "5Б")
    refused = client.post(url + "move/", {"kind": "dismiss"}, format="json")
    assert refused.status_code == 400
    assert client.post(url + "move/", {"kind": "graduate", "reason": "выпуск"}, format="json").status_code == 200
    kinds = [row["kind"] for row in client.get(url + "history/").json()]
    assert kinds == ["graduate", "transfer"]
    assert Membership.objects.get(pk=member.pk).end_reason == "выпуск"


def test_a_teacher_cannot_move_anyone(school):
    org, _five, six, pupil, _admin = school
    member = Membership.objects.get(organisation=org, user=pupil)
    response = _client(teacher_of(org)).post(
        f"/api/v1/orgs/{org.pk}/members/{member.pk}/move/", {"kind": "expel"}, format="json"
    )
    assert response.status_code in (403, 404)
    assert Membership.objects.get(pk=member.pk).is_active


def test_a_transfer_between_schools(school, django_capture_on_commit_callbacks):
    org, _five, _six, pupil, admin = school
    other = OrganisationFactory()
    AcademicYearFactory(organisation=other)
    their = ClassFactory(organisation=other, grade=5, letter="В")
    their_admin = admin_of(other)
    member = Membership.objects.get(organisation=org, user=pupil)
    asked = _client(admin).post(
        f"/api/v1/orgs/{org.pk}/members/{member.pk}/move/", {"kind": "transfer_out", "target": other.pk}, format="json"
    )
    assert asked.status_code == 202 and asked.json()["status"] == "pending"
    theirs = _client(their_admin)
    listed = theirs.get(f"/api/v1/orgs/{other.pk}/transfers/").json()["results"]
    assert [t["user_name"] for t in listed] == [pupil.full_name]
    no_class = theirs.post(f"/api/v1/orgs/{other.pk}/transfers/{listed[0]['id']}/accept/", {}, format="json")
    assert no_class.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        accepted = theirs.post(
            f"/api/v1/orgs/{other.pk}/transfers/{listed[0]['id']}/accept/", {"group": their.pk}, format="json"
        )
    assert accepted.json()["status"] == OrgTransfer.Status.ACCEPTED
    assert Group.objects.get(pk=their.pk).placements.filter(student=pupil, valid_to__isnull=True).exists()
    assert not Membership.objects.get(pk=member.pk).is_active
    assert Movement.objects.filter(user=pupil, kind__in=["transfer_out", "transfer_in"]).count() == 2


def test_enrolling_a_student_without_a_class_and_refusing_one_already_placed(school):
    """A student who joined the school but sits in no class yet is enrolled in one through the API; enrolling a
    student who already has a class is refused with a clear message (a transfer is what is meant)."""
    from orgs.models import Placement
    from tests.factories import member

    org, five, six, pupil, admin = school
    client = _client(admin)
    unplaced = member(org, Membership.Role.STUDENT)
    newcomer = unplaced.user
    url = f"/api/v1/orgs/{org.pk}/members/{unplaced.pk}/move/"
    enrolled = client.post(url, {"kind": "enrol", "group": six.pk, "reason": "Приказ № 12"}, format="json")
    assert enrolled.status_code == 200, enrolled.content
    assert (enrolled.json()["kind"], enrolled.json()["to_name"]) == ("enrol", "5Б")
    assert Placement.objects.get(student=newcomer, valid_to__isnull=True).group == six
    history = client.get(f"/api/v1/orgs/{org.pk}/members/{unplaced.pk}/history/").json()
    assert [(row["kind"], row["reason"]) for row in history] == [("enrol", "Приказ № 12")]

    placed = Membership.objects.get(organisation=org, user=pupil)
    again = client.post(
        f"/api/v1/orgs/{org.pk}/members/{placed.pk}/move/", {"kind": "enrol", "group": six.pk}, format="json"
    )
    assert again.status_code == 409, again.content
    assert "выберите перевод" in again.json()["error"]["message"]
    assert Placement.objects.get(student=pupil, valid_to__isnull=True).group == five
