"""Randomised histories: the tables the job builds run by run, as events arrive, equal a fill from scratch and a
naive recount from the raw rows."""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chats.models import Message
from orgs.models import Placement
from stats.days import Bucket, local_day
from stats.models import ClassDayCount, DirtyDay, FillState, OrgDayCount, Presence, UserDay
from stats.services.fill import stats_advance, stats_backfill
from stats.trivial import is_trivial

from .helpers import add_student, at, table_state, value, world

pytestmark = pytest.mark.django_db

DAYS = 4
TEXTS = ["👍", "Спасибо!", "Завтра контрольная, повторите дроби", "https://example.ru/plan", "Хорошо, приду"]

events = st.lists(
    st.tuples(
        st.sampled_from(["message", "message", "message", "presence", "join", "edit", "delete"]),
        st.integers(0, DAYS - 1),  # day
        st.integers(0, 24 * 60 - 1),  # minute of the local day
        st.integers(0, 6),  # who
        st.sampled_from(TEXTS),
    ),
    max_size=14,
)


def _arrive(w, people, event):
    kind, day, minute, who, text = event
    when = at(w.organisation, w.start + timedelta(days=day), minute)
    person = people[who % len(people)]
    if kind == "message":
        chat = w.class_chat if who % 2 else w.parents_chat
        Message.objects.bulk_create([Message(chat=chat, author=person, text=text, created_at=when)])
    elif kind in ("edit", "delete"):
        # The person's latest message so far gets another text, or is deleted (as `chats.services.messages` does).
        message = Message.objects.filter(author=person, deleted_at__isnull=True).order_by("-created_at").first()
        if message is None:
            return
        if kind == "edit":
            message.text, message.edited_at = text, when
            message.save(update_fields=["text", "edited_at"])
        else:
            message.text, message.deleted_at = "", when
            message.save(update_fields=["text", "deleted_at"])
    elif kind == "presence":
        Presence.objects.get_or_create(
            organisation=w.organisation, user=person, day=local_day(when, w.organisation.time_zone)
        )
    else:
        add_student(w, when, parent=bool(who % 2))


def _naive(w, day):
    """The day's key values recounted the plain way, from the raw rows."""
    bucket = Bucket(w.organisation.pk, w.organisation.time_zone, day)
    messages = list(
        Message.objects.filter(chat__organisation=w.organisation)
        .order_by("created_at", "id")
        .values_list("author_id", "text", "created_at", "deleted_at")
    )
    trivial = today = 0
    for i, (author, text, created, deleted) in enumerate(messages):
        if bucket.start <= created < bucket.end:
            today += 1
            if deleted:
                continue  # counted, but not judged: its text is gone
            earlier = messages[:i]
            recent = [t for a, t, c, d in earlier if a == author and not d and c >= created - timedelta(hours=24)]
            trivial += is_trivial(text, recent_texts=recent)
    active = defaultdict(set)
    for author, _text, created, _deleted in messages:
        active[local_day(created, w.organisation.time_zone)].add(author)
    for user_id, seen_day in Presence.objects.filter(organisation=w.organisation).values_list("user_id", "day"):
        active[seen_day].add(user_id)
    week = set().union(*(active[day - timedelta(days=n)] for n in range(7)))
    joined = Placement.objects.filter(group=w.group, valid_from__lt=bucket.end).count()
    return {
        ("activity.v1", "messages"): today,
        ("activity.v1", "messages.trivial"): trivial,
        ("coverage.v1", "students.joined"): joined,
        ("active_users.v1", "dau.all"): len(active[day]),
        ("active_users.v1", "wau.all"): len(week),
    }


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    time_zone=st.sampled_from(["Europe/Kaliningrad", "Asia/Kamchatka"]),
    history=events,
    runs=st.lists(st.integers(1, DAYS * 24), max_size=3),
)
def test_the_job_run_as_events_arrive_equals_a_recount(time_zone, history, runs):
    with transaction.atomic():
        start = local_day(timezone.now(), time_zone) - timedelta(days=DAYS + 1)
        w = world(time_zone, students=2, start=start)
        people = [w.teacher, *w.students, *w.parents]
        timed = sorted((at(w.organisation, w.start + timedelta(days=e[1]), e[2]), n, e) for n, e in enumerate(history))
        pending = list(timed)
        for hours in sorted(runs) + [None]:
            now = timezone.now() if hours is None else at(w.organisation, w.start, 60 * hours)
            while pending and pending[0][0] < now:
                _arrive(w, people, pending.pop(0)[2])
            stats_advance(now=now)
            stats_advance(now=now)  # the second run in a row finds nothing to do

        incremental = table_state([w.organisation.pk])
        assert not DirtyDay.objects.exists()
        for day in (w.start + timedelta(days=n) for n in range(DAYS)):
            for (indicator, subgroup), expected in _naive(w, day).items():
                assert value(w.organisation, indicator, day, subgroup) == expected, (indicator, subgroup, day)

        for model in (OrgDayCount, ClassDayCount, UserDay, FillState):
            model.objects.all().delete()
        stats_backfill(first=w.start, last=w.start + timedelta(days=DAYS))
        assert table_state([w.organisation.pk]) == incremental
        transaction.set_rollback(True)
