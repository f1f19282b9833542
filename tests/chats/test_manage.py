"""Creating chats by the permission matrix, archiving them, their members, leaving, and the administrator's view of
every chat: through the services, the REST API and the browser pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chats.models import Chat, ChatMember, Message
from chats.services.manage import PRIVATE_WITH_STUDENT, chat_create, chat_leave, chat_members_add
from chats.services.messages import message_post
from chats.services.sync import chats_sync_organisation
from orgs.models import AuditEntry
from portal.exceptions import RuleViolation
from tests.chats.helpers import chat_state
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    admin_of,
    curator_of,
    parent_of,
    student_in,
    teacher_of,
    teaches,
)

pytestmark = pytest.mark.django_db

STRUCTURE_KINDS = ["class", "class_parents", "class_teachers", "subject", "general_channel", "staff_channel"]
MANAGEMENT_KINDS = ["mgmt_deputies", "mgmt_teachers", "mgmt_parents_committee", "mgmt_student_council"]


@pytest.fixture
def school():
    org = OrganisationFactory()
    a = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    b = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    p = {
        "org": org,
        "a": a,
        "b": b,
        "admin": admin_of(org),
        "director": teacher_of(org, position="director"),
        "deputy": teacher_of(org, position="deputy"),
        "deputy2": teacher_of(org, position="deputy"),
        "curator_a": curator_of(a),
        "curator_b": curator_of(b),
        "teacher_a": teacher_of(org),
        "unverified": teacher_of(org, verified=False),
        "kid_a1": student_in(a),
        "kid_a2": student_in(a),
        "kid_a3": student_in(a),
        "kid_b": student_in(b),
    }
    teaches(a, p["teacher_a"])
    teaches(a, p["unverified"], subject="Музыка")
    p["parent_a"] = parent_of(p["kid_a1"], org)
    p["parent_b"] = parent_of(p["kid_b"], org)
    chats_sync_organisation(organisation=org)
    return p


@pytest.fixture
def elsewhere():
    org = OrganisationFactory()
    cls = ClassFactory(organisation=org)
    return {"org": org, "admin": admin_of(org), "kid": student_in(cls), "teacher": teacher_of(org)}


def as_user(api, user):
    api.force_authenticate(user)
    return api


def chats_url(org, *parts):
    return f"/api/v1/orgs/{org.pk}/chats/" + "".join(f"{p}/" for p in parts)


def create(api, school, user, **body):
    return as_user(api, user).post(chats_url(school["org"]), body, format="json")


def members_of(chat) -> dict[int, str]:
    return dict(ChatMember.objects.filter(chat=chat, left_at__isnull=True).values_list("user_id", "role"))


# --- the matrix row «create chats» -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [*MANAGEMENT_KINDS, "other"])
def test_admin_creates_management_and_other_chats(api, school, kind):
    picked = {
        "mgmt_deputies": ["deputy"],
        "mgmt_teachers": ["teacher_a", "curator_b"],
        "mgmt_parents_committee": ["parent_a", "parent_b"],
        "mgmt_student_council": ["kid_a1", "kid_b", "director"],
        "other": ["teacher_a", "parent_b"],
    }[kind]
    ids = [school[name].pk for name in picked]
    resp = create(api, school, school["admin"], kind=kind, title="Рабочий чат", members=ids)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    chat = Chat.objects.get(pk=body["id"])
    assert (chat.kind, chat.title, chat.group_id, chat.created_by) == (kind, "Рабочий чат", None, school["admin"])
    assert body["my_role"] == "owner" and body["member_count"] == len(ids) + 1
    assert [o["id"] for o in body["owners"]] == [school["admin"].pk]
    assert members_of(chat) == {school["admin"].pk: "owner", **dict.fromkeys(ids, "member")}
    assert not ChatMember.objects.filter(chat=chat, managed_by_structure=True).exists()
    entry = AuditEntry.objects.get(organisation=school["org"], action="chat.created")
    assert entry.actor == school["admin"] and entry.object_id == str(chat.pk)


def test_admin_creates_an_other_chat_for_any_class(api, school):
    ids = [school["kid_b"].pk, school["parent_b"].pk, school["curator_b"].pk]
    resp = create(api, school, school["admin"], kind="other", title="5Б — экскурсия", group=school["b"].pk, members=ids)
    assert resp.status_code == 201, resp.content
    assert resp.json()["group"] == school["b"].pk and resp.json()["group_name"] == "5Б"


def test_director_creates_deputies_chat_with_the_deputies_by_default(api, school):
    resp = create(api, school, school["director"], kind="mgmt_deputies")
    assert resp.status_code == 201, resp.content
    chat = Chat.objects.get(pk=resp.json()["id"])
    assert chat.title == "Руководитель и заместители"
    assert members_of(chat) == {
        school["director"].pk: "owner",
        school["deputy"].pk: "member",
        school["deputy2"].pk: "member",
    }


def test_a_deputy_creates_a_teachers_chat_with_the_whole_staff_by_default(api, school):
    resp = create(api, school, school["deputy"], kind="mgmt_teachers", title="Педсовет")
    assert resp.status_code == 201, resp.content
    staff = {"admin", "director", "deputy", "deputy2", "curator_a", "curator_b", "teacher_a", "unverified"}
    assert set(members_of(Chat.objects.get(pk=resp.json()["id"]))) == {school[n].pk for n in staff}


def test_management_chats_hold_only_whom_their_kind_says(api, school):
    resp = create(api, school, school["director"], kind="mgmt_deputies", members=[school["teacher_a"].pk])
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "member_not_allowed"
    assert "руководитель и его заместители" in resp.json()["error"]["message"]
    resp = create(api, school, school["director"], kind="mgmt_parents_committee", members=[school["kid_a1"].pk])
    assert resp.status_code == 400
    assert not Chat.objects.filter(kind__in=MANAGEMENT_KINDS).exists()


def test_director_may_not_create_other_chats_for_a_class_he_does_not_teach(api, client, school):
    resp = create(api, school, school["director"], kind="other", title="5А", group=school["a"].pk)
    assert resp.status_code == 403
    assert "классный руководитель" in resp.json()["error"]["message"]
    resp = create(api, school, school["director"], kind="other", title="Без класса")
    assert resp.status_code == 403
    client.force_login(school["director"])
    url = reverse("chats:create", args=[school["org"].pk])
    assert client.post(url, {"kind": "other", "group": school["a"].pk, "title": "5А"}).status_code == 403
    assert not Chat.objects.filter(kind="other").exists()


def test_verified_curator_creates_other_chat_for_own_class_only(api, school):
    ids = [school["kid_a1"].pk, school["kid_a2"].pk, school["parent_a"].pk, school["teacher_a"].pk]
    resp = create(api, school, school["curator_a"], kind="other", title="Поход", group=school["a"].pk, members=ids)
    assert resp.status_code == 201, resp.content
    chat = Chat.objects.get(pk=resp.json()["id"])
    assert members_of(chat)[school["curator_a"].pk] == "owner" and len(members_of(chat)) == 5

    resp = create(api, school, school["curator_a"], kind="other", title="Чужой класс", group=school["b"].pk)
    assert resp.status_code == 403
    resp = create(api, school, school["curator_a"], kind="other", title="Без класса")
    assert resp.status_code == 400 and resp.json()["error"]["fields"]["group"]
    resp = create(api, school, school["curator_a"], kind="mgmt_deputies")
    assert resp.status_code == 403
    assert Chat.objects.filter(kind="other").count() == 1


def test_a_class_chat_holds_only_that_class_people(api, school):
    for outsider in ("kid_b", "parent_b", "curator_b"):
        resp = create(
            api, school, school["curator_a"], kind="other", title="x", group=school["a"].pk,
            members=[school["kid_a1"].pk, school["kid_a2"].pk, school[outsider].pk],
        )  # fmt: skip
        assert resp.status_code == 400, outsider
        assert resp.json()["error"]["code"] == "member_not_allowed"
        assert str(school[outsider].pk) in resp.json()["error"]["message"]
    assert not Chat.objects.filter(kind="other").exists()


def test_verified_teacher_creates_for_a_class_taught(api, school):
    ids = [school["kid_a1"].pk, school["kid_a2"].pk]
    resp = create(api, school, school["teacher_a"], kind="other", title="Олимпиада", group=school["a"].pk, members=ids)
    assert resp.status_code == 201, resp.content
    resp = create(api, school, school["teacher_a"], kind="other", title="x", group=school["b"].pk, members=[])
    assert resp.status_code == 403


@pytest.mark.parametrize("who", ["unverified", "kid_a1", "parent_a"])
def test_unverified_teachers_students_and_parents_create_nothing(api, client, school, who):
    user = school[who]
    for kind in [*MANAGEMENT_KINDS, "other"]:
        group = school["a"].pk if kind == "other" else None
        resp = create(api, school, user, kind=kind, title="Чат", group=group)
        assert resp.status_code == 403, (who, kind, resp.content)
    client.force_login(user)
    url = reverse("chats:create", args=[school["org"].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"kind": "other", "group": school["a"].pk, "title": "x"}).status_code == 403
    assert not Chat.objects.filter(kind__in=[*MANAGEMENT_KINDS, "other"]).exists()
    client.force_login(user)
    page = client.get(reverse("chats:chat_list", args=[school["org"].pk])).content.decode()
    assert "Создать чат" not in page


def test_another_organisations_class_is_not_found(api, school, elsewhere):
    foreign = ClassFactory(organisation=elsewhere["org"])
    resp = create(api, school, school["admin"], kind="other", title="x", group=foreign.pk)
    assert resp.status_code == 404
    resp = as_user(api, school["admin"]).post(chats_url(elsewhere["org"]), {"kind": "other", "title": "x"})
    assert resp.status_code == 404


def test_members_of_another_organisation_are_refused_and_nothing_is_created(api, school, elsewhere):
    before = (Chat.objects.count(), ChatMember.objects.count(), AuditEntry.objects.count())
    resp = create(
        api, school, school["admin"], kind="other", title="Смешанный",
        members=[school["teacher_a"].pk, elsewhere["teacher"].pk],
    )  # fmt: skip
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert error["code"] == "member_not_found" and str(elsewhere["teacher"].pk) in error["message"]
    assert "не состоят в организации" in error["message"] and error["fields"]["members"]
    resp = create(
        api, school, school["curator_a"], kind="other", title="x", group=school["a"].pk,
        members=[school["kid_a1"].pk, school["kid_a2"].pk, elsewhere["kid"].pk],
    )  # fmt: skip
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "member_not_found"
    assert (Chat.objects.count(), ChatMember.objects.count(), AuditEntry.objects.count()) == before


# --- student safety ----------------------------------------------------------------------------------------------


def test_one_adult_and_one_student_is_refused(api, school):
    resp = create(
        api, school, school["curator_a"], kind="other", title="Лично", group=school["a"].pk,
        members=[school["kid_a1"].pk],
    )  # fmt: skip
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == PRIVATE_WITH_STUDENT
    assert "Личная переписка педагога с обучающимся вне чатов класса не допускается" in PRIVATE_WITH_STUDENT
    assert not Chat.objects.filter(kind="other").exists()

    # Nor can the same pair be reached by creating an empty chat and adding the student afterwards.
    chat = chat_create(
        organisation=school["org"], actor=school["curator_a"], kind="other", title="x", group=school["a"]
    )
    with pytest.raises(RuleViolation) as refused:
        chat_members_add(chat=chat, actor=school["curator_a"], user_ids=[school["kid_a1"].pk])
    assert refused.value.message == PRIVATE_WITH_STUDENT
    assert members_of(chat) == {school["curator_a"].pk: "owner"}
    chat_members_add(chat=chat, actor=school["curator_a"], user_ids=[school["kid_a1"].pk, school["kid_a2"].pk])
    assert len(members_of(chat)) == 3


def test_students_only_in_class_chats_and_the_student_council(api, school):
    resp = create(
        api, school, school["admin"], kind="other", title="x", members=[school["kid_a1"].pk, school["kid_b"].pk]
    )
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "member_not_allowed"
    assert "только в чат класса" in resp.json()["error"]["message"]


def test_student_council_needs_two_students_or_two_adults(api, school):
    director, kid = school["director"], school["kid_a1"].pk
    resp = create(api, school, director, kind="mgmt_student_council", members=[kid])
    assert resp.status_code == 400 and resp.json()["error"]["message"] == PRIVATE_WITH_STUDENT
    resp = create(api, school, director, kind="mgmt_student_council", members=[kid, school["kid_b"].pk])
    assert resp.status_code == 201, resp.content
    resp = create(api, school, director, kind="mgmt_student_council", members=[kid, school["deputy"].pk])
    assert resp.status_code == 201, resp.content


# --- structure chats ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", STRUCTURE_KINDS)
def test_structure_chats_cannot_be_created_by_hand(api, school, kind):
    before = Chat.objects.count()
    resp = create(api, school, school["admin"], kind=kind, title="Вручную", group=school["a"].pk)
    assert resp.status_code == 400
    assert "автоматически по структуре" in resp.json()["error"]["message"]
    assert Chat.objects.count() == before


def test_structure_chats_cannot_be_archived_renamed_or_joined_by_hand(api, school):
    class_chat = Chat.objects.get(group=school["a"], kind="class")
    general = Chat.objects.get(organisation=school["org"], kind="general_channel")
    for user, chat in ((school["admin"], class_chat), (school["curator_a"], class_chat), (school["admin"], general)):
        resp = as_user(api, user).post(chats_url(school["org"], chat.pk, "archive"))
        assert resp.status_code == 400, resp.content
        assert "структуре организации" in resp.json()["error"]["message"]
        resp = api.patch(chats_url(school["org"], chat.pk), {"title": "Новое"}, format="json")
        assert resp.status_code == 400
        resp = api.post(chats_url(school["org"], chat.pk, "members"), {"members": [school["teacher_a"].pk]})
        assert resp.status_code == 400
    resp = as_user(api, school["kid_a1"]).post(chats_url(school["org"], class_chat.pk, "leave"))
    assert resp.status_code == 400
    class_chat.refresh_from_db()
    assert not class_chat.is_archived and class_chat.title == "Класс 5А"


# --- archive, restore, rename ------------------------------------------------------------------------------------


@pytest.fixture
def hike(school):
    ids = [school["kid_a1"].pk, school["kid_a2"].pk, school["parent_a"].pk]
    return chat_create(
        organisation=school["org"],
        actor=school["curator_a"],
        kind="other",
        title="Поход",
        group=school["a"],
        member_ids=ids,
    )


def test_archive_makes_the_chat_read_only_and_restore_brings_it_back(api, school, hike):
    org, kid = school["org"], school["kid_a1"]
    post = f"/api/v1/chats/{hike.pk}/messages/"
    assert as_user(api, kid).post(post, {"text": "Берём палатки?"}, format="json").status_code == 201

    resp = as_user(api, school["curator_a"]).post(chats_url(org, hike.pk, "archive"))
    assert resp.status_code == 200 and resp.json()["is_archived"] and resp.json()["archived_at"]
    resp = as_user(api, kid).post(post, {"text": "Ещё вопрос"}, format="json")
    assert resp.status_code == 403 and "архиве" in resp.json()["error"]["message"]
    assert as_user(api, kid).get(post).json()["results"][0]["text"] == "Берём палатки?"  # history stays
    assert as_user(api, school["curator_a"]).patch(chats_url(org, hike.pk), {"title": "x"}).status_code == 409

    resp = as_user(api, school["admin"]).post(chats_url(org, hike.pk, "restore"))
    assert resp.status_code == 200 and not resp.json()["is_archived"]
    assert as_user(api, kid).post(post, {"text": "Снова пишем"}, format="json").status_code == 201
    actions = list(AuditEntry.objects.filter(object_id=str(hike.pk)).values_list("action", flat=True))
    assert {"chat.created", "chat.archived", "chat.restored"} <= set(actions)


def test_only_owners_and_administrators_archive(api, school, hike, elsewhere):
    org = school["org"]
    for user in (school["kid_a1"], school["parent_a"]):
        assert as_user(api, user).post(chats_url(org, hike.pk, "archive")).status_code == 403
    assert as_user(api, school["curator_b"]).post(chats_url(org, hike.pk, "archive")).status_code == 404
    resp = as_user(api, elsewhere["admin"]).post(chats_url(elsewhere["org"], hike.pk, "archive"))
    assert resp.status_code == 404
    hike.refresh_from_db()
    assert not hike.is_archived


def test_archive_and_restore_buttons_in_the_browser(client, school, hike):
    client.force_login(school["kid_a1"])
    page = client.get(reverse("chats:chat", args=[hike.pk])).content.decode()
    assert "Перенести в архив" not in page
    assert client.post(reverse("chats:archive", args=[hike.pk])).status_code == 403

    client.force_login(school["curator_a"])
    page = client.get(reverse("chats:chat", args=[hike.pk])).content.decode()
    assert "Перенести в архив" in page and "Добавить участников" in page
    resp = client.post(reverse("chats:archive", args=[hike.pk]), follow=True)
    assert "Чат перенесён в архив" in resp.content.decode() and "Вернуть из архива" in resp.content.decode()
    hike.refresh_from_db()
    assert hike.is_archived
    client.force_login(school["kid_a1"])
    client.post(reverse("chats:post", args=[hike.pk]), {"text": "Можно?"})
    assert not Message.objects.filter(chat=hike).exists()
    client.force_login(school["curator_a"])
    client.post(reverse("chats:restore", args=[hike.pk]))
    hike.refresh_from_db()
    assert not hike.is_archived

    class_chat = Chat.objects.get(group=school["a"], kind="class")
    page = client.get(reverse("chats:chat", args=[class_chat.pk])).content.decode()
    assert "Перенести в архив" not in page
    resp = client.post(reverse("chats:archive", args=[class_chat.pk]), follow=True)
    assert "архив вместе с классом" in resp.content.decode()


def test_rename(api, school, hike):
    url = chats_url(school["org"], hike.pk)
    assert as_user(api, school["kid_a1"]).patch(url, {"title": "Моё"}, format="json").status_code == 403
    resp = as_user(api, school["curator_a"]).patch(url, {"title": "  Поход  на Байкал "}, format="json")
    assert resp.status_code == 200 and resp.json()["title"] == "Поход на Байкал"
    assert as_user(api, school["curator_a"]).patch(url, {"title": "   "}, format="json").status_code == 400


# --- members and leaving -----------------------------------------------------------------------------------------


def test_members_list_and_add(api, school, hike):
    org = school["org"]
    url = chats_url(org, hike.pk, "members")
    rows = as_user(api, school["kid_a1"]).get(url).json()["results"]
    assert [r["user"]["id"] for r in rows][0] == school["curator_a"].pk and len(rows) == 4
    assert as_user(api, school["kid_a1"]).post(url, {"members": [school["kid_a3"].pk]}).status_code == 403
    assert as_user(api, school["kid_b"]).get(url).status_code == 404

    resp = as_user(api, school["curator_a"]).post(url, {"members": [school["kid_a3"].pk, school["kid_a1"].pk]})
    assert resp.status_code == 201, resp.content
    assert [r["user"]["id"] for r in resp.json()["added"]] == [school["kid_a3"].pk]  # already there: skipped
    assert resp.json()["member_count"] == 5
    assert as_user(api, school["curator_a"]).post(url, {"members": [school["kid_b"].pk]}).status_code == 400
    assert len(members_of(hike)) == 5
    row = ChatMember.objects.get(chat=hike, user=school["kid_a3"], left_at__isnull=True)
    assert row.role == "member" and not row.managed_by_structure


def test_hand_added_members_survive_a_resync(school, hike):
    before = chat_state(school["org"])
    report = chats_sync_organisation(organisation=school["org"])
    assert not report.changed, str(report)
    assert chat_state(school["org"]) == before


def test_leaving_and_the_last_owner_passes_the_chat_on(api, school, hike):
    org = school["org"]
    resp = as_user(api, school["parent_a"]).post(chats_url(org, hike.pk, "leave"))
    assert resp.status_code == 200 and resp.json()["new_owner"] is None
    assert school["parent_a"].pk not in members_of(hike)

    # The curator created the chat; leaving, the class's curator is themselves, so an administrator takes over.
    resp = as_user(api, school["curator_a"]).post(chats_url(org, hike.pk, "leave"))
    assert resp.status_code == 200 and resp.json()["new_owner"] == school["admin"].pk
    assert members_of(hike)[school["admin"].pk] == "owner" and school["curator_a"].pk not in members_of(hike)
    assert not chats_sync_organisation(organisation=org).changed  # the sync agrees and brings nobody back

    # A management chat of the director: the director leaves, an administrator owns it.
    deputies = chat_create(organisation=org, actor=school["director"], kind="mgmt_deputies", title="")
    assert chat_leave(chat=deputies, actor=school["director"]) == school["admin"].pk
    assert members_of(deputies)[school["admin"].pk] == "owner"
    # The last owner with nobody to pass the chat to may not leave.
    assert as_user(api, school["admin"]).post(chats_url(org, deputies.pk, "leave")).status_code == 409


def test_an_other_chat_of_a_class_passes_to_its_curator(school):
    chat = chat_create(
        organisation=school["org"], actor=school["teacher_a"], kind="other", title="Олимпиада", group=school["a"],
        member_ids=[school["kid_a1"].pk, school["kid_a2"].pk],
    )  # fmt: skip
    assert chat_leave(chat=chat, actor=school["teacher_a"]) == school["curator_a"].pk
    assert members_of(chat)[school["curator_a"].pk] == "owner"


# --- lists: the API and the administrator's page ------------------------------------------------------------------


def test_api_list_shows_administrators_every_chat_and_mine_filters(api, school, hike):
    org = school["org"]
    every = set(Chat.objects.filter(organisation=org).values_list("pk", flat=True))
    resp = as_user(api, school["admin"]).get(chats_url(org) + "?page_size=200")
    rows = {r["id"]: r for r in resp.json()["results"]}
    assert set(rows) == every
    assert rows[hike.pk]["my_role"] is None and rows[hike.pk]["member_count"] == 4
    assert [o["id"] for o in rows[hike.pk]["owners"]] == [school["curator_a"].pk]
    mine = {r["id"] for r in api.get(chats_url(org) + "?mine=true&page_size=200").json()["results"]}
    admin_chats = set(
        ChatMember.objects.filter(user=school["admin"], left_at__isnull=True).values_list("chat_id", flat=True)
    )
    assert mine == admin_chats and hike.pk not in mine
    found = api.get(chats_url(org) + "?search=Поход").json()["results"]
    assert [r["id"] for r in found] == [hike.pk]
    assert as_user(api, school["admin"]).get(chats_url(org, hike.pk)).json()["title"] == "Поход"

    theirs = {
        r["id"] for r in as_user(api, school["curator_b"]).get(chats_url(org) + "?page_size=200").json()["results"]
    }
    assert hike.pk not in theirs and theirs == set(
        ChatMember.objects.filter(user=school["curator_b"], left_at__isnull=True).values_list("chat_id", flat=True)
    )
    assert as_user(api, school["curator_b"]).get(chats_url(org, hike.pk)).status_code == 404


def test_the_admin_page_lists_every_chat_with_counts_and_owners(client, school, hike):
    message_post(chat=hike, actor=school["kid_a1"], text="Первое сообщение")
    chat_leave(chat=hike, actor=school["parent_a"])  # who left is not counted
    org = school["org"]
    client.force_login(school["admin"])
    resp = client.get(reverse("chats:admin_list", args=[org.pk]))
    assert resp.status_code == 200
    rows = {chat.pk: chat for chat, _when in resp.context["rows"]}
    assert set(rows) == set(Chat.objects.filter(organisation=org).values_list("pk", flat=True))
    for chat in Chat.objects.filter(organisation=org):
        assert rows[chat.pk].member_count == ChatMember.objects.filter(chat=chat, left_at__isnull=True).count()
        owners = set(
            ChatMember.objects.filter(chat=chat, role="owner", left_at__isnull=True).values_list("user", flat=True)
        )
        assert {m.user_id for m in rows[chat.pk].owners} == owners
    assert rows[hike.pk].member_count == 3
    page = resp.content.decode()
    assert "Поход" in page and school["curator_a"].full_name in page and "✓ подтверждён" in page
    assert rows[hike.pk].last_activity == Message.objects.get(chat=hike).created_at

    resp = client.get(reverse("chats:admin_list", args=[org.pk]), {"kind": "other", "group": school["a"].pk})
    assert [c.pk for c, _when in resp.context["rows"]] == [hike.pk]
    hike.is_archived = True
    hike.save()
    resp = client.get(reverse("chats:admin_list", args=[org.pk]), {"archived": "yes"})
    assert [c.pk for c, _when in resp.context["rows"]] == [hike.pk]
    assert "в архиве" in resp.content.decode()
    link = reverse("chats:admin_list", args=[org.pk])
    assert link in client.get(reverse("chats:chat_list", args=[org.pk])).content.decode()
    # Administrators open any chat of their organisation.
    assert client.get(reverse("chats:chat", args=[hike.pk])).status_code == 200


def test_the_admin_page_is_for_administrators_of_the_organisation(client, school, elsewhere):
    url = reverse("chats:admin_list", args=[school["org"].pk])
    for who in ("curator_a", "director", "kid_a1"):
        client.force_login(school[who])
        assert client.get(url).status_code == 403, who
    client.force_login(elsewhere["admin"])
    assert client.get(url).status_code == 404


def _many_other_chats(school, n):
    for i in range(n):
        chat_create(
            organisation=school["org"], actor=school["admin"], kind="other", title=f"Чат {i}",
            member_ids=[school["teacher_a"].pk, school["parent_a"].pk],
        )  # fmt: skip


def _queries(client_or_api, url):
    with CaptureQueriesContext(connection) as queries:
        resp = client_or_api.get(url)
    assert resp.status_code == 200
    return len(queries)


def test_admin_page_and_api_list_queries_do_not_grow_with_chats(client, api, school):
    org = school["org"]
    page_url = reverse("chats:admin_list", args=[org.pk])
    api_url = chats_url(org) + "?page_size=200"
    client.force_login(school["admin"])
    as_user(api, school["admin"])
    _many_other_chats(school, 3)
    few = (_queries(client, page_url), _queries(api, api_url))
    _many_other_chats(school, 27)
    many = (_queries(client, page_url), _queries(api, api_url))
    assert Chat.objects.filter(organisation=org, kind="other").count() == 30
    assert few == many


# --- the browser form --------------------------------------------------------------------------------------------


def test_curator_creates_a_class_chat_from_the_form(client, school):
    client.force_login(school["curator_a"])
    org = school["org"]
    url = reverse("chats:create", args=[org.pk])
    page = client.get(url).content.decode()
    assert "Другой чат" in page and "Руководитель и заместители" not in page
    assert ">5А<" in page and ">5Б<" not in page

    page = client.get(url, {"kind": "other", "group": school["a"].pk}).content.decode()
    for name in ("kid_a1", "kid_a2", "parent_a", "teacher_a"):
        assert f'value="{school[name].pk}"' in page, name
    for name in ("kid_b", "parent_b", "curator_b", "admin"):
        assert f'value="{school[name].pk}"' not in page, name
    assert "Обучающиеся (3)" in page and "Родители (1)" in page
    assert client.get(url, {"kind": "other", "group": school["b"].pk}).status_code == 403

    resp = client.post(url, {"kind": "other", "group": school["a"].pk, "title": "", "members": [school["kid_a1"].pk]})
    assert resp.status_code == 200 and not Chat.objects.filter(kind="other").exists()
    resp = client.post(
        url, {"kind": "other", "group": school["a"].pk, "title": "Лично", "members": [school["kid_a1"].pk]}
    )
    assert str(PRIVATE_WITH_STUDENT) in resp.content.decode() and not Chat.objects.filter(kind="other").exists()
    assert f'value="{school["kid_a1"].pk}" id="member-{school["kid_a1"].pk}" checked' in resp.content.decode()

    ids = [school["kid_a1"].pk, school["kid_a2"].pk, school["parent_a"].pk]
    resp = client.post(url, {"kind": "other", "group": school["a"].pk, "title": "Поход", "members": ids})
    chat = Chat.objects.get(kind="other")
    assert resp.status_code == 302 and resp["Location"] == reverse("chats:chat", args=[chat.pk])
    assert set(members_of(chat)) == {school["curator_a"].pk, *ids}
    assert client.post(url, {"kind": "other", "group": school["b"].pk, "title": "x"}).status_code == 403
    assert client.post(url, {"kind": "other", "group": 999999, "title": "x"}).status_code == 404


def test_the_form_offers_only_the_kinds_one_may_create(client, school):
    client.force_login(school["director"])
    page = client.get(reverse("chats:create", args=[school["org"].pk])).content.decode()
    assert "Руководитель и заместители" in page and "Другой чат" not in page
    page = client.get(reverse("chats:create", args=[school["org"].pk]), {"kind": "class"}).content.decode()
    assert "автоматически по структуре" in page
    client.force_login(school["admin"])
    page = client.get(reverse("chats:create", args=[school["org"].pk])).content.decode()
    assert "Руководитель и заместители" in page and "Другой чат" in page


def test_members_add_page(client, school, hike):
    url = reverse("chats:members_add", args=[hike.pk])
    client.force_login(school["kid_a1"])
    assert client.get(url).status_code == 403
    client.force_login(school["curator_a"])
    page = client.get(url).content.decode()
    assert f'value="{school["kid_a3"].pk}"' in page and f'value="{school["kid_a1"].pk}"' not in page
    assert f'value="{school["kid_b"].pk}"' not in page
    resp = client.post(url, {"members": [school["kid_a3"].pk]})
    assert resp.status_code == 302 and school["kid_a3"].pk in members_of(hike)


def test_the_members_picker_and_the_api_offer_the_same_people(client, api, school, hike):
    """«Добавить участников» and the API's candidates/ answer one question with one selector: the same people, in
    the same sections, with the same notes; neither offers those already in the chat or outside its class."""
    client.force_login(school["curator_a"])
    page = client.get(reverse("chats:members_add", args=[hike.pk]))
    on_page = [(s["key"], row["user"].pk, row["note"]) for s in page.context["sections"] for row in s["people"]]
    answer = as_user(api, school["curator_a"]).get(chats_url(school["org"], hike.pk, "candidates"))
    assert answer.status_code == 200
    in_api = [(row["category"], row["person"]["id"], row["note"]) for row in answer.json()]
    assert in_api == on_page
    offered = {user_id for _category, user_id, _note in in_api}
    assert school["kid_a3"].pk in offered and school["teacher_a"].pk in offered
    assert not offered & {school["kid_a1"].pk, school["kid_b"].pk, school["parent_b"].pk}
    assert as_user(api, school["kid_a1"]).get(chats_url(school["org"], hike.pk, "candidates")).status_code == 403
