"""Events for a group of the structure: who schedules them, who sees them, and whom their reminders reach."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from chats.models import Chat, Event, Message
from chats.services.events import (
    event_cancel,
    event_create,
    event_get_for,
    events_send_reminders,
    events_upcoming_for_user,
)
from chats.services.sync import chats_sync_organisation
from orgs.models import Group, Membership
from portal.exceptions import NotFound, PermissionDenied, RuleViolation
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

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def build_school():
    org = OrganisationFactory(time_zone="Asia/Vladivostok")
    a = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    b = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    s = {"org": org, "a": a, "b": b, "staff": Group.objects.get(organisation=org, kind=Group.Kind.STAFF)}
    s["admin"] = admin_of(org)
    s["director"] = teacher_of(org, position=Membership.Position.DIRECTOR)
    s["curator_a"] = curator_of(a)
    s["curator_b"] = curator_of(b)
    s["teacher_a"] = teacher_of(org)
    teaches(a, s["teacher_a"], "Физика")
    s["unverified"] = curator_of(ClassFactory(organisation=org, grade=6, name="6А"), teacher_of(org, verified=False))
    s["kid_a"] = student_in(a)
    s["kid_a2"] = student_in(a, UserFactory(email=None))
    s["kid_b"] = student_in(b)
    s["parent_a"] = parent_of(s["kid_a"], org)
    s["parent_b"] = parent_of(s["kid_b"], org)
    chats_sync_organisation(organisation=org)
    return s


@pytest.fixture
def school():
    return build_school()


def make(s, actor=None, group=None, *, now=NOW, **kwargs):
    fields = {"kind": "parents_meeting", "title": "Собрание 5А", "starts_at": now + timedelta(hours=8), **kwargs}
    return event_create(organisation=s["org"], group=group or s["a"], actor=actor or s["curator_a"], now=now, **fields)


def seen_by(s, event, now=NOW):
    names = [n for n, v in s.items() if hasattr(v, "is_authenticated")]
    return {n for n in names if event in events_upcoming_for_user(s[n], s["org"], now=now)}


# --- Who sees --------------------------------------------------------------------------------------------


def test_a_class_event_is_seen_by_its_students_their_parents_and_its_curator_not_by_another_class(school):
    event = make(school, school["teacher_a"], kind="meeting", title="Консультация по физике")
    assert seen_by(school, event) == {"kid_a", "kid_a2", "parent_a", "curator_a", "teacher_a", "admin"}
    assert event_get_for(school["parent_a"], school["org"], event.pk) == event
    for outsider in ("kid_b", "parent_b", "curator_b", "director"):
        with pytest.raises(NotFound):
            event_get_for(school[outsider], school["org"], event.pk)
    # A student moved to 5Б leaves 5А's events behind, and so does their parent.
    placement = school["kid_a"].placements.get(valid_to__isnull=True)
    placement.valid_to = NOW
    placement.save()
    assert "kid_a" not in seen_by(school, event) and "parent_a" not in seen_by(school, event)


def test_a_staff_event_is_seen_by_staff_not_by_students_or_parents(school):
    event = make(school, school["director"], school["staff"], kind="meeting", title="Педсовет")
    assert seen_by(school, event) == {
        "admin",
        "director",
        "curator_a",
        "curator_b",
        "teacher_a",
        "unverified",
    }
    with pytest.raises(NotFound):
        event_get_for(school["kid_a"], school["org"], event.pk)
    other = build_school()
    with pytest.raises(NotFound):
        event_get_for(other["admin"], school["org"], event.pk)
    assert event not in events_upcoming_for_user(other["admin"], now=NOW)


# --- Who schedules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "group", "allowed"),
    [
        ("admin", "b", True),
        ("admin", "staff", True),
        ("director", "a", True),
        ("director", "staff", True),
        ("curator_a", "a", True),
        ("curator_a", "b", False),
        ("curator_a", "staff", False),
        ("teacher_a", "a", True),  # a verified teacher for a class taught
        ("teacher_a", "b", False),
        ("unverified", "a", False),
        ("kid_a", "a", False),
        ("parent_a", "a", False),
    ],
)
def test_who_may_schedule_for_a_group(school, actor, group, allowed):
    if allowed:
        assert make(school, school[actor], school[group]).group == school[group]
    else:
        with pytest.raises(PermissionDenied):
            make(school, school[actor], school[group])
        assert not Event.objects.exists()


def test_an_unverified_curator_may_not_schedule_even_for_their_own_class(school):
    own = Group.objects.get(organisation=school["org"], name="6А")
    with pytest.raises(PermissionDenied, match="подтверждённые педагоги"):
        make(school, school["unverified"], own)


def test_clubs_archived_classes_and_other_organisations_groups_are_refused(school):
    club = Group.objects.create(organisation=school["org"], kind=Group.Kind.CLUB, name="Робототехника")
    with pytest.raises(RuleViolation, match="в чате") as exc:
        make(school, school["admin"], club)
    assert "group" in exc.value.fields
    Group.objects.filter(pk=school["b"].pk).update(is_archived=True)
    with pytest.raises(PermissionDenied, match="в архиве"):
        make(school, school["admin"], Group.objects.get(pk=school["b"].pk))
    other = build_school()
    with pytest.raises(NotFound):
        make(school, school["admin"], other["a"])
    with pytest.raises(RuleViolation, match="что-то одно"):
        event_create(
            organisation=school["org"],
            actor=school["admin"],
            chat=Chat.objects.get(group=school["a"], kind="class"),
            group=school["a"],
            kind="meeting",
            title="Двойное",
            starts_at=NOW + timedelta(hours=1),
            now=NOW,
        )
    assert not Event.objects.exists()


def test_the_curator_cancels_a_class_event_a_teacher_of_another_class_cannot(school):
    event = make(school, school["teacher_a"])
    with pytest.raises(PermissionDenied, match="классный руководитель"):
        event_cancel(event=event, actor=school["curator_b"], now=NOW)
    assert event_cancel(event=event, actor=school["curator_a"], now=NOW).cancelled_at == NOW


# --- Reminders -------------------------------------------------------------------------------------------


def test_a_class_event_reminds_the_students_and_parents_once_and_posts_in_the_class_chat(
    school, django_capture_on_commit_callbacks
):
    event = make(school, kind="meeting", title="Классный час", starts_at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        assert events_send_reminders(now=event.remind_at) == 1
        assert events_send_reminders(now=event.remind_at + timedelta(minutes=1)) == 0
    # kid_a2 has no address; nobody of 5Б, and not the staff.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([school["kid_a"].email, school["parent_a"].email])
    assert "Для кого: 5А — ученики и родители." in mail.outbox[0].body
    # 08:00 UTC is 18:00 in Vladivostok.
    assert "02.12.2026 в 18:00 (Владивосток (UTC+10))" in mail.outbox[0].body
    post = Message.objects.get(chat__group=school["a"], chat__kind="class")
    assert post.author == school["curator_a"] and "«Классный час»" in post.text
    assert not Message.objects.exclude(pk=post.pk).exists()


def test_a_parents_meeting_reminds_the_parents_in_the_parents_chat(school, django_capture_on_commit_callbacks):
    event = make(school, school["teacher_a"])  # the teacher is not in the parents' chat: the portal posts
    with django_capture_on_commit_callbacks(execute=True):
        assert events_send_reminders(now=event.remind_at) == 1
    assert [m.to for m in mail.outbox] == [[school["parent_a"].email]]
    post = Message.objects.get()
    assert post.chat.kind == "class_parents" and post.chat.group == school["a"] and post.author is None


def test_a_staff_event_reminds_the_staff_in_the_staff_channel(school, django_capture_on_commit_callbacks):
    event = make(school, school["admin"], school["staff"], kind="meeting", title="Педсовет")
    with django_capture_on_commit_callbacks(execute=True):
        assert events_send_reminders(now=event.remind_at) == 1
    staff = ("admin", "director", "curator_a", "curator_b", "teacher_a", "unverified")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(school[n].email for n in staff)
    post = Message.objects.get()
    assert post.chat.kind == "staff_channel" and post.author == school["admin"]


@postgres_only
def test_two_workers_at_once_remind_a_class_event_exactly_once():
    school = build_school()
    make(school, kind="meeting", title="Классный час", now=timezone.now() - timedelta(hours=2))
    Event.objects.update(remind_at=timezone.now() - timedelta(minutes=1), starts_at=timezone.now() + timedelta(hours=1))
    mail.outbox = []
    results = at_once([events_send_reminders] * 2)
    assert sorted(results) == [0, 1], results
    assert Message.objects.filter(chat__group=school["a"], chat__kind="class").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([school["kid_a"].email, school["parent_a"].email])


# --- API -------------------------------------------------------------------------------------------------


def client_of(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_schedules_for_a_group_and_hides_it_from_another_class(school):
    url = f"/api/v1/orgs/{school['org'].pk}/events/"
    body = {
        "kind": "parents_meeting",
        "title": "Собрание 5А",
        "starts_at": (timezone.now() + timedelta(days=2)).isoformat(),
        "group": school["a"].pk,
    }
    resp = client_of(school["curator_a"]).post(url, body, format="json")
    assert resp.status_code == 201, resp.content
    created = resp.json()
    assert created["chat"] is None and created["group"] == school["a"].pk
    assert created["audience"] == "5А — ученики и родители" and created["group_name"] == "5А"

    assert client_of(school["curator_a"]).post(url, {**body, "group": school["b"].pk}, format="json").status_code == 403
    assert client_of(school["kid_a"]).post(url, body, format="json").status_code == 403
    assert client_of(school["curator_a"]).post(url, {**body, "group": 10**9}, format="json").status_code == 404
    other = build_school()  # another organisation's class, even for that organisation's administrator
    assert client_of(other["admin"]).post(url, body, format="json").status_code == 404
    other_url = f"/api/v1/orgs/{other['org'].pk}/events/"
    assert client_of(other["admin"]).post(other_url, body, format="json").status_code == 404

    chat = Chat.objects.get(group=school["a"], kind="class")
    for wrong in ({**body, "chat": chat.pk}, {k: v for k, v in body.items() if k != "group"}):
        resp = client_of(school["curator_a"]).post(url, wrong, format="json")
        assert resp.status_code == 400
        error = resp.json()["error"]
        assert set(error["fields"]) == {"chat", "group"} and "что-то одно" in error["message"]

    detail = f"{url}{created['id']}/"
    assert client_of(school["parent_a"]).get(detail).json()["title"] == "Собрание 5А"
    assert client_of(school["kid_b"]).get(detail).status_code == 404
    assert client_of(school["parent_b"]).get(detail).status_code == 404
    assert [e["id"] for e in client_of(school["kid_a"]).get(url).json()["results"]] == [created["id"]]
    assert client_of(school["kid_b"]).get(url).json()["results"] == []
    assert [e["id"] for e in client_of(school["admin"]).get(f"{url}?group={school['a'].pk}").json()["results"]] == [
        created["id"]
    ]
    assert client_of(school["admin"]).get(f"{url}?group={school['b'].pk}").json()["results"] == []
    assert client_of(school["admin"]).get(f"{url}?chat={chat.pk}").json()["results"] == []


def test_students_and_parents_do_not_schedule_events_even_in_chats_they_write_in(school):
    class_chat = Chat.objects.get(group=school["a"], kind=Chat.Kind.CLASS)
    parents_chat = Chat.objects.get(group=school["a"], kind=Chat.Kind.CLASS_PARENTS)
    for actor, chat in ((school["kid_a"], class_chat), (school["parent_a"], parents_chat)):
        with pytest.raises(PermissionDenied, match="администраторы и педагоги"):
            event_create(
                organisation=school["org"],
                chat=chat,
                actor=actor,
                kind="meeting",
                title="Встреча",
                starts_at=NOW + timedelta(hours=8),
                now=NOW,
            )
    assert not Event.objects.exists()
    # The page offers them no «Запланировать» either, while the curator of the class gets it.
    client = Client()
    client.force_login(school["kid_a"])
    page = client.get(f"/orgs/{school['org'].pk}/events/")
    assert page.status_code == 200 and "Запланировать" not in page.content.decode()
    assert client.get(f"/orgs/{school['org'].pk}/events/new/").status_code == 403
    client.force_login(school["curator_a"])
    curator_page = client.get(f"/orgs/{school['org'].pk}/events/")
    assert "Запланировать" in curator_page.content.decode()
