"""The invites API as a client sees it: statuses, rows, links, messages, what others can not see."""

import zoneinfo
from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from invites.models import Invite, JoinRequest, Redemption
from invites.services import bulk as bulk_services
from invites.services import jobs, links
from invites.services.join_requests import join_request_create
from orgs.models import Group, Membership, ParentLink, Placement
from portal.exceptions import RuleViolation
from tests.concurrency import at_once
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
from tests.postgres import postgres_only

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache(_media_and_mail):
    # The token guard counts misses per address in the cache; each test starts and ends with a clean slate.
    # After the conftest fixture, so that it is the tests' own in-memory cache that is cleared.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def school():
    org = OrganisationFactory()
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    return org, cls, admin_of(org)


def client_of(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def error(resp):
    body = resp.json()
    assert set(body) == {"error"}, body
    return body["error"]


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def invites_url(org, suffix=""):
    return f"/api/v1/orgs/{org.pk}/invites/{suffix}"


def create(client, org, **body):
    body.setdefault("role", "student")
    resp = client.post(invites_url(org), body, format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()


def local(value, org) -> str:
    return timezone.localtime(value, zoneinfo.ZoneInfo(org.time_zone)).strftime("%d.%m.%Y %H:%M")


# --- Create, list, filter ---------------------------------------------------------------


def test_admin_creates_a_link_shown_with_expiry_in_the_organisations_time_zone(school):
    org, cls, admin = school
    expires = (timezone.now() + timedelta(days=5)).replace(second=0, microsecond=0)
    row = create(
        client_of(admin),
        org,
        target_group=cls.pk,
        max_uses=None,
        expires_at=expires.isoformat(),
        recipient_name="Родительский чат 5А",
    )
    assert row["status"] == "active" and row["status_display"] == "действует"
    assert row["target_group"] == {"id": cls.pk, "name": "5А"}
    assert row["created_by"]["id"] == admin.pk
    assert row["max_uses"] is None and row["use_count"] == 0
    assert row["recipient"]["name"] == "Родительский чат 5А"
    assert row["expires_at_local"] == local(expires, org) != expires.strftime("%d.%m.%Y %H:%M")
    assert row["time_zone"] == "Asia/Irkutsk"
    assert row["link"].startswith("http") and "/join/" in row["link"]
    assert client_of().get(f"/api/v1/invites/{token_of(row['link'])}/").status_code == 200
    teacher_row = create(client_of(admin), org, role="teacher")
    assert teacher_row["target_group"]["name"] == Group.objects.get(organisation=org, kind="staff").name
    assert teacher_row["role_display"] == "педагог"


def test_create_refuses_bad_input_with_russian_messages(school):
    org, cls, admin = school
    client = client_of(admin)
    resp = client.post(invites_url(org), {"role": "student"}, format="json")
    assert resp.status_code == 400 and error(resp)["code"] == "class_required"
    resp = client.post(
        invites_url(org),
        {"role": "student", "target_group": cls.pk, "expires_at": (timezone.now() + timedelta(days=400)).isoformat()},
        format="json",
    )
    assert resp.status_code == 400 and "дольше 90" in error(resp)["message"]
    other_org_class = ClassFactory(organisation=OrganisationFactory())
    resp = client.post(invites_url(org), {"role": "student", "target_group": other_org_class.pk}, format="json")
    assert resp.status_code == 404
    outsider = UserFactory()
    resp = client.post(
        invites_url(org), {"role": "parent", "target_group": cls.pk, "bound_student": outsider.pk}, format="json"
    )
    assert resp.status_code == 400 and "bound_student" in error(resp)["fields"]
    assert not Invite.objects.exists()


def test_list_filters_by_status_as_of_now_role_class_and_author(school):
    org, cls, admin = school
    other = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    curator = curator_of(other)
    admin_client = client_of(admin)
    student_link = create(admin_client, org, target_group=cls.pk)
    parent_link = create(admin_client, org, role="parent", target_group=cls.pk)
    curators_link = create(client_of(curator), org, target_group=other.pk)
    overdue = create(admin_client, org, target_group=other.pk)
    # Past its expiry but the expiry job has not run yet: it is shown, and filtered, as expired.
    Invite.objects.filter(pk=overdue["id"]).update(expires_at=timezone.now() - timedelta(minutes=1))
    paused = create(admin_client, org, role="teacher")
    assert admin_client.post(invites_url(org, f"{paused['id']}/pause/")).status_code == 200

    def ids(query):
        resp = admin_client.get(invites_url(org) + query)
        assert resp.status_code == 200, resp.content
        return {row["id"] for row in resp.json()["results"]}

    assert ids("") == {student_link["id"], parent_link["id"], curators_link["id"], overdue["id"], paused["id"]}
    assert ids("?status=active") == {student_link["id"], parent_link["id"], curators_link["id"]}
    assert ids("?status=expired") == {overdue["id"]}
    assert ids("?status=paused") == {paused["id"]}
    assert ids("?role=parent") == {parent_link["id"]}
    assert ids(f"?target_group={other.pk}") == {curators_link["id"], overdue["id"]}
    assert ids(f"?created_by={curator.pk}") == {curators_link["id"]}
    rows = {row["id"]: row for row in admin_client.get(invites_url(org)).json()["results"]}
    assert rows[overdue["id"]]["status"] == "expired" and rows[overdue["id"]]["status_display"] == "истекла"
    assert admin_client.get(invites_url(org) + "?role=king").status_code == 400


# --- Managing a link ----------------------------------------------------------------------


def test_revoke_regenerate_pause_resume(school):
    org, cls, admin = school
    client = client_of(admin)
    row = create(client, org, target_group=cls.pk, max_uses=None)
    first_token = token_of(row["link"])

    resp = client.post(invites_url(org, f"{row['id']}/regenerate/"))
    assert resp.status_code == 200
    new_token = token_of(resp.json()["link"])
    assert new_token != first_token
    assert client_of().get(f"/api/v1/invites/{first_token}/").status_code == 404
    assert client_of().get(f"/api/v1/invites/{new_token}/").status_code == 200

    resp = client.post(invites_url(org, f"{row['id']}/pause/"), {"note": "проверяем"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "paused" and resp.json()["status_note"] == "проверяем"
    resp = client_of().get(f"/api/v1/invites/{new_token}/")
    assert resp.status_code == 409 and error(resp)["code"] == "invite_paused"
    assert "приостановлена" in error(resp)["message"]
    assert client.post(invites_url(org, f"{row['id']}/pause/")).status_code == 409

    resp = client.post(invites_url(org, f"{row['id']}/resume/"))
    assert resp.status_code == 200 and resp.json()["status"] == "active"
    assert client_of().get(f"/api/v1/invites/{new_token}/").status_code == 200

    resp = client.post(invites_url(org, f"{row['id']}/revoke/"))
    assert resp.status_code == 200 and resp.json()["status"] == "revoked"
    resp = client_of().get(f"/api/v1/invites/{new_token}/")
    assert resp.status_code == 410 and error(resp)["code"] == "invite_revoked"
    assert client.post(invites_url(org, f"{row['id']}/resume/")).status_code == 409
    assert client.post(invites_url(org, f"{row['id']}/regenerate/")).status_code == 409


def test_curator_relays_an_administrators_class_link_and_redemptions_show_the_way(school):
    org, cls, admin = school
    curator = curator_of(cls)
    parent_row = create(client_of(admin), org, target_group=cls.pk, max_uses=None)
    resp = client_of(curator).post(invites_url(org, f"{parent_row['id']}/relay/"), {"max_uses": 10}, format="json")
    assert resp.status_code == 201, resp.content
    relay = resp.json()
    assert relay["relayed_from"] == parent_row["id"] and relay["created_by"]["id"] == curator.pk
    assert relay["max_uses"] == 10 and relay["link"] != parent_row["link"]

    by_relay, by_parent = UserFactory(), UserFactory()
    assert client_of(by_relay).post(f"/api/v1/invites/{token_of(relay['link'])}/redeem/").status_code == 201
    assert client_of(by_parent).post(f"/api/v1/invites/{token_of(parent_row['link'])}/redeem/").status_code == 201
    detail = client_of(admin).get(invites_url(org, f"{parent_row['id']}/")).json()
    ways = {r["person"]["id"]: (r["via_invite"], r["via_person"]["id"]) for r in detail["redemptions"]}
    assert ways == {by_relay.pk: (relay["id"], curator.pk), by_parent.pk: (parent_row["id"], admin.pk)}
    assert all(r["created_at_local"] for r in detail["redemptions"])

    # Revoking the administrator's link revokes the curator's relay too.
    assert client_of(admin).post(invites_url(org, f"{parent_row['id']}/revoke/")).status_code == 200
    assert client_of(curator).get(invites_url(org, f"{relay['id']}/")).json()["status"] == "revoked"

    # A curator of another class cannot relay it: to them the link does not exist.
    stranger = curator_of(ClassFactory(organisation=org, grade=7, letter="В", name="7В"))
    other_link = create(client_of(admin), org, target_group=cls.pk)
    resp = client_of(stranger).post(invites_url(org, f"{other_link['id']}/relay/"))
    assert resp.status_code == 404


def test_revoke_all_for_a_class_and_for_ones_own_links(school):
    org, cls, admin = school
    other = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    curator = curator_of(cls)
    admin_client, curator_client = client_of(admin), client_of(curator)
    in_cls = [create(admin_client, org, target_group=cls.pk)["id"] for _ in range(2)]
    curators = create(curator_client, org, target_group=cls.pk)["id"]
    in_other = create(admin_client, org, target_group=other.pk)["id"]

    resp = curator_client.post(invites_url(org, "revoke-all/"), {}, format="json")
    assert resp.status_code == 403 and "только свои" in error(resp)["message"]
    resp = curator_client.post(invites_url(org, "revoke-all/"), {"creator": curator.pk}, format="json")
    assert resp.status_code == 200 and resp.json() == {"revoked": 1}
    assert Invite.objects.get(pk=curators).status == "revoked"
    assert Invite.objects.get(pk=in_cls[0]).status == "active"

    resp = admin_client.post(invites_url(org, "revoke-all/"), {"group": cls.pk}, format="json")
    assert resp.status_code == 200 and resp.json() == {"revoked": 2}
    assert set(Invite.objects.filter(status="revoked").values_list("pk", flat=True)) == {*in_cls, curators}
    assert Invite.objects.get(pk=in_other).status == "active"


def test_bulk_for_a_class_personal_links_for_names_and_for_each_students_parents(school):
    org, cls, admin = school
    curator = curator_of(cls)
    kids = [student_in(cls), student_in(cls)]
    resp = client_of(curator).post(
        invites_url(org, "bulk/"),
        {"group": cls.pk, "student_names": ["Иванов Иван", "   ", "Петрова  Анна"], "parents": True},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["count"] == 4
    students = [r for r in body["invites"] if r["role"] == "student"]
    parents = [r for r in body["invites"] if r["role"] == "parent"]
    assert sorted(r["recipient"]["name"] for r in students) == ["Иванов Иван", "Петрова Анна"]
    assert {r["bound_student"]["id"] for r in parents} == {k.pk for k in kids}
    assert all(r["max_uses"] == 1 and r["link"] and r["created_by"]["id"] == curator.pk for r in body["invites"])
    assert len({r["link"] for r in body["invites"]}) == 4

    # A parent follows their personal link and becomes the parent of that very child.
    mother = UserFactory()
    bound = parents[0]
    assert client_of(mother).post(f"/api/v1/invites/{token_of(bound['link'])}/redeem/").status_code == 201
    assert ParentLink.objects.filter(parent=mother, child_id=bound["bound_student"]["id"]).exists()

    resp = client_of(curator).post(invites_url(org, "bulk/"), {"group": cls.pk}, format="json")
    assert resp.status_code == 400 and error(resp)["code"] == "bulk_empty"
    resp = client_of(curator).post(
        invites_url(org, "bulk/"), {"group": cls.pk, "student_names": ["Иван", {"x": 1}]}, format="json"
    )
    assert resp.status_code == 400 and error(resp)["fields"]["student_names"][0].startswith("Строка 2:")
    other = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    resp = client_of(curator).post(
        invites_url(org, "bulk/"), {"group": other.pk, "student_names": ["Кто-то"]}, format="json"
    )
    assert resp.status_code == 403
    assert Invite.objects.count() == 4


def test_bulk_is_all_or_nothing(school, monkeypatch):
    org, cls, admin = school
    student_in(cls)
    calls = []
    real_create = bulk_services.invite_create

    def failing_third(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise RuleViolation("Сбой на третьей ссылке.", code="boom")
        return real_create(**kwargs)

    monkeypatch.setattr(bulk_services, "invite_create", failing_third)
    resp = client_of(admin).post(
        invites_url(org, "bulk/"),
        {"group": cls.pk, "student_names": ["Первый", "Второй"], "parents": True},
        format="json",
    )
    assert resp.status_code == 400 and error(resp)["code"] == "boom"
    assert len(calls) == 3
    assert not Invite.objects.exists()


# --- Public preview and redemption -------------------------------------------------------


def test_preview_for_each_role_in_russian(school):
    org, cls, admin = school
    kid = student_in(cls)
    client = client_of(admin)
    teacher_row = create(client, org, role="teacher")
    student_row = create(client, org, target_group=cls.pk)
    bound_row = create(client, org, role="parent", target_group=cls.pk, bound_student=kid.pk)
    open_row = create(client, org, role="parent", target_group=cls.pk, max_uses=None)

    anonymous = client_of()
    preview = anonymous.get(f"/api/v1/invites/{token_of(teacher_row['link'])}/").json()
    assert preview["organisation"] == org.short_name
    assert preview["target"] == Group.objects.get(organisation=org, kind="staff").name
    assert preview["role_display"] == "педагог" and preview["invited_by"] == admin.full_name
    assert preview["status"] == "active" and preview["status_display"] == "действует"
    assert preview["expires_at_local"] == teacher_row["expires_at_local"]
    preview = anonymous.get(f"/api/v1/invites/{token_of(student_row['link'])}/").json()
    assert (preview["target"], preview["role_display"]) == ("5А", "обучающийся")
    preview = anonymous.get(f"/api/v1/invites/{token_of(bound_row['link'])}/").json()
    assert preview["role_display"] == "родитель (законный представитель)" and preview["child_required"] is False
    # A parent link for the whole class: the roster is shown only to a signed-in visitor.
    preview = anonymous.get(f"/api/v1/invites/{token_of(open_row['link'])}/").json()
    assert preview["child_required"] is True and preview["children"] == []
    preview = client_of(UserFactory()).get(f"/api/v1/invites/{token_of(open_row['link'])}/").json()
    assert preview["children"] == [{"id": kid.pk, "name": f"{kid.last_name} {kid.first_name[0]}."}]
    assert "link" not in preview and "token" not in str(preview)


def test_a_personal_parent_link_shows_and_answers_no_name_of_the_child(school):
    """The link is a key, not a membership: its preview says where and as whom (and who invites, a member of the
    staff); redeeming one that needs approval answers with a receipt, not the child's or the class's rows."""
    org, cls, admin = school
    # Names Faker never makes: the preview names the inviting administrator, whose name is random.
    kid = student_in(cls, UserFactory(last_name="Несветаева", first_name="Агафоклия", patronymic="Игоревна"))
    row = create(
        client_of(admin),
        org,
        role="parent",
        target_group=cls.pk,
        bound_student=kid.pk,
        recipient_name="Зябликова Анна Петровна",
        requires_approval=True,
    )
    url = f"/api/v1/invites/{token_of(row['link'])}/"
    stranger = client_of(UserFactory())
    for viewer in (client_of(), stranger):
        preview = viewer.get(url)
        assert preview.status_code == 200
        assert set(preview.json()) == {
            *("organisation", "target", "chat", "role", "role_display", "invited_by", "expires_at"),
            *("expires_at_local", "time_zone", "status", "status_display", "requires_approval"),
            *("child_required", "children"),
        }
        assert not any(word in preview.content.decode() for word in ("Несветаева", "Агафоклия", "Зябликова"))
    resp = stranger.post(url + "redeem/")
    assert resp.status_code == 201 and resp.json()["outcome"] == "requested"
    assert resp.json()["join_request"]["child"] is None and resp.json()["join_request"]["status"] == "pending"
    assert not any(word in resp.content.decode() for word in ("Несветаева", "Ульяна", "Игоревна", "5А"))
    assert JoinRequest.objects.get(organisation=org).child == kid  # the approver sees whose parent this is


def test_teacher_joins_by_link_unverified(school):
    org, _cls, admin = school
    row = create(client_of(admin), org, role="teacher")
    newcomer = UserFactory()
    resp = client_of(newcomer).post(f"/api/v1/invites/{token_of(row['link'])}/redeem/")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["outcome"] == "joined" and body["message"] == "Вы присоединились."
    assert body["membership"]["role"] == "teacher" and body["membership"]["is_verified"] is False
    assert body["organisation"] == org.pk and body["join_request"] is None
    queue = client_of(admin).get(f"/api/v1/orgs/{org.pk}/members/?role=teacher&verification=pending").json()
    assert newcomer.pk in {m["person"]["id"] for m in queue["results"]}


def test_student_joins_the_class_once_and_not_a_second_class(school):
    org, cls, admin = school
    row = create(client_of(admin), org, target_group=cls.pk, max_uses=None)
    student = UserFactory()
    url = f"/api/v1/invites/{token_of(row['link'])}/redeem/"
    resp = client_of(student).post(url)
    assert resp.status_code == 201 and resp.json()["membership"]["group"]["group_name"] == "5А"
    resp = client_of(student).post(url)
    assert resp.status_code == 200 and resp.json()["outcome"] == "already"
    assert "уже участник" in resp.json()["message"]
    assert Placement.objects.filter(student=student, valid_to__isnull=True).count() == 1

    other = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    other_row = create(client_of(admin), org, target_group=other.pk)
    resp = client_of(student).post(f"/api/v1/invites/{token_of(other_row['link'])}/redeem/")
    assert resp.status_code == 400 and error(resp)["code"] == "student_in_other_class"
    assert "«5А»" in error(resp)["message"]


def test_parent_bound_to_a_child_and_a_childs_own_account_refused(school):
    org, cls, admin = school
    kid = student_in(cls)
    client = client_of(admin)
    row = create(client, org, role="parent", target_group=cls.pk, bound_student=kid.pk)
    resp = client_of(kid).post(f"/api/v1/invites/{token_of(row['link'])}/redeem/")
    assert resp.status_code == 400 and error(resp)["code"] == "parent_is_child"
    assert "учётной записью ребёнка" in error(resp)["message"]
    father = UserFactory()
    resp = client_of(father).post(f"/api/v1/invites/{token_of(row['link'])}/redeem/")
    assert resp.status_code == 201 and resp.json()["membership"]["role"] == "parent"
    assert ParentLink.objects.filter(organisation=org, parent=father, child=kid, valid_to__isnull=True).exists()


def test_parent_choosing_a_child_sends_a_request_the_curator_approves(school, django_capture_on_commit_callbacks):
    org, cls, admin = school
    curator = curator_of(cls)
    kid = student_in(cls)
    row = create(client_of(admin), org, role="parent", target_group=cls.pk, max_uses=None)
    mother = UserFactory()
    url = f"/api/v1/invites/{token_of(row['link'])}/redeem/"
    resp = client_of(mother).post(url)
    assert resp.status_code == 400 and error(resp)["code"] == "child_required"
    resp = client_of(mother).post(url, {"child": 2**40}, format="json")
    assert resp.status_code == 400 and error(resp)["code"] == "child_not_in_class"
    with django_capture_on_commit_callbacks(execute=True):
        resp = client_of(mother).post(url, {"child": kid.pk}, format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["outcome"] == "requested" and body["membership"] is None
    # Not a member yet: the receipt holds the id the parent chose, not the child's full name.
    assert body["join_request"]["child"] == kid.pk and body["join_request"]["status"] == "pending"
    assert kid.first_name not in resp.content.decode() and kid.patronymic not in resp.content.decode()
    assert any(curator.email in m.to for m in mail.outbox)

    request_url = f"/api/v1/orgs/{org.pk}/join-requests/{JoinRequest.objects.get(user=mother).pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        resp = client_of(curator).post(request_url + "approve/")
    assert resp.status_code == 200 and resp.json()["status"] == "approved"
    assert resp.json()["decided_by"]["id"] == curator.pk
    assert ParentLink.objects.filter(parent=mother, child=kid, valid_to__isnull=True).exists()
    assert any(mother.email in m.to and "одобрена" in m.subject for m in mail.outbox)
    assert client_of(curator).post(request_url + "approve/").status_code == 409


def test_link_needing_approval_makes_a_request(school):
    org, cls, admin = school
    row = create(client_of(admin), org, target_group=cls.pk, requires_approval=True)
    student = UserFactory()
    resp = client_of(student).post(f"/api/v1/invites/{token_of(row['link'])}/redeem/")
    assert resp.status_code == 201 and resp.json()["outcome"] == "requested"
    assert "после одобрения" in resp.json()["message"]
    assert not Membership.objects.filter(organisation=org, user=student).exists()
    assert JoinRequest.objects.get(user=student).status == "pending"


def test_redeem_needs_sign_in(school):
    org, cls, admin = school
    row = create(client_of(admin), org, target_group=cls.pk)
    resp = client_of().post(f"/api/v1/invites/{token_of(row['link'])}/redeem/")
    assert resp.status_code == 401 and error(resp)["message"] == "Войдите в систему."
    assert Invite.objects.get(pk=row["id"]).use_count == 0


@pytest.mark.parametrize("path", ["", "redeem/"])
def test_unknown_expired_used_up_revoked(school, path):
    org, cls, admin = school
    client = client_of(admin)

    def call(token):
        url = f"/api/v1/invites/{token}/{path}"
        return client_of(UserFactory()).post(url) if path else client_of().get(url)

    for unknown in ("x" * 24, "short", "not*a*token*at*all"):
        resp = call(unknown)
        assert resp.status_code == 404 and error(resp)["code"] == "invite_not_found", unknown
    expired = create(client, org, target_group=cls.pk)
    Invite.objects.filter(pk=expired["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    resp = call(token_of(expired["link"]))
    assert resp.status_code == 410 and error(resp)["code"] == "invite_expired"
    assert "Срок действия ссылки истёк" in error(resp)["message"]
    used = create(client, org, target_group=cls.pk, max_uses=1)
    assert client_of(UserFactory()).post(f"/api/v1/invites/{token_of(used['link'])}/redeem/").status_code == 201
    resp = call(token_of(used["link"]))
    assert resp.status_code == 410 and error(resp)["code"] == "invite_used_up"
    revoked = create(client, org, target_group=cls.pk)
    client.post(invites_url(org, f"{revoked['id']}/revoke/"))
    resp = call(token_of(revoked["link"]))
    assert resp.status_code == 410 and error(resp)["code"] == "invite_revoked"
    assert Membership.objects.filter(organisation=org, role="student").count() == 1


def test_too_many_unknown_tokens_from_one_address_get_429(school, settings):
    settings.INVITE_LOOKUP_FAILURES_PER_HOUR = 3
    org, cls, admin = school
    row = create(client_of(admin), org, target_group=cls.pk)
    guesser = client_of()
    for n in range(3):
        assert guesser.get(f"/api/v1/invites/guess{n:020d}/", REMOTE_ADDR="10.0.0.7").status_code == 404
    resp = guesser.get(f"/api/v1/invites/{token_of(row['link'])}/", REMOTE_ADDR="10.0.0.7")
    assert resp.status_code == 429 and "Слишком много попыток" in error(resp)["message"]
    resp = client_of(UserFactory()).post(f"/api/v1/invites/{token_of(row['link'])}/redeem/", REMOTE_ADDR="10.0.0.7")
    assert resp.status_code == 429
    assert Invite.objects.get(pk=row["id"]).use_count == 0
    # Another address is not affected; a known token does not count as a miss.
    for _ in range(5):
        assert guesser.get(f"/api/v1/invites/{token_of(row['link'])}/", REMOTE_ADDR="10.0.0.8").status_code == 200


# --- Who may do what ----------------------------------------------------------------------


def test_permission_matrix_for_creating_links(school):
    org, cls, admin = school
    other = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    curator = curator_of(cls)
    create(client_of(curator), org, target_group=cls.pk)
    create(client_of(curator), org, role="parent", target_group=cls.pk)
    resp = client_of(curator).post(invites_url(org), {"role": "student", "target_group": other.pk}, format="json")
    assert resp.status_code == 403 and error(resp)["message"] == "Вы можете приглашать только в свои классы."
    resp = client_of(curator).post(invites_url(org), {"role": "teacher"}, format="json")
    assert resp.status_code == 403 and error(resp)["message"] == "Приглашать сотрудников может только администратор."

    unverified = teacher_of(org, verified=False)
    teaches(cls, unverified)
    resp = client_of(unverified).post(invites_url(org), {"role": "student", "target_group": cls.pk}, format="json")
    assert resp.status_code == 403 and error(resp)["code"] == "teacher_unverified"
    assert "только подтверждённые педагоги" in error(resp)["message"]

    verified = teacher_of(org)
    teaches(other, verified)
    create(client_of(verified), org, role="parent", target_group=other.pk)
    student = student_in(cls)
    resp = client_of(student).post(invites_url(org), {"role": "student", "target_group": cls.pk}, format="json")
    assert resp.status_code == 403
    assert Invite.objects.count() == 3


def test_curator_sees_and_manages_only_own_links(school):
    org, cls, admin = school
    curator = curator_of(cls)
    admins = create(client_of(admin), org, target_group=cls.pk)
    own = create(client_of(curator), org, target_group=cls.pk)
    rows = client_of(curator).get(invites_url(org)).json()["results"]
    assert [r["id"] for r in rows] == [own["id"]] and rows[0]["link"]
    assert client_of(curator).get(invites_url(org, f"{admins['id']}/")).status_code == 404
    assert client_of(curator).post(invites_url(org, f"{admins['id']}/revoke/")).status_code == 404
    assert Invite.objects.get(pk=admins["id"]).status == "active"
    admin_rows = {r["id"]: r for r in client_of(admin).get(invites_url(org)).json()["results"]}
    assert set(admin_rows) == {admins["id"], own["id"]}
    assert admin_rows[own["id"]]["link"] == own["link"]
    parent = parent_of(student_in(cls), org)
    assert client_of(parent).get(invites_url(org)).json()["results"] == []


def test_another_organisations_admin_sees_none_of_its_links_or_requests(school):
    org, cls, admin = school
    invite = create(client_of(admin), org, target_group=cls.pk)
    request = join_request_create(organisation=org, user=UserFactory(), role="student", group=cls)
    other = OrganisationFactory()
    create(client_of(admin_of(other)), other, role="teacher")
    stranger = client_of(other.memberships.get(role="admin").user)
    for url in (
        invites_url(org),
        invites_url(org, f"{invite['id']}/"),
        f"/api/v1/orgs/{org.pk}/join-requests/",
        f"/api/v1/orgs/{org.pk}/join-requests/{request.pk}/",
    ):
        resp = stranger.get(url)
        assert resp.status_code == 404, url
    for url in (
        invites_url(org, f"{invite['id']}/revoke/"),
        invites_url(other, f"{invite['id']}/revoke/"),
        f"/api/v1/orgs/{org.pk}/join-requests/{request.pk}/approve/",
        f"/api/v1/orgs/{other.pk}/join-requests/{request.pk}/approve/",
    ):
        assert stranger.post(url).status_code == 404, url
    own = stranger.get(invites_url(other)).json()["results"]
    assert invite["id"] not in {r["id"] for r in own} and len(own) == 1
    assert stranger.get(f"/api/v1/orgs/{other.pk}/join-requests/").json()["results"] == []
    assert Invite.objects.get(pk=invite["id"]).status == "active"
    assert JoinRequest.objects.get(pk=request.pk).status == "pending"


# --- Join requests ----------------------------------------------------------------------


def test_a_person_applies_to_join_and_is_told_of_the_decision(school, django_capture_on_commit_callbacks):
    org, cls, admin = school
    applicant = UserFactory()
    url = f"/api/v1/orgs/{org.pk}/join-requests/"
    with django_capture_on_commit_callbacks(execute=True):
        resp = client_of(applicant).post(url, {"role": "student", "group": cls.pk, "message": "Я из 5А"}, format="json")
    assert resp.status_code == 201, resp.content
    row = resp.json()
    assert row == {
        "role": "student",
        "role_display": "обучающийся",
        "group": cls.pk,
        "child": None,
        "message": "Я из 5А",
        "status": "pending",
        "status_display": "на рассмотрении",
        "detail": "Заявка отправлена и ждёт рассмотрения; о решении вам придёт письмо.",
    }
    row = {"id": JoinRequest.objects.get(user=applicant).pk}
    assert any(admin.email in m.to and "Новая заявка" in m.subject for m in mail.outbox)
    resp = client_of(applicant).post(url, {"role": "student", "group": cls.pk}, format="json")
    assert resp.status_code == 409 and error(resp)["code"] == "request_pending"
    # Applying shows nothing of the organisation back.
    assert client_of(applicant).get(url).status_code == 404

    resp = client_of(admin).post(f"{url}{row['id']}/reject/", {"reason": ""}, format="json")
    assert resp.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        resp = client_of(admin).post(f"{url}{row['id']}/reject/", {"reason": "Такого ученика нет в 5А"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "rejected"
    assert resp.json()["reason"] == "Такого ученика нет в 5А"
    assert any(applicant.email in m.to and "Такого ученика нет" in m.body for m in mail.outbox)
    assert not Membership.objects.filter(organisation=org, user=applicant).exists()


def test_applying_refuses_bad_targets(school):
    org, cls, admin = school
    applicant = client_of(UserFactory())
    url = f"/api/v1/orgs/{org.pk}/join-requests/"
    foreign_class = ClassFactory(organisation=OrganisationFactory())
    resp = applicant.post(url, {"role": "student", "group": foreign_class.pk}, format="json")
    assert resp.status_code == 400 and error(resp)["fields"] == {"group": ["Класс не найден."]}
    resp = applicant.post(url, {"role": "student"}, format="json")
    assert resp.status_code == 400 and error(resp)["code"] == "class_required"
    resp = applicant.post(url, {"role": "parent", "group": cls.pk}, format="json")
    assert resp.status_code == 400 and error(resp)["code"] == "child_required"
    org.is_active = False
    org.save(update_fields=["is_active"])
    resp = applicant.post(url, {"role": "teacher"}, format="json")
    assert resp.status_code == 404
    assert (
        applicant.post("/api/v1/orgs/999999999/join-requests/", {"role": "teacher"}, format="json").status_code == 404
    )
    assert not JoinRequest.objects.exists()


def test_admin_of_another_organisation_may_apply_but_sees_only_their_request(school):
    org, cls, admin = school
    join_request_create(organisation=org, user=UserFactory(), role="student", group=cls)
    other_admin = admin_of(OrganisationFactory())
    resp = client_of(other_admin).post(f"/api/v1/orgs/{org.pk}/join-requests/", {"role": "teacher"}, format="json")
    assert resp.status_code == 201
    assert resp.json()["role"] == "teacher" and resp.json()["group"] is None
    assert JoinRequest.objects.get(organisation=org, user=other_admin).status == "pending"
    assert client_of(other_admin).get(f"/api/v1/orgs/{org.pk}/join-requests/").status_code == 404


def test_join_request_queue_filters_and_the_curators_share(school):
    org, cls, admin = school
    other = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    curator = curator_of(cls)
    in_cls = join_request_create(organisation=org, user=UserFactory(), role="student", group=cls)
    in_other = join_request_create(organisation=org, user=UserFactory(), role="student", group=other)
    teacher = join_request_create(organisation=org, user=UserFactory(), role="teacher")
    done = join_request_create(organisation=org, user=UserFactory(), role="student", group=cls)
    JoinRequest.objects.filter(pk=done.pk).update(status="rejected")
    url = f"/api/v1/orgs/{org.pk}/join-requests/"

    def ids(client, query=""):
        resp = client.get(url + query)
        assert resp.status_code == 200, resp.content
        return {r["id"] for r in resp.json()["results"]}

    admin_client = client_of(admin)
    assert ids(admin_client) == {in_cls.pk, in_other.pk, teacher.pk, done.pk}
    assert ids(admin_client, "?status=pending") == {in_cls.pk, in_other.pk, teacher.pk}
    assert ids(admin_client, "?role=teacher") == {teacher.pk}
    assert ids(admin_client, f"?group={cls.pk}") == {in_cls.pk, done.pk}
    assert ids(client_of(curator)) == {in_cls.pk, done.pk}
    assert client_of(curator).get(f"{url}{in_other.pk}/").status_code == 404
    assert client_of(curator).post(f"{url}{teacher.pk}/approve/").status_code == 404
    assert admin_client.get(url + "?status=maybe").status_code == 400


def test_public_search_of_organisations():
    school = OrganisationFactory(short_name="МБОУ «СОШ № 2»", municipality="Селенгинский район")
    OrganisationFactory(short_name="ГБПОУ «Колледж»", municipality="г. Улан-Удэ", kind="college")
    OrganisationFactory(short_name="МБОУ «СОШ № 3»", is_active=False)
    anonymous = client_of()
    resp = anonymous.get("/api/v1/orgs/search/?q=СОШ")
    assert resp.status_code == 200
    rows = resp.json()["results"]
    assert [r["id"] for r in rows] == [school.pk]
    assert set(rows[0]) == {"id", "short_name", "full_name", "municipality", "region", "kind"}
    rows = anonymous.get("/api/v1/orgs/search/?municipality=Улан").json()["results"]
    assert [r["short_name"] for r in rows] == ["ГБПОУ «Колледж»"]


# --- Query counts -----------------------------------------------------------------------


def _fill_invites(org, classes, admin, curators, n):
    for i in range(n):
        cls = classes[i % len(classes)]
        actor = admin if i % 2 else curators[i % len(classes)]
        kid = student_in(cls)
        links.invite_create(organisation=org, actor=actor, role="parent", target_group=cls, bound_student=kid)


@pytest.mark.parametrize("rows", [3, 30])
def test_invite_list_query_count_does_not_grow(school, rows, django_assert_max_num_queries):
    org, cls, admin = school
    classes = [cls, ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")]
    curators = [curator_of(c) for c in classes]
    _fill_invites(org, classes, admin, curators, rows)
    client = client_of(admin)
    with django_assert_max_num_queries(8):
        resp = client.get(invites_url(org))
    assert resp.status_code == 200 and resp.json()["count"] == rows
    assert all(r["link"] and r["bound_student"] for r in resp.json()["results"])


@pytest.mark.parametrize("rows", [3, 30])
def test_join_request_list_query_count_does_not_grow(school, rows, django_assert_max_num_queries):
    org, cls, admin = school
    other = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    for i in range(rows):
        group = (cls, other)[i % 2]
        kid = student_in(group)
        join_request_create(
            organisation=org, user=UserFactory(), role="parent", group=group, child_id=kid.pk, message=f"Заявка {i}"
        )
    decided = JoinRequest.objects.order_by("pk").first()
    JoinRequest.objects.filter(pk=decided.pk).update(status="rejected", decided_by=admin, reason="нет")
    client = client_of(admin)
    with django_assert_max_num_queries(6):
        resp = client.get(f"/api/v1/orgs/{org.pk}/join-requests/")
    assert resp.status_code == 200 and resp.json()["count"] == rows
    assert all(r["child"] and r["group"] for r in resp.json()["results"])


def test_query_counts_are_the_same_for_3_and_30_rows(school):
    org, cls, admin = school
    classes = [cls, ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")]
    curators = [curator_of(c) for c in classes]
    client = client_of(admin)
    counts = []
    for extra in (3, 27):
        _fill_invites(org, classes, admin, curators, extra)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(invites_url(org)).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


# --- Concurrency (PostgreSQL) -----------------------------------------------------------


@postgres_only
def test_fifty_simultaneous_redemptions_of_a_single_use_link_make_one_member():
    org = OrganisationFactory()
    cls = ClassFactory(organisation=org)
    _invite, token = links.invite_create(
        organisation=org, actor=admin_of(org), role="student", target_group=cls, max_uses=1
    )
    clients = [client_of(UserFactory()) for _ in range(50)]
    responses = at_once([partial(client.post, f"/api/v1/invites/{token}/redeem/") for client in clients], timeout=120)
    statuses = [getattr(r, "status_code", r) for r in responses]
    assert sorted(statuses) == [201] + [410] * 49, statuses
    invite = Invite.objects.get(token_hash=_invite.token_hash)
    assert invite.use_count == 1 and invite.status == "used_up"
    assert Membership.objects.filter(organisation=org, role="student").count() == 1
    assert Placement.objects.filter(group=cls).count() == 1
    assert Redemption.objects.filter(invite=invite).count() == 1


@postgres_only
def test_one_person_tapping_join_five_times_at_once_joins_once_and_takes_one_use():
    """The redemption's row is written by an insert that ignores a second use: the person's other requests wait for
    the first one's commit and answer «already here»; one row, one membership, one use of the link."""
    org = OrganisationFactory()
    cls = ClassFactory(organisation=org)
    _invite, token = links.invite_create(organisation=org, actor=admin_of(org), role="student", target_group=cls)
    user = UserFactory()
    clients = [client_of(user) for _ in range(5)]
    responses = at_once([partial(client.post, f"/api/v1/invites/{token}/redeem/") for client in clients], timeout=120)
    outcomes = sorted((r.status_code, r.json()["outcome"]) if hasattr(r, "json") else r for r in responses)
    assert outcomes == [(200, "already")] * 4 + [(201, "joined")], outcomes
    invite = Invite.objects.get(token_hash=_invite.token_hash)
    assert invite.use_count == 1
    assert Redemption.objects.filter(invite=invite, user=user).count() == 1
    assert Membership.objects.filter(organisation=org, user=user, role="student").count() == 1
    assert Placement.objects.filter(group=cls, student=user).count() == 1


@postgres_only
def test_twenty_parents_meeting_joiners_at_once_are_each_in_the_class_chat_once():
    """The joiners' chat rows are added after the commit without locking the class's chats: twenty at once each end
    up in the class chat and its subject-free channels exactly once, and the full sync finds nothing left to do."""
    from chats.models import Chat, ChatMember
    from chats.services.sync import chats_sync_organisation
    from invites.models import InvitePolicy
    from tests.factories import curator_of

    org = OrganisationFactory()
    cls = ClassFactory(organisation=org)
    curator_of(cls)
    admin = admin_of(org)
    chats_sync_organisation(organisation=org)
    InvitePolicy.objects.update_or_create(organisation=org, defaults={"leak_margin": 1000, "leak_spike_uses": 1000})
    _invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls, max_uses=20)
    users = [UserFactory() for _ in range(20)]
    responses = at_once([partial(client_of(u).post, f"/api/v1/invites/{token}/redeem/") for u in users], timeout=120)
    assert [getattr(r, "status_code", r) for r in responses] == [201] * 20
    class_chat = Chat.objects.get(group=cls, kind=Chat.Kind.CLASS)
    general = Chat.objects.get(organisation=org, kind=Chat.Kind.GENERAL_CHANNEL)
    for chat in (class_chat, general):
        rows = ChatMember.objects.filter(chat=chat, user__in=users, left_at__isnull=True)
        assert sorted(rows.values_list("user_id", flat=True)) == sorted(u.pk for u in users)
    assert not chats_sync_organisation(organisation=org).changed


@pytest.mark.django_db(transaction=True)
def test_the_expiry_job_run_twice_at_once_leaves_the_same_result():
    org = OrganisationFactory()
    cls = ClassFactory(organisation=org)
    admin = admin_of(org)
    past = timezone.now() - timedelta(minutes=5)
    made = [links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)[0] for _ in range(6)]
    overdue_active, overdue_paused, revoked_overdue = made[:2], made[2:4], made[4]
    for invite in made[:5]:
        Invite.objects.filter(pk=invite.pk).update(expires_at=past)
    Invite.objects.filter(pk__in=[i.pk for i in overdue_paused]).update(status="paused")
    Invite.objects.filter(pk=revoked_overdue.pk).update(status="revoked")
    fresh = made[5]

    results = at_once([jobs.invites_mark_expired] * 2)
    assert all(isinstance(n, int) for n in results) and sum(results) == 4, results
    statuses = dict(Invite.objects.values_list("pk", "status"))
    assert {pk for pk, st in statuses.items() if st == "expired"} == {i.pk for i in overdue_active + overdue_paused}
    assert statuses[revoked_overdue.pk] == "revoked" and statuses[fresh.pk] == "active"
    assert jobs.invites_mark_expired() == 0
    assert dict(Invite.objects.values_list("pk", "status")) == statuses
