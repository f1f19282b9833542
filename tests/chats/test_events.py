"""Scheduled events: who creates and cancels them, who sees them, and reminders sent exactly once."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from chats.models import Chat, ChatMember, Event, Message
from chats.services.events import event_cancel, event_create, events_send_reminders, events_upcoming_for_user
from chats.services.sync import chats_sync_organisation
from chats.tasks import send_event_reminders
from portal.exceptions import NotFound, PermissionDenied, RuleViolation
from tests.concurrency import at_once
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, admin_of, curator_of, student_in, teacher_of
from tests.postgres import postgres_only

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def build_school():
    org = OrganisationFactory(time_zone="Asia/Yekaterinburg")
    a = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    b = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    people = {
        "org": org,
        "admin": admin_of(org),
        "curator_a": curator_of(a),
        "curator_b": curator_of(b),
        "kid_a": student_in(a),
        "kid_a_no_mail": student_in(a, UserFactory(email=None)),
        "kid_b": student_in(b),
    }
    chats_sync_organisation(organisation=org)
    people["chat_a"] = Chat.objects.get(group=a, kind="class")
    people["chat_b"] = Chat.objects.get(group=b, kind="class")
    people["general"] = Chat.objects.get(organisation=org, kind="general_channel")
    # A teacher added to 5А's chat by hand: a member of it, not its owner.
    people["teacher"] = teacher_of(org)
    ChatMember.objects.create(chat=people["chat_a"], user=people["teacher"])
    return people


@pytest.fixture
def school():
    return build_school()


def make(school, actor=None, chat=None, *, now=NOW, **kwargs):
    fields = {
        "kind": "parents_meeting",
        "title": "Родительское собрание",
        "starts_at": now + timedelta(hours=8),
        "video_url": "https://meet.example.ru/5a",
        **kwargs,
    }
    return event_create(
        organisation=school["org"],
        chat=chat or school["chat_a"],
        actor=actor or school["curator_a"],
        now=now,
        **fields,
    )


# --- Creating and cancelling ------------------------------------------------------------


def test_those_who_may_post_in_the_chat_create_events_others_cannot(school):
    event = make(school, description="Итоги четверти")
    assert event.remind_at == event.starts_at - timedelta(minutes=60) and event.created_by == school["curator_a"]
    assert make(school, school["teacher"]).chat == school["chat_a"]  # a member of staff who writes in the chat
    with pytest.raises(PermissionDenied, match="администраторы и педагоги"):
        make(school, school["kid_a"])  # students write in the class chat but do not schedule events
    with pytest.raises(NotFound):
        make(school, school["kid_b"])  # not in 5А's chat
    with pytest.raises(PermissionDenied, match="могут те, кто может в нём писать"):
        make(school, school["curator_a"], school["general"])  # only the channel's owners post there
    other_org = build_school()
    with pytest.raises(NotFound):
        make(school, school["admin"], other_org["chat_a"])
    Chat.objects.filter(pk=school["chat_b"].pk).update(is_archived=True)
    with pytest.raises(PermissionDenied, match="в архиве"):
        make(school, school["curator_b"], Chat.objects.get(pk=school["chat_b"].pk))
    assert Event.objects.filter(organisation=school["org"]).count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"starts_at": NOW - timedelta(minutes=1)}, "starts_at"),
        ({"starts_at": NOW}, "starts_at"),
        ({"video_url": "http://meet.example.ru/5a"}, "video_url"),
        ({"video_url": "javascript:alert(1)"}, "video_url"),
        ({"title": "   "}, "title"),
        ({"kind": "party"}, "kind"),
        ({"duration_minutes": 0}, "duration_minutes"),
    ],
)
def test_an_event_in_the_past_or_with_a_plain_http_link_is_refused(school, fields, field):
    with pytest.raises(RuleViolation) as exc:
        make(school, **fields)
    assert field in exc.value.fields
    assert not Event.objects.exists()


def test_the_creator_the_chat_owner_and_an_administrator_cancel_others_cannot(school):
    by_teacher = make(school, school["teacher"])
    with pytest.raises(PermissionDenied, match="автор, владелец чата или администратор"):
        event_cancel(event=by_teacher, actor=school["kid_a_no_mail"], now=NOW)
    assert event_cancel(event=by_teacher, actor=school["curator_a"], now=NOW).cancelled_at == NOW  # the owner
    by_curator = make(school)
    with pytest.raises(PermissionDenied):
        event_cancel(event=by_curator, actor=school["kid_a"], now=NOW)
    assert event_cancel(event=by_curator, actor=school["admin"], now=NOW).cancelled_at == NOW
    own = make(school, school["teacher"])
    assert event_cancel(event=own, actor=school["teacher"], now=NOW).cancelled_at == NOW
    started = make(school)
    with pytest.raises(RuleViolation, match="уже началось"):
        event_cancel(event=started, actor=school["curator_a"], now=started.starts_at)
    assert list(Event.objects.filter(cancelled_at__isnull=True)) == [started]


# --- Upcoming -----------------------------------------------------------------------------


def test_members_see_the_upcoming_events_of_their_chats_soonest_first(school):
    later = make(school, starts_at=NOW + timedelta(days=3))
    sooner = make(school, school["admin"], school["general"], kind="broadcast", starts_at=NOW + timedelta(hours=2))
    in_b = make(school, school["curator_b"], school["chat_b"])
    cancelled = make(school)
    event_cancel(event=cancelled, actor=school["curator_a"], now=NOW)
    soonest = make(school, starts_at=NOW + timedelta(minutes=30))

    assert list(events_upcoming_for_user(school["kid_a"], now=NOW)) == [soonest, sooner, later]
    assert list(events_upcoming_for_user(school["kid_a"], now=NOW + timedelta(hours=1))) == [sooner, later]
    assert list(events_upcoming_for_user(school["kid_b"], now=NOW)) == [sooner, in_b]
    # The administrator reads every chat of the organisation.
    assert set(events_upcoming_for_user(school["admin"], school["org"], now=NOW)) == {soonest, sooner, later, in_b}
    # Someone who left the chat no longer sees its events.
    ChatMember.objects.filter(chat=school["chat_a"], user=school["kid_a"]).update(left_at=NOW)
    assert list(events_upcoming_for_user(school["kid_a"], now=NOW)) == [sooner]


def test_the_upcoming_list_takes_one_query_however_many_events(school, django_assert_num_queries):
    for hours in range(1, 7):
        make(school, starts_at=NOW + timedelta(hours=hours))
        make(school, school["admin"], school["general"], starts_at=NOW + timedelta(hours=hours))
    with django_assert_num_queries(1):
        rows = [(e.chat.title, e.created_by.full_name, e.title) for e in events_upcoming_for_user(school["kid_a"])]
    assert len(rows) == 12


# --- Reminders ------------------------------------------------------------------------------


def test_a_due_reminder_posts_once_in_the_chat_and_emails_the_members(school, django_capture_on_commit_callbacks):
    event = make(school, starts_at=datetime(2026, 12, 1, 13, 0, tzinfo=UTC), description="Итоги четверти")
    not_yet = make(school, starts_at=datetime(2026, 12, 1, 15, 0, tzinfo=UTC), title="Совет класса")
    run_at = datetime(2026, 12, 1, 12, 5, tzinfo=UTC)  # 55 minutes before the first, reminder set at 60

    with django_capture_on_commit_callbacks(execute=True):
        assert events_send_reminders(now=run_at) == 1

    message = Message.objects.get(chat=school["chat_a"])
    assert message.author == school["curator_a"]
    # 13:00 UTC is 18:00 in Yekaterinburg, the organisation's zone.
    assert message.text.startswith(
        "Напоминание: родительское собрание «Родительское собрание» — 01.12.2026 в 18:00 (Екатеринбург (UTC+5))"
    )
    assert "https://meet.example.ru/5a" in message.text and "Итоги четверти" in message.text
    members = {school["curator_a"].email, school["kid_a"].email, school["teacher"].email}  # not the one without
    assert sorted(tuple(letter.to) for letter in mail.outbox) == sorted((address,) for address in members)
    assert "18:00" in mail.outbox[0].body and "https://meet.example.ru/5a" in mail.outbox[0].body
    event.refresh_from_db()
    not_yet.refresh_from_db()
    assert event.reminded_at == run_at and not_yet.reminded_at is None

    # Run again: nothing new for the first event.
    with django_capture_on_commit_callbacks(execute=True):
        assert events_send_reminders(now=run_at + timedelta(minutes=5)) == 0
    assert Message.objects.filter(chat=school["chat_a"]).count() == 1 and len(mail.outbox) == len(members)

    # The second one's time comes later.
    with django_capture_on_commit_callbacks(execute=True):
        assert events_send_reminders(now=datetime(2026, 12, 1, 14, 0, tzinfo=UTC)) == 1
    assert Message.objects.filter(chat=school["chat_a"], text__contains="Совет класса").count() == 1
    assert len(mail.outbox) == 2 * len(members)


def test_cancelled_and_long_past_events_are_not_reminded(school, django_capture_on_commit_callbacks):
    cancelled = make(school)
    event_cancel(event=cancelled, actor=school["curator_a"], now=NOW)
    missed = make(school, starts_at=NOW + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert events_send_reminders(now=missed.starts_at + timedelta(hours=8)) == 0
    assert not Message.objects.exists() and not mail.outbox


def test_when_the_creator_has_left_the_chat_the_portal_posts_the_reminder(school):
    event = make(school, school["teacher"])
    ChatMember.objects.filter(chat=school["chat_a"], user=school["teacher"]).update(left_at=NOW)
    assert events_send_reminders(now=event.remind_at) == 1
    message = Message.objects.get(chat=school["chat_a"])
    assert message.author is None and "Родительское собрание" in message.text


def test_the_task_and_the_command_send_due_reminders(school):
    make(school, now=timezone.now(), starts_at=timezone.now() + timedelta(minutes=30))
    assert send_event_reminders.delay().get() == 1
    make(school, now=timezone.now(), starts_at=timezone.now() + timedelta(minutes=20))
    out = io.StringIO()
    call_command("send_event_reminders", stdout=out)
    assert "Отправлено напоминаний: 1" in out.getvalue()
    assert Message.objects.filter(chat=school["chat_a"]).count() == 2


@postgres_only
def test_four_workers_at_once_send_each_reminder_exactly_once():
    school = build_school()
    events = [make(school, title=f"Собрание {n}", now=timezone.now() - timedelta(hours=2)) for n in range(3)]
    Event.objects.update(remind_at=timezone.now() - timedelta(minutes=1), starts_at=timezone.now() + timedelta(hours=1))
    mail.outbox = []
    results = at_once([events_send_reminders] * 4)
    assert all(isinstance(n, int) for n in results) and sum(results) == 3, results
    for event in events:
        assert Message.objects.filter(chat=school["chat_a"], text__contains=f"«{event.title}»").count() == 1
    assert len(mail.outbox) == 3 * 3  # each reminder to the three members with addresses (curator, kid, teacher)
    assert not Event.objects.filter(reminded_at__isnull=True).exists()


# --- API ----------------------------------------------------------------------------------------


def client_of(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_creates_lists_and_cancels_events(school):
    url = f"/api/v1/orgs/{school['org'].pk}/events/"
    starts = (timezone.now() + timedelta(days=2)).isoformat()
    body = {
        "kind": "meeting",
        "title": "Совещание",
        "starts_at": starts,
        "chat": school["chat_a"].pk,
        "video_url": "https://meet.example.ru/x",
    }
    resp = client_of(school["curator_a"]).post(url, body, format="json")
    assert resp.status_code == 201, resp.content
    created = resp.json()
    assert created["kind_display"] == "совещание" and created["reminder_minutes_before"] == 60
    assert created["created_by"]["id"] == school["curator_a"].pk

    resp = client_of(school["curator_a"]).post(url, {**body, "video_url": "http://meet.example.ru/x"}, format="json")
    assert resp.status_code == 400 and "video_url" in resp.json()["error"]["fields"]
    assert client_of(school["kid_b"]).post(url, body, format="json").status_code == 404
    resp = client_of(school["kid_a"]).post(url, {**body, "chat": school["general"].pk}, format="json")
    assert resp.status_code == 403 and resp.json()["error"]["message"]

    assert [row["id"] for row in client_of(school["kid_a"]).get(url).json()["results"]] == [created["id"]]
    assert client_of(school["kid_b"]).get(url).json()["results"] == []

    cancel = f"{url}{created['id']}/cancel/"
    assert client_of(school["kid_a"]).post(cancel).status_code == 403
    assert client_of(school["kid_b"]).post(cancel).status_code == 404
    resp = client_of(school["curator_a"]).post(cancel)
    assert resp.status_code == 200 and resp.json()["cancelled_at"]
    assert client_of(school["kid_a"]).get(url).json()["results"] == []
    assert Event.objects.filter(organisation=school["org"]).count() == 1


def test_api_list_queries_do_not_grow_with_events(school):
    url = f"/api/v1/orgs/{school['org'].pk}/events/"
    client = client_of(school["kid_a"])
    counts = []
    for n in (1, 8):
        for hours in range(n):
            make(school, now=timezone.now(), starts_at=timezone.now() + timedelta(hours=hours + 1))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
