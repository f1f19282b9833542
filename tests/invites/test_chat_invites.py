"""Invites into a chat: who may create them, who they admit, and what the pages and the API say."""

import re
from datetime import timedelta
from functools import partial
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from chats.models import Chat, ChatMember
from chats.services.sync import chats_sync_organisation
from invites.models import Invite, Redemption
from invites.services import links
from orgs.models import Membership
from portal.exceptions import PermissionDenied, RuleViolation
from tests.concurrency import at_once
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    UserFactory,
    admin_of,
    curator_of,
    member,
    parent_of,
    student_in,
    teacher_of,
    teaches,
)
from tests.invites.test_api import (
    _fresh_cache,  # noqa: F401 - the autouse cache reset of the invites API tests
    error,
    invites_url,
)
from tests.invites.test_api import client_of as api
from tests.postgres import postgres_only

pytestmark = pytest.mark.django_db


def other_chat(org, owner, *, group=None, members=(), kind=Chat.Kind.OTHER, title="Кружок робототехники"):
    """A chat created by hand: its owner and the members picked at creation, none of them held by the structure."""
    chat = Chat.objects.create(organisation=org, kind=kind, title=title, group=group, created_by=owner)
    ChatMember.objects.create(chat=chat, user=owner, role=ChatMember.Role.OWNER)
    for user in members:
        ChatMember.objects.create(chat=chat, user=user)
    return chat


@pytest.fixture
def school(org, cls, admin):
    curator = curator_of(cls, member(org, Membership.Role.TEACHER, UserFactory(last_name="Иванова")).user)
    students = [student_in(cls, UserFactory(last_name=f"Ученик{n}")) for n in range(4)]
    other_class = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    teaches(cls, teacher_of(org), "Физика")
    chats_sync_organisation(organisation=org)
    return SimpleNamespace(
        org=org,
        cls=cls,
        admin=admin,
        curator=curator,
        students=students,
        other_class=other_class,
        stranger=student_in(other_class, UserFactory(last_name="Чужаков")),
        parent=parent_of(students[0], org, UserFactory(last_name="Родителева")),
        # A chat the curator made for the class, with two of its students already in it.
        chat=other_chat(org, curator, group=cls, members=students[:2], title="Робототехника 5А"),
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def chat_invite(school, role="student", actor=None, **kw):
    return links.invite_create(
        organisation=school.org, actor=actor or school.curator, role=role, target_chat=school.chat, **kw
    )


def active_rows(chat, user) -> int:
    return ChatMember.objects.filter(chat=chat, user=user, left_at__isnull=True).count()


# --- Who may create a chat invite --------------------------------------------------------------------------------


def test_the_owner_and_an_administrator_create_chat_invites_by_the_api(school):
    for actor in (school.curator, school.admin):
        resp = api(actor).post(
            invites_url(school.org), {"role": "student", "target_chat": school.chat.pk, "max_uses": 30}, format="json"
        )
        assert resp.status_code == 201, resp.content
        body = resp.json()
        assert body["target_chat"] == {"id": school.chat.pk, "title": "Робототехника 5А"}
        assert body["target_group"] is None and body["link"].startswith("http")
    listed = api(school.admin).get(invites_url(school.org), {"target_chat": school.chat.pk}).json()
    assert listed["count"] == 2
    assert {row["target_chat"]["id"] for row in listed["results"]} == {school.chat.pk}
    other = other_chat(school.org, school.admin, title="Совет по питанию")
    assert api(school.admin).get(invites_url(school.org), {"target_chat": other.pk}).json()["count"] == 0


def test_a_member_who_does_not_own_the_chat_may_not_invite(school):
    teacher = teacher_of(school.org)
    ChatMember.objects.create(chat=school.chat, user=teacher, role=ChatMember.Role.MODERATOR)
    for user in (teacher, school.students[0]):
        resp = api(user).post(
            invites_url(school.org), {"role": "teacher", "target_chat": school.chat.pk}, format="json"
        )
        assert resp.status_code == 403
        assert error(resp)["message"] == "Приглашать в чат могут его владельцы и администраторы организации."
    assert not Invite.objects.filter(target_chat=school.chat).exists()


def test_another_organisations_chat_is_not_found(school):
    elsewhere = OrganisationFactory()
    foreign_admin = admin_of(elsewhere)
    resp = api(foreign_admin).post(
        invites_url(elsewhere), {"role": "teacher", "target_chat": school.chat.pk}, format="json"
    )
    assert resp.status_code == 404 and error(resp)["message"] == "Чат не найден."
    # Nor may anyone reach this organisation's invites from outside it.
    resp = api(foreign_admin).post(
        invites_url(school.org), {"role": "teacher", "target_chat": school.chat.pk}, format="json"
    )
    assert resp.status_code == 404
    assert not Invite.objects.exists()


@pytest.mark.parametrize("kind", ["class", "class_parents", "subject", "general_channel", "staff_channel"])
def test_structure_chats_and_channels_are_refused_with_a_reason(school, kind):
    chat = Chat.objects.filter(organisation=school.org, kind=kind).first()
    assert chat is not None
    resp = api(school.admin).post(invites_url(school.org), {"role": "student", "target_chat": chat.pk}, format="json")
    assert resp.status_code == 400
    body = error(resp)
    assert body["code"] == "chat_not_invitable"
    expected = "Канал читают все участники организации" if chat.is_channel else "Участников этого чата определяет"
    assert body["message"].startswith(expected)
    assert not Invite.objects.exists()


def test_students_are_invited_only_by_those_who_may_invite_them_to_the_class(school):
    org = school.org
    # A verified teacher who owns a chat of a class they do not teach.
    outsider_teacher = teacher_of(org)
    foreign_chat = other_chat(org, outsider_teacher, group=school.cls, members=school.students[:2], title="Чужой")
    with pytest.raises(PermissionDenied, match="только в чаты своих классов"):
        links.invite_create(organisation=org, actor=outsider_teacher, role="student", target_chat=foreign_chat)
    # Parents and staff they may invite, as its owner.
    links.invite_create(organisation=org, actor=outsider_teacher, role="parent", target_chat=foreign_chat)
    # An unverified owner invites neither students nor parents.
    pending = member(org, Membership.Role.TEACHER, verified=False).user
    pending_chat = other_chat(org, pending, group=school.cls, title="Неподтверждённый")
    for role in ("student", "parent"):
        with pytest.raises(PermissionDenied, match="подтверждённые педагоги"):
            links.invite_create(organisation=org, actor=pending, role=role, target_chat=pending_chat)
    # The student council: students come in by an administrator's link only, not the director's.
    director = teacher_of(org, position=Membership.Position.DIRECTOR)
    council = other_chat(org, director, kind=Chat.Kind.MGMT_STUDENT_COUNCIL, title="Совет обучающихся")
    with pytest.raises(PermissionDenied, match="только администратор"):
        links.invite_create(organisation=org, actor=director, role="student", target_chat=council)
    links.invite_create(organisation=org, actor=school.admin, role="student", target_chat=council)
    # A chat that may hold no students (staff only) is refused for a student link, even to an administrator.
    staff_chat = other_chat(org, school.admin, kind=Chat.Kind.MGMT_TEACHERS, title="Педсовет")
    with pytest.raises(RuleViolation, match="не входят люди в роли «обучающийся»"):
        links.invite_create(organisation=org, actor=school.admin, role="student", target_chat=staff_chat)


def test_a_chat_invite_names_no_class_child_or_approval_and_is_not_relayed(school):
    for extra in ({"target_group": school.cls}, {"bound_student": school.students[0]}, {"requires_approval": True}):
        with pytest.raises(RuleViolation, match="В приглашении в чат не указывают"):
            chat_invite(school, role="parent", actor=school.admin, **extra)
    invite, _token = chat_invite(school, actor=school.admin)
    with pytest.raises(RuleViolation, match="Ссылку в чат не передают"):
        links.invite_relay(invite=invite, actor=school.curator)


# --- Redeeming ---------------------------------------------------------------------------------------------------


def test_a_student_of_the_class_joins_the_chat_once_as_a_hand_added_member(school):
    _invite, token = chat_invite(school, max_uses=None)
    newcomer = school.students[2]
    url = f"/api/v1/invites/{token}/redeem/"
    resp = api(newcomer).post(url)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["outcome"] == "joined" and body["message"] == "Вы вступили в чат «Робототехника 5А»."
    assert body["chat"] == school.chat.pk and body["membership"]["role"] == "student"
    row = ChatMember.objects.get(chat=school.chat, user=newcomer, left_at__isnull=True)
    assert (row.role, row.managed_by_structure) == ("member", False)

    again = api(newcomer).post(url)
    assert again.status_code == 200 and again.json()["message"] == "Вы уже в этом чате."
    assert active_rows(school.chat, newcomer) == 1
    assert Invite.objects.get(target_chat=school.chat).use_count == 1
    # The structure's sync keeps a hand-added member who still belongs to the organisation.
    chats_sync_organisation(organisation=school.org)
    assert active_rows(school.chat, newcomer) == 1


def test_the_preview_names_the_chat(school):
    _invite, token = chat_invite(school)
    preview = api().get(f"/api/v1/invites/{token}/").json()
    assert preview["chat"] == "Робототехника 5А" and preview["target"] == "чат «Робототехника 5А»"
    assert preview["child_required"] is False and preview["children"] == []


def test_an_outsider_is_refused_with_the_message_and_nothing_is_created(school, client):
    invite, token = chat_invite(school, role="parent", actor=school.admin, max_uses=None)
    outsider = UserFactory()
    message = (
        "Эта ссылка — приглашение в чат организации «Школа № 7». "
        "Сначала вступите в организацию по ссылке класса или сотрудников."
    )
    resp = api(outsider).post(f"/api/v1/invites/{token}/redeem/")
    assert resp.status_code == 400
    assert (error(resp)["code"], error(resp)["message"]) == ("chat_invite_not_member", message)
    # The page says it at once, without a button to press.
    client.force_login(outsider)
    page = client.get(reverse("invites:join", args=[token]))
    assert page.status_code == 400
    assert message in text(page) and "Присоединиться" not in text(page)
    assert client.post(reverse("invites:join", args=[token])).status_code == 400
    assert not ChatMember.objects.filter(chat=school.chat, user=outsider).exists()
    assert not Redemption.objects.filter(invite=invite).exists()
    assert not Membership.objects.filter(user=outsider).exists()
    invite.refresh_from_db()
    assert invite.use_count == 0


def test_the_wrong_role_and_another_class_are_refused(school):
    _invite, student_token = chat_invite(school, max_uses=None)
    resp = api(school.parent).post(f"/api/v1/invites/{student_token}/redeem/")
    assert resp.status_code == 400 and error(resp)["code"] == "chat_invite_wrong_role"
    assert "в роли «обучающийся»" in error(resp)["message"]
    resp = api(school.stranger).post(f"/api/v1/invites/{student_token}/redeem/")
    assert resp.status_code == 400 and error(resp)["code"] == "chat_invite_other_class"
    assert "«5А»" in error(resp)["message"]
    _invite, parent_token = chat_invite(school, role="parent")
    assert api(school.parent).post(f"/api/v1/invites/{parent_token}/redeem/").status_code == 201
    assert active_rows(school.chat, school.parent) == 1
    assert not ChatMember.objects.filter(chat=school.chat, user=school.stranger).exists()


def test_a_student_never_joins_a_chat_that_holds_only_one_adult(school):
    lonely = other_chat(school.org, school.curator, group=school.cls, title="Только куратор")
    _invite, token = links.invite_create(
        organisation=school.org, actor=school.curator, role="student", target_chat=lonely, max_uses=None
    )
    resp = api(school.students[0]).post(f"/api/v1/invites/{token}/redeem/")
    assert resp.status_code == 400 and error(resp)["code"] == "private_with_student"
    assert "личная переписка педагога с обучающимся" in error(resp)["message"]
    assert list(ChatMember.objects.filter(chat=lonely).values_list("user_id", flat=True)) == [school.curator.pk]


def test_revoked_expired_and_used_up_chat_links_get_the_usual_pages(school, client):
    revoked, revoked_token = chat_invite(school)
    links.invite_revoke(invite=revoked, actor=school.curator)
    expired, expired_token = chat_invite(school)
    Invite.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    _single, single_token = chat_invite(school, max_uses=1)
    assert api(school.students[2]).post(f"/api/v1/invites/{single_token}/redeem/").status_code == 201

    client.force_login(school.students[3])
    for token, heading in (
        (revoked_token, "Ссылка отозвана"),
        (expired_token, "Срок действия ссылки истёк"),
        (single_token, "Ссылка уже использована"),
    ):
        page = client.get(reverse("invites:join", args=[token]))
        assert page.status_code == 410 and heading in text(page)
        assert api(school.students[3]).post(f"/api/v1/invites/{token}/redeem/").status_code == 410
    assert active_rows(school.chat, school.students[3]) == 0


def test_a_member_who_left_does_not_come_back_by_the_same_link(school):
    _invite, token = chat_invite(school, max_uses=None)
    student = school.students[2]
    assert api(student).post(f"/api/v1/invites/{token}/redeem/").status_code == 201
    ChatMember.objects.filter(chat=school.chat, user=student).update(left_at=timezone.now())
    resp = api(student).post(f"/api/v1/invites/{token}/redeem/")
    assert resp.status_code == 400 and error(resp)["code"] == "chat_invite_used_by_you"
    assert active_rows(school.chat, student) == 0


# --- The pages ---------------------------------------------------------------------------------------------------


def test_the_join_pages_name_the_chat(school, client):
    _invite, token = chat_invite(school, max_uses=None)
    url = reverse("invites:join", args=[token])
    # A visitor is asked to sign in: a chat invite admits members of the organisation only.
    page = text(client.get(url))
    assert "Приглашение в чат «Робототехника 5А»" in page and "Регистрация" not in page and "Войти" in page
    client.force_login(school.students[2])
    page = client.get(url)
    assert page.status_code == 200 and "чат «Робототехника 5А»" in text(page)
    done = client.post(url)
    assert done.status_code == 200 and "Вы вступили в чат «Робототехника 5А»." in text(done)
    assert reverse("chats:chat", args=[school.chat.pk]) in text(done)
    again = client.post(url)
    assert again.status_code == 200 and "Вы уже в этом чате" in text(again)
    assert active_rows(school.chat, school.students[2]) == 1


def test_the_chat_page_links_to_the_invite_page_for_owners_and_administrators_only(school, client):
    chat_url = reverse("chats:chat", args=[school.chat.pk])
    invite_page = reverse("invites:chat", args=[school.org.pk, school.chat.pk])
    for user, shown in ((school.curator, True), (school.admin, True), (school.students[0], False)):
        client.force_login(user)
        assert (invite_page in text(client.get(chat_url))) is shown
    class_chat = Chat.objects.get(group=school.cls, kind="class")
    client.force_login(school.curator)
    assert "Пригласить в чат" not in text(client.get(reverse("chats:chat", args=[class_chat.pk])))


def test_the_invite_page_creates_a_link_and_shows_it_with_a_qr_code(school, client):
    client.force_login(school.curator)
    url = reverse("invites:chat", args=[school.org.pk, school.chat.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Действующих ссылок в этот чат пока нет." in text(page)
    response = client.post(url, {"role": "student", "uses": "many", "max_uses": "25"})
    invite = Invite.objects.get(target_chat=school.chat)
    assert response.status_code == 302 and response["Location"].endswith(f"#invite-{invite.pk}")
    assert (invite.role, invite.max_uses, invite.created_by) == ("student", 25, school.curator)
    page = text(client.get(url))
    assert links.invite_url(invite) in page and "data:image/svg+xml" in page
    assert f"QR-код ссылки № {invite.pk}" in page
    # A missing number of people is told beside the field; nothing is created.
    bad = client.post(url, {"role": "student", "uses": "many"})
    assert bad.status_code == 400 and "Укажите, сколько человек могут вступить по ссылке." in text(bad)
    assert Invite.objects.filter(target_chat=school.chat).count() == 1


def test_the_invite_page_refuses_members_structure_chats_and_other_organisations(school, client):
    client.force_login(school.students[0])
    assert client.get(reverse("invites:chat", args=[school.org.pk, school.chat.pk])).status_code == 403
    client.force_login(school.admin)
    class_chat = Chat.objects.get(group=school.cls, kind="class")
    refused = client.get(reverse("invites:chat", args=[school.org.pk, class_chat.pk]))
    assert refused.status_code == 400 and "Участников этого чата определяет структура" in text(refused)
    assert (
        client.post(reverse("invites:chat", args=[school.org.pk, class_chat.pk]), {"role": "student"}).status_code
        == 400
    )
    assert not Invite.objects.exists()
    elsewhere = OrganisationFactory()
    foreign = other_chat(elsewhere, admin_of(elsewhere), title="Чужой чат")
    assert client.get(reverse("invites:chat", args=[school.org.pk, foreign.pk])).status_code == 404
    assert client.get(reverse("invites:chat", args=[elsewhere.pk, foreign.pk])).status_code == 404


# --- Concurrency (PostgreSQL) ------------------------------------------------------------------------------------


@postgres_only
def test_twenty_simultaneous_redemptions_of_a_single_use_chat_link_add_one_member():
    org = OrganisationFactory()
    cls = ClassFactory(organisation=org)
    curator = curator_of(cls)
    students = [student_in(cls) for _ in range(22)]
    chat = other_chat(org, curator, group=cls, members=students[:2])
    _invite, token = links.invite_create(
        organisation=org, actor=admin_of(org), role="student", target_chat=chat, max_uses=1
    )
    clients = [api(user) for user in students[2:]]
    responses = at_once([partial(client.post, f"/api/v1/invites/{token}/redeem/") for client in clients])
    assert sorted(r.status_code for r in responses) == [201] + [410] * 19, responses
    assert ChatMember.objects.filter(chat=chat, left_at__isnull=True).count() == 4
    assert Invite.objects.get(target_chat=chat).status == "used_up"
