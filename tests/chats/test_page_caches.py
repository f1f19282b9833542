"""What the chat page keeps or skips between requests, and that nobody sees an old state because of it: the polls'
results kept per version (a vote, a voter's rename or deletion shows on the next load), the person's roles read with
their rights (the navigation follows a membership change), the page's facts read in one query (the read mark moved
only when it is behind; the events' audience the same in SQL as in the ORM)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chats.models import Chat, ChatMember, ChatReadState, Event, Message
from chats.selectors import _audience_sql, chat_event_audience, chat_page_facts, chat_page_rows, page_messages
from chats.services.messages import message_post
from chats.services.polls import poll_create, poll_vote
from chats.services.sync import chats_sync_organisation
from orgs.models import Group, Membership
from orgs.selectors import roles_in, verified_teacher_ids
from orgs.services.membership import membership_add, membership_end, teacher_reject, teacher_verify
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    admin_of,
    curator_of,
    parent_of,
    student_in,
    teacher_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    org = OrganisationFactory()
    a = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    s = {"org": org, "a": a, "admin": admin_of(org), "curator": curator_of(a)}
    s["kid"], s["kid2"], s["kid3"] = student_in(a), student_in(a), student_in(a)
    s["parent"] = parent_of(s["kid"], org)
    chats_sync_organisation(organisation=org)
    s["chat"] = Chat.objects.get(group=a, kind=Chat.Kind.CLASS)
    return s


def page(client, user, chat):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("chats:chat", args=[chat.pk]))
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries]


def results_line(html, option):
    """The results' line of an option: «Вторник: <strong>1</strong> (Фамилия И. О.)»."""
    start = html.index(f"<li>{option}: <strong>")
    return html[start : html.index("</li>", start)]


def test_a_vote_by_another_person_shows_on_the_next_load_and_an_unchanged_poll_is_not_read_again(client, school):
    poll = poll_create(chat=school["chat"], actor=school["curator"], question="Когда?", options=["Вторник", "Четверг"])
    tuesday, thursday = poll.options.order_by("position")
    html, queries = page(client, school["kid"], school["chat"])
    assert "<strong>0</strong>" in results_line(html, "Вторник") and "Проголосовали: 0" in html
    assert any("chats_pollvote" in sql for sql in queries)
    # Nothing changed: the results come from the process, not the database.
    html, queries = page(client, school["kid"], school["chat"])
    assert not any("chats_pollvote" in sql or "chats_polloption" in sql for sql in queries)
    # Another person votes through the page: the kid's next load shows it, with the voter's name.
    client.force_login(school["kid2"])
    vote_url = reverse("chats:vote", args=[school["chat"].pk, poll.pk])
    assert client.post(vote_url, {"option": [tuesday.pk]}).status_code == 302
    html, _ = page(client, school["kid"], school["chat"])
    line = results_line(html, "Вторник")
    assert "<strong>1</strong>" in line and school["kid2"].short_name in line and "ваш выбор" not in line
    assert "Проголосовали: 1" in html
    # The kid's own vote (the service, as the API calls it) and then the other's change of mind.
    poll_vote(poll=poll, actor=school["kid"], option_ids=[thursday.pk])
    poll_vote(poll=poll, actor=school["kid2"], option_ids=[thursday.pk])
    html, _ = page(client, school["kid"], school["chat"])
    assert "<strong>0</strong>" in results_line(html, "Вторник")
    line = results_line(html, "Четверг")
    assert "<strong>2</strong>" in line and "ваш выбор" in line and school["kid2"].short_name in line
    # The second student, on the same kept results, sees their own choice, not the kid's view of it.
    html, _ = page(client, school["kid2"], school["chat"])
    assert "ваш выбор" in results_line(html, "Четверг") and "Проголосовали: 2" in html


def test_a_voters_new_name_and_a_deleted_voter_show_on_the_next_load(client, school):
    poll = poll_create(chat=school["chat"], actor=school["curator"], question="Когда?", options=["Вторник", "Четверг"])
    tuesday = poll.options.order_by("position")[0]
    poll_vote(poll=poll, actor=school["kid2"], option_ids=[tuesday.pk])
    poll_vote(poll=poll, actor=school["kid3"], option_ids=[tuesday.pk])
    html, _ = page(client, school["kid"], school["chat"])
    assert school["kid2"].short_name in results_line(html, "Вторник")
    renamed = school["kid2"]
    renamed.last_name = "Переименованная"
    renamed.save()
    html, _ = page(client, school["kid"], school["chat"])
    assert renamed.short_name.startswith("Переименованная")
    assert renamed.short_name in results_line(html, "Вторник") and "<strong>2</strong>" in results_line(html, "Вторник")
    school["kid3"].delete()
    html, _ = page(client, school["kid"], school["chat"])
    assert "<strong>1</strong>" in results_line(html, "Вторник") and "Проголосовали: 1" in html


def test_the_navigation_follows_a_membership_change_on_the_next_load(client, school):
    invites = reverse("invites:list", args=[school["org"].pk])
    parents_chat = Chat.objects.get(group=school["a"], kind=Chat.Kind.CLASS_PARENTS)
    html, _ = page(client, school["parent"], parents_chat)
    assert invites not in html  # a parent has no links to hand out
    teacher = membership_add(
        organisation=school["org"], user=school["parent"], role=Membership.Role.TEACHER, actor=None, verified=True
    )
    html, _ = page(client, school["parent"], parents_chat)
    assert invites in html  # now also a teacher of the school
    membership_end(membership=teacher, actor=school["admin"])
    html, _ = page(client, school["parent"], parents_chat)
    assert invites not in html


def test_the_roles_read_with_the_rights_follow_a_change_within_the_request(school):
    parent = school["parent"]
    assert roles_in(parent, school["org"]) == {Membership.Role.PARENT}
    membership_add(organisation=school["org"], user=parent, role=Membership.Role.TEACHER, actor=None, verified=True)
    assert roles_in(parent, school["org"]) == {Membership.Role.PARENT, Membership.Role.TEACHER}
    assert roles_in(school["kid"], OrganisationFactory()) == set()


def test_a_reload_with_nothing_new_writes_nothing_and_a_new_message_moves_the_mark(client, school):
    message_post(chat=school["chat"], actor=school["curator"], text="Первое")
    page(client, school["kid"], school["chat"])
    state = ChatReadState.objects.get(chat=school["chat"], user=school["kid"])
    _, queries = page(client, school["kid"], school["chat"])
    assert not [sql for sql in queries if sql.lstrip().upper().startswith(("INSERT", "UPDATE"))], queries
    newest = message_post(chat=school["chat"], actor=school["curator"], text="Второе")
    page(client, school["kid"], school["chat"])
    state.refresh_from_db()
    assert state.last_read_message_id == newest.pk
    # A chat never opened gets its mark on the first visit, even while it has no messages.
    chat = Chat.objects.get(group=school["a"], kind=Chat.Kind.CLASS_PARENTS)
    page(client, school["parent"], chat)
    assert ChatReadState.objects.get(chat=chat, user=school["parent"]).last_read_message_id == 0


def test_the_events_audience_of_the_page_facts_is_the_orms(school):
    org, admin = school["org"], school["admin"]
    other = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    chats_sync_organisation(organisation=org)
    staff = Group.objects.get(organisation=org, kind=Group.Kind.STAFF)
    foreign_staff = Group.objects.get(organisation=OrganisationFactory(), kind=Group.Kind.STAFF)
    starts = timezone.now() + timedelta(days=3)

    def event(**audience):
        organisation = audience.pop("organisation", org)
        return Event.objects.create(
            organisation=organisation, kind="meeting", title="Собрание", starts_at=starts, remind_at=starts, **audience
        )

    chats = list(Chat.objects.filter(organisation=org))
    assert {c.kind for c in chats} >= {"class", "class_parents", "class_teachers", "general_channel", "staff_channel"}
    for chat in chats:
        event(chat=chat)
    for group in (school["a"], other, staff):
        event(group=group, created_by=admin)
    event(group=foreign_staff, organisation=foreign_staff.organisation)
    for chat in chats:
        sql, params = _audience_sql(chat)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT e.id FROM chats_event e WHERE {sql}", params)
            by_sql = {row[0] for row in cursor.fetchall()}
        by_orm = set(Event.objects.filter(chat_event_audience(chat)).values_list("pk", flat=True))
        assert by_sql == by_orm, chat.kind
        assert len(by_orm) == (2 if chat.kind in ("class", "class_parents", "staff_channel") else 1), chat.kind


def test_the_verified_teachers_read_with_the_page_facts_are_the_selectors_and_follow_a_verification(client, school):
    """The badges come from the page's facts query (one query fewer), and a teacher verified, rejected or gone shows
    so on the next load."""
    org, chat = school["org"], school["chat"]
    pending = teacher_of(org, verified=False)
    rejected = teacher_of(org, verified=False)
    gone = teacher_of(org)
    teacher_of(OrganisationFactory())  # another school's verified teacher

    def teaching(person):
        return Membership.objects.get(user=person, organisation=org, role="teacher")

    membership_end(membership=teaching(gone), actor=school["admin"])
    teacher_reject(
        membership=teaching(rejected),
        actor=school["admin"],
        reason="Не работает у нас",
    )
    for teacher in (pending, rejected, gone):
        ChatMember.objects.get_or_create(chat=chat, user=teacher)
        message_post(chat=chat, actor=teacher, text=f"Я {teacher.last_name}")
    facts = chat_page_facts(chat, school["kid"], [])
    assert facts.verified_ids == frozenset(verified_teacher_ids(org)) == {school["curator"].pk}
    badge = '<span class="badge badge-verified">'
    html, queries = page(client, school["kid"], chat)
    assert not any(sql.startswith('SELECT "orgs_membership"."user_id"') for sql in queries)  # the selector's query

    def badged(person):
        name = f'<span class="person">{person.full_name}</span>'
        return html.count(f"{name} {badge}"), html.count(name)

    assert badged(pending)[0] == 0 and badged(pending)[1] > 0
    teacher_verify(membership=teaching(pending), actor=school["admin"])
    html, _ = page(client, school["kid"], chat)
    assert badged(pending)[0] == badged(pending)[1] > 0
    assert badged(rejected)[0] == 0 and badged(gone)[0] == 0


def _state(message):
    """What a row carries for the page: its fields, its author's, its quote's and its poll's (or their absence)."""

    def fields(obj):
        return None if obj is None else {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    try:
        poll = message.poll
    except Message.poll.RelatedObjectDoesNotExist:
        poll = None
    reply = message.reply_to
    return (
        fields(message),
        fields(message.author),
        fields(reply),
        fields(reply.author) if reply else None,
        fields(poll),
    )


def test_the_page_rows_compiled_once_are_the_querysets_rows(client, school):
    """The page's messages come from a statement compiled once per process (portal.compiled): the same instances,
    with the same related objects, as the queryset compiled on each load; nothing queried per row afterwards."""
    chat, curator, kid = school["chat"], school["curator"], school["kid"]
    first = message_post(chat=chat, actor=curator, text="Начало")
    message_post(chat=chat, actor=kid, text="Ответ", reply_to=first)
    poll_create(chat=chat, actor=curator, question="Когда?", options=["Вторник", "Четверг"])
    gone = message_post(chat=chat, actor=school["kid3"], text="От ушедшего", reply_to=first)
    school["kid3"].delete()  # an author no longer there: no author, as the queryset has it
    for before in (None, gone.pk, 10**30):
        qs = page_messages(chat.pk).order_by("-pk")
        if before is not None:
            qs = qs.filter(pk__lt=before)
        expected = [_state(m) for m in qs[:51]]
        with CaptureQueriesContext(connection) as queries:
            got = [_state(m) for m in chat_page_rows(chat, before)]
        assert len(queries) == 1
        assert got == expected and len(got) >= 3
    html, _ = page(client, kid, chat)
    assert "От ушедшего" in html and "Когда?" in html
    client.force_login(kid)
    assert client.get(reverse("chats:chat", args=[chat.pk]) + "?before=" + "9" * 30).status_code == 200
    assert client.get(reverse("chats:chat", args=[10**30])).status_code == 404
