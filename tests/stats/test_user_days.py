"""The per-person day rows are written as people act (a seen mark, a first post of the day), and filling the day
completes them into exactly what a recount from the sources writes."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chats.models import Chat, ChatMember, Message, Poll, PollOption, PollVote
from chats.services.messages import message_post
from orgs.models import Membership
from stats.days import local_day
from stats.models import UserDay
from stats.services.fill import stats_advance, stats_backfill
from stats.services.seen import seen_mark, took_part_mark

from .helpers import Role, UserFactory, at, join, table_state, world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def rows(**where) -> set:
    return set(UserDay.objects.filter(**where).values_list("user_id", "day", "roles", "present", "took_part"))


def test_a_seen_mark_writes_the_persons_day_row_with_the_roles_they_hold():
    w = world("Asia/Vladivostok")
    today = local_day(timezone.now(), "Asia/Vladivostok")
    seen_mark(user_id=w.teacher.pk)
    seen_mark(user_id=w.teacher.pk)
    assert rows(organisation=w.organisation) == {(w.teacher.pk, today, UserDay.TEACHER, True, False)}


def test_a_first_post_of_the_day_writes_took_part_with_one_query_and_the_next_posts_none():
    w = world("Europe/Samara")
    today = local_day(timezone.now(), "Europe/Samara")
    author, other = w.students[0], w.students[1]
    # `other` took part earlier today (their row written and remembered): their first post here costs no more.
    took_part_mark(user_id=other.pk, organisation_id=w.organisation.pk, time_zone="Europe/Samara", at=timezone.now())
    message_post(chat=w.class_chat, actor=w.teacher, text="Напоминаю про экскурсию")  # the chat's first post

    with CaptureQueriesContext(connection) as others_first:
        message_post(chat=w.class_chat, actor=other, text="Доброе утро")
    with CaptureQueriesContext(connection) as first:
        message_post(chat=w.class_chat, actor=author, text="Что задали по истории?")
    with CaptureQueriesContext(connection) as second:
        message_post(chat=w.class_chat, actor=author, text="Нашёл, спасибо")
    with CaptureQueriesContext(connection) as others_second:
        message_post(chat=w.class_chat, actor=other, text="Параграф 12")

    assert len(first) == len(others_first) + 1
    assert [q["sql"] for q in first if "stats_userday" in q["sql"]] != []
    assert not [q["sql"] for q in (*others_first, *second, *others_second) if "stats_userday" in q["sql"]]
    assert len(second) == len(others_second)
    assert rows(organisation=w.organisation) == {
        (author.pk, today, UserDay.STUDENT, False, True),
        (other.pk, today, UserDay.STUDENT, False, True),
        (w.teacher.pk, today, UserDay.TEACHER, False, True),
    }
    seen_mark(user_id=author.pk)  # then they open a page: the same row, present as well
    assert rows(user=author) == {(author.pk, today, UserDay.STUDENT, True, True)}


def test_a_person_in_two_organisations_has_a_row_in_each_on_its_own_local_day():
    school, college = world("Europe/Kaliningrad"), world("Asia/Kamchatka")
    parent = UserFactory()
    for w in (school, college):
        join(w.organisation, parent, Role.PARENT, timezone.now() - timedelta(days=1))
        ChatMember.objects.create(chat=w.parents_chat, user=parent, joined_at=timezone.now())
    message_post(chat=school.parents_chat, actor=parent, text="Родительское собрание во вторник?")
    seen_mark(user_id=parent.pk)

    now = timezone.now()
    assert rows(organisation=school.organisation) == {
        (parent.pk, local_day(now, "Europe/Kaliningrad"), UserDay.PARENT, True, True)
    }
    assert rows(organisation=college.organisation) == {
        (parent.pk, local_day(now, "Asia/Kamchatka"), UserDay.PARENT, True, False)
    }


def test_filling_a_day_keeps_the_rows_written_as_people_acted_and_completes_them_as_a_recount_would():
    w = world("Asia/Yekaterinburg", students=4)
    org = w.organisation
    day = local_day(timezone.now(), org.time_zone) - timedelta(days=1)
    writer, voter, imported, promoted = w.students[0], w.students[1], w.students[2], w.teacher
    # As the portal writes them during the day: a seen mark and a first post (the cache says nothing yet).
    seen_mark(user_id=writer.pk, now=at(org, day, 500))
    cache.clear()
    message = Message.objects.create(chat=w.class_chat, author=writer, text="Вопрос", created_at=at(org, day, 600))
    seen_mark(user_id=promoted.pk, now=at(org, day, 700))
    # … and what is loaded without them: a vote, an imported message; and a role taken later the same day.
    poll = Poll.objects.create(message=message, question="Когда?")
    option = PollOption.objects.create(poll=poll, text="Завтра", position=0)
    PollVote.objects.bulk_create([PollVote(option=option, user=voter, created_at=at(org, day, 800))])
    Message.objects.bulk_create([Message(chat=w.class_chat, author=imported, text="Ок", created_at=at(org, day, 900))])
    join(org, promoted, Role.ADMIN, at(org, day, 1000))
    written = dict(UserDay.objects.filter(organisation=org, day=day).values_list("user_id", "pk"))
    assert set(written) == {writer.pk, promoted.pk}

    stats_advance()

    filled = table_state([org.pk])["users"]
    assert {r for r in filled if r[2] == day} == {
        (org.pk, writer.pk, day, UserDay.STUDENT, True, True),
        (org.pk, voter.pk, day, UserDay.STUDENT, False, True),
        (org.pk, imported.pk, day, UserDay.STUDENT, False, True),
        (org.pk, promoted.pk, day, UserDay.TEACHER | UserDay.ADMIN, True, False),
    }
    # The rows written during the day stayed (completed in place, not deleted and written again) …
    kept = dict(UserDay.objects.filter(organisation=org, day=day, user__in=written).values_list("user_id", "pk"))
    assert kept == written
    # … and a recount from the sources writes the same rows and the same figures.
    counts = table_state([org.pk])
    stats_backfill(first=w.start, last=day)
    assert table_state([org.pk]) == counts


def test_a_role_ended_during_the_day_is_not_counted_for_it():
    w = world("Europe/Moscow")
    org = w.organisation
    day = local_day(timezone.now(), org.time_zone) - timedelta(days=1)
    seen_mark(user_id=w.teacher.pk, now=at(org, day, 500))
    Membership.objects.filter(organisation=org, user=w.teacher).update(valid_to=at(org, day, 600))

    stats_advance()

    assert rows(organisation=org, day=day) == {(w.teacher.pk, day, 0, True, False)}


def test_a_later_post_of_the_day_asks_nothing_even_when_the_chats_organisation_is_not_loaded(
    django_assert_num_queries,
):
    w = world("Asia/Omsk")
    Message.objects.create(chat=Chat.objects.get(pk=w.class_chat.pk), author=w.teacher, text="Первое за день")
    chat = Chat.objects.get(pk=w.class_chat.pk)  # its organisation not loaded
    with django_assert_num_queries(1):  # the message's own INSERT (which looks for an earlier copy of its text)
        Message.objects.create(chat=chat, author=w.teacher, text="Второе за день")
    today = local_day(timezone.now(), "Asia/Omsk")
    assert rows(organisation=w.organisation) == {(w.teacher.pk, today, UserDay.TEACHER, False, True)}
