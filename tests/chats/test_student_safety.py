"""Student safety: a student sees only the people of their own chats, and nobody's phone or e-mail.

The organisation's people pages and API give a student only themselves (orgs knows nothing of chats); the chat's
member list is where they meet the people they share a chat with. System channels do not count: their readers are
the whole organisation, so a channel lists only those who post in it.
"""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from chats.models import Chat
from chats.services.sync import chats_sync_organisation
from invites.models import JoinRequest
from invites.services import links
from orgs.models import Membership
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    UserFactory,
    admin_of,
    curator_of,
    parent_of,
    student_in,
    teacher_of,
    teaches,
)

pytestmark = pytest.mark.django_db


def person(last_name: str):
    return UserFactory(last_name=last_name)


@pytest.fixture
def school():
    org = OrganisationFactory(short_name="Школа № 7")
    five_a = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    five_b = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    p = SimpleNamespace(org=org, five_a=five_a, five_b=five_b, admin=admin_of(org))
    p.curator_a = curator_of(five_a, teacher_of(org))
    p.curator_b = curator_of(five_b, teacher_of(org))
    p.maths = teacher_of(org)
    teaches(five_a, p.maths, "Математика")
    p.lonely_teacher = teacher_of(org)  # staff with no chat in common with the students
    p.student = student_in(five_a, person("Дашиев"))
    p.classmate = student_in(five_a, person("Цыренов"))
    p.other_student = student_in(five_b, person("Бальжинимаев"))
    p.parent = parent_of(p.student, org, person("Дашиева"))
    p.other_parent = parent_of(p.other_student, org, person("Бальжинимаева"))
    chats_sync_organisation(organisation=org)
    p.class_chat = Chat.objects.get(group=five_a, kind="class")
    p.subject_chat = Chat.objects.get(group=five_a, kind="subject")
    p.other_class_chat = Chat.objects.get(group=five_b, kind="class")
    p.general = Chat.objects.get(organisation=org, kind="general_channel")
    return p


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def ids(rows, key="person") -> set[int]:
    return {row[key]["id"] for row in rows}


def everyone(p):
    return [
        p.admin,
        p.curator_a,
        p.curator_b,
        p.maths,
        p.lonely_teacher,
        p.student,
        p.classmate,
        p.other_student,
        p.parent,
        p.other_parent,
    ]


# --- The organisation's people -----------------------------------------------------------------------------------


def test_the_people_pages_show_a_student_only_themselves(school, client):
    p = school
    client.force_login(p.student)
    assert client.get(reverse("orgs:people", args=[p.org.pk])).status_code == 403
    assert client.get(reverse("orgs:person", args=[p.org.pk, p.student.pk])).status_code == 200
    for other in everyone(p):
        if other != p.student:
            response = client.get(reverse("orgs:person", args=[p.org.pk, other.pk]))
            assert response.status_code == 404, other.last_name


def test_the_members_api_gives_a_student_only_themselves_and_a_parent_their_child(school):
    p = school
    rows = api(p.student).get(f"/api/v1/orgs/{p.org.pk}/members/").json()["results"]
    assert ids(rows) == {p.student.pk}
    foreign = Membership.objects.get(user=p.lonely_teacher).pk
    assert api(p.student).get(f"/api/v1/orgs/{p.org.pk}/members/{foreign}/").status_code == 404
    rows = api(p.parent).get(f"/api/v1/orgs/{p.org.pk}/members/").json()["results"]
    assert {(r["person"]["id"], r["role"]) for r in rows} == {(p.parent.pk, "parent"), (p.student.pk, "student")}
    # Staff still see one another and their own classes.
    rows = api(p.curator_b).get(f"/api/v1/orgs/{p.org.pk}/members/").json()["results"]
    assert {p.lonely_teacher.pk, p.other_student.pk} <= ids(rows) and p.student.pk not in ids(rows)


def test_the_structure_shows_a_student_only_their_own_curator(school):
    p = school
    groups = {g["name"]: g for g in api(p.student).get(f"/api/v1/orgs/{p.org.pk}/groups/").json()["results"]}
    assert groups["5А"]["curator"]["id"] == p.curator_a.pk
    assert groups["5Б"]["curator"] is None
    groups = {g["name"]: g for g in api(p.admin).get(f"/api/v1/orgs/{p.org.pk}/groups/").json()["results"]}
    assert groups["5Б"]["curator"]["id"] == p.curator_b.pk


# --- Chat member lists ---------------------------------------------------------------------------------------------


def test_a_chat_lists_its_members_to_a_student_and_other_chats_are_not_found(school, client):
    p = school
    mates = {p.curator_a.pk, p.student.pk, p.classmate.pk}
    for url in (
        f"/api/v1/chats/{p.class_chat.pk}/members/",
        f"/api/v1/orgs/{p.org.pk}/chats/{p.class_chat.pk}/members/",
    ):
        assert ids(api(p.student).get(url).json()["results"], "user") == mates
    subject = api(p.student).get(f"/api/v1/chats/{p.subject_chat.pk}/members/").json()["results"]
    assert ids(subject, "user") == {p.maths.pk, p.student.pk, p.classmate.pk}
    assert api(p.student).get(f"/api/v1/chats/{p.other_class_chat.pk}/members/").status_code == 404

    client.force_login(p.student)
    page = text(client.get(reverse("chats:members", args=[p.class_chat.pk])))
    assert p.classmate.last_name in page and p.curator_a.last_name in page
    assert p.other_student.last_name not in page and p.parent.last_name not in page
    assert client.get(reverse("chats:members", args=[p.other_class_chat.pk])).status_code == 404


def test_the_general_channel_lists_only_those_who_post_in_it(school, client):
    p = school
    rows = api(p.student).get(f"/api/v1/chats/{p.general.pk}/members/").json()["results"]
    assert ids(rows, "user") == {p.admin.pk}
    client.force_login(p.student)
    page = text(client.get(reverse("chats:members", args=[p.general.pk])))
    for hidden in (p.other_student, p.other_parent, p.lonely_teacher, p.curator_b):
        assert hidden.last_name not in page


def test_nobody_elses_phone_or_email_reaches_a_student(school, client):
    p = school
    client.force_login(p.student)
    pages = [
        reverse("orgs:org_home", args=[p.org.pk]),
        reverse("orgs:person", args=[p.org.pk, p.student.pk]),
        reverse("chats:chat_list", args=[p.org.pk]),
        reverse("chats:chat", args=[p.class_chat.pk]),
        reverse("chats:members", args=[p.class_chat.pk]),
        reverse("chats:members", args=[p.general.pk]),
    ]
    seen = " ".join(text(client.get(url)) for url in pages)
    for url in (
        f"/api/v1/orgs/{p.org.pk}/members/",
        f"/api/v1/orgs/{p.org.pk}/groups/",
        f"/api/v1/orgs/{p.org.pk}/chats/",
        f"/api/v1/chats/{p.class_chat.pk}/members/",
        f"/api/v1/chats/{p.general.pk}/members/",
    ):
        response = api(p.student).get(url)
        assert response.status_code == 200, url
        seen += response.content.decode()
    for other in everyone(p):
        if other != p.student:
            assert other.phone not in seen and other.email not in seen, other.last_name


# --- Invites and join requests -------------------------------------------------------------------------------------


def test_a_class_wide_parent_link_does_not_show_the_roster_to_a_student(school, client):
    p = school
    _invite, token = links.invite_create(
        organisation=p.org, actor=p.admin, role="parent", target_group=p.five_a, max_uses=None
    )
    assert api(p.other_student).get(f"/api/v1/invites/{token}/").json()["children"] == []
    names = [c["name"] for c in api(UserFactory()).get(f"/api/v1/invites/{token}/").json()["children"]]
    assert f"{p.student.last_name} {p.student.first_name[0]}." in names
    client.force_login(p.other_student)
    page = client.get(reverse("invites:join", args=[token]))
    assert p.student.last_name not in text(page) and p.classmate.last_name not in text(page)
    # A student's account does not become a parent, so it does not come into the parents' chats.
    resp = api(p.other_student).post(f"/api/v1/invites/{token}/redeem/", {"child": p.student.pk}, format="json")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "parent_is_child"
    assert not Membership.objects.filter(user=p.other_student, role="parent").exists()


def test_students_and_parents_see_no_join_requests(school, client):
    p = school
    applicant = UserFactory(last_name="Заявителев")
    JoinRequest.objects.create(organisation=p.org, user=applicant, role="student", group=p.five_a)
    for user in (p.student, p.parent):
        client.force_login(user)
        assert client.get(reverse("invites:join_requests", args=[p.org.pk])).status_code == 403
        body = api(user).get(f"/api/v1/orgs/{p.org.pk}/join-requests/").json()
        assert body["count"] == 0 and "Заявителев" not in str(body)


# --- No private conversations: students create no chats --------------------------------------------------------


def test_a_student_and_a_parent_create_no_chat(school, client):
    p = school
    before = Chat.objects.count()
    for user in (p.student, p.parent):
        resp = api(user).post(
            f"/api/v1/orgs/{p.org.pk}/chats/",
            {"kind": "other", "title": "Личный", "members": [p.curator_a.pk]},
            format="json",
        )
        assert resp.status_code == 403, resp.content
        client.force_login(user)
        assert client.get(reverse("chats:create", args=[p.org.pk])).status_code == 403
        assert (
            client.post(reverse("chats:create", args=[p.org.pk]), {"kind": "other", "title": "Личный"}).status_code
            == 403
        )
    assert Chat.objects.count() == before


def test_a_student_who_is_in_a_chat_may_not_invite_into_it(school, client):
    p = school
    chat = Chat.objects.create(organisation=p.org, kind="other", title="Кружок", group=p.five_a, created_by=p.curator_a)
    chat.members.create(user=p.curator_a, role="owner")
    chat.members.create(user=p.student)
    client.force_login(p.student)
    assert client.get(reverse("invites:chat", args=[p.org.pk, chat.pk])).status_code == 403
    resp = api(p.student).post(
        f"/api/v1/orgs/{p.org.pk}/invites/", {"role": "student", "target_chat": chat.pk}, format="json"
    )
    assert resp.status_code == 403
