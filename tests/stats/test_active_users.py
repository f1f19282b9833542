"""Active users from each person's last active days, kept up as the days are filled in order: every day's figures
equal a distinct count over the month's per-person rows, whether the days follow one another, a gap or a rewrite
broke the chain, or a backdated change had a past day recounted."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from chats.models import Message
from orgs.models import Placement
from stats.collectors.active import _month_lasts, compute_active_users, count_from_month
from stats.days import Batch, local_day
from stats.models import ClassDayCount, LastActive, LastActiveAsOf, OrgDayCount, Presence
from stats.registry import REGISTRY
from stats.services.fill import fill_batch, stats_advance, stats_backfill

from .helpers import Role, UserFactory, at, join, table_state, value, world

pytestmark = pytest.mark.django_db

ACTIVE = "active_users.v1"
TIME_ZONE = "Asia/Novosibirsk"
DAYS = 36  # longer than the longest window (30 days): people leave it


def post(chat, author, when):
    Message.objects.bulk_create([Message(chat=chat, author=author, text="Завтра экскурсия в музей", created_at=when)])


def seen(w, person, day):
    Presence.objects.get_or_create(organisation=w.organisation, user=person, day=day)


def history():
    """A school with five weeks of comings and goings: people active on a few days each, one of them only at the
    start (so that they leave every window), a teacher who becomes an administrator, a student who leaves the class,
    and a parent who only opens the portal."""
    start = local_day(timezone.now(), TIME_ZONE) - timedelta(days=DAYS + 1)
    w = world(TIME_ZONE, students=4, start=start)
    org = w.organisation
    early, student, leaver, parent = w.students[0], w.students[1], w.students[2], w.parents[0]
    for n in range(DAYS):
        day = start + timedelta(days=n)
        if n % 3 == 0:
            post(w.class_chat, w.teacher, at(org, day, 600))
        if n % 4 == 1:
            post(w.class_chat, student, at(org, day, 700))
        if n % 5 == 2:
            seen(w, parent, day)
        if n % 7 == 3:
            seen(w, leaver, day)
            post(w.class_chat, leaver, at(org, day, 800))
    post(w.class_chat, early, at(org, start, 500))
    join(org, w.teacher, Role.ADMIN, at(org, start + timedelta(days=10), 300))
    Placement.objects.filter(student=leaver).update(valid_to=at(org, start + timedelta(days=20), 300))
    return w


def filled(w, day) -> dict:
    """The active users' rows the fill wrote for the day."""
    org_rows = OrgDayCount.objects.filter(organisation=w.organisation, indicator=ACTIVE, day=day)
    class_rows = ClassDayCount.objects.filter(organisation=w.organisation, indicator=ACTIVE, day=day)
    return {
        "org": dict(org_rows.values_list("subgroup", "value")),
        "class": {(g, s): v for g, s, v in class_rows.values_list("group_id", "subgroup", "value")},
    }


def from_month(w, day) -> dict:
    """The same day counted from the month's per-person rows, as the rows are now."""
    rows = count_from_month(Batch(w.organisation.time_zone, day, (w.organisation.pk,)))[w.organisation.pk]
    return {
        "org": {k: v for k, v in rows.org.items() if v},
        "class": {k: v for k, v in rows.classes.items() if v},
    }


def kept(w) -> set:
    return set(LastActive.objects.filter(organisation=w.organisation).values_list())


def rebuilt(w, day) -> set:
    """The last days as a rebuild from the month's rows writes them."""
    from django.db import connection

    select, params = _month_lasts([w.organisation.pk], day)
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        rows = cursor.fetchall()
    # SQLite hands the dates back as text.
    return {tuple(date.fromisoformat(v) if isinstance(v, str) else v for v in row) for row in rows}


def as_of(w):
    return LastActiveAsOf.objects.filter(organisation=w.organisation).values_list("day", flat=True).first()


def test_days_filled_in_order_move_the_last_days_forward_and_count_as_the_month_does():
    w = history()
    org = w.organisation
    for n in range(DAYS):
        day = w.start + timedelta(days=n)
        stats_advance(now=at(org, day + timedelta(days=1), 30))
        assert as_of(w) == day
        assert filled(w, day) == from_month(w, day), day
        assert {row[:2] for row in kept(w)} == {row[:2] for row in rebuilt(w, day)}
    last = w.start + timedelta(days=DAYS - 1)
    # The person active only on the first day has left every window, and is no longer kept.
    assert value(org, ACTIVE, w.start, "dau.student") == 1
    assert value(org, ACTIVE, w.start + timedelta(days=29), "mau.all") > value(org, ACTIVE, last, "mau.all")
    assert w.students[0].pk not in {row[1] for row in kept(w)}
    # The teacher counts as an administrator from the day they became one; the leaver no longer in the class.
    assert value(org, ACTIVE, w.start + timedelta(days=9), "dau.admin") == 0
    assert value(org, ACTIVE, w.start + timedelta(days=12), "dau.admin") == 1
    assert value(org, ACTIVE, w.start + timedelta(days=12), "mau.admin.took_part") == 1
    assert kept(w) == rebuilt(w, last)


def test_the_first_fill_and_a_fill_after_a_gap_rebuild_the_last_days_from_the_month():
    w = history()
    org = w.organisation
    middle = w.start + timedelta(days=20)
    stats_advance(now=at(org, middle + timedelta(days=1), 30))  # the first fill: every day up to `middle`
    assert as_of(w) == middle
    assert filled(w, middle) == from_month(w, middle)
    LastActiveAsOf.objects.filter(organisation=org).update(day=middle - timedelta(days=3))  # a gap
    LastActive.objects.filter(organisation=org).update(present=middle)  # … and rows that must not be trusted

    last = w.start + timedelta(days=DAYS - 1)
    stats_advance(now=at(org, last + timedelta(days=1), 30))

    assert as_of(w) == last
    for n in range(21, DAYS):
        day = w.start + timedelta(days=n)
        assert filled(w, day) == from_month(w, day), day


def test_a_backdated_message_has_the_days_recounted_and_the_last_days_rebuilt():
    w = history()
    org = w.organisation
    last = w.start + timedelta(days=DAYS - 1)
    stats_advance(now=at(org, last + timedelta(days=1), 30))
    quiet = UserFactory()  # active only by the imported message, five days ago
    join(org, quiet, Role.PARENT, at(org, w.start))
    before = value(org, ACTIVE, last, "wau.parent.took_part")

    Message.objects.create(chat=w.parents_chat, author=quiet, text="Спасибо", created_at=at(org, last - timedelta(4)))
    stats_advance(now=at(org, last + timedelta(days=1), 40))

    assert value(org, ACTIVE, last, "wau.parent.took_part") == before + 1
    for n in range(DAYS - 8, DAYS):
        day = w.start + timedelta(days=n)
        assert filled(w, day) == from_month(w, day), day
    assert as_of(w) == last
    # The next day follows on from the rebuilt last days.
    Presence.objects.create(organisation=org, user=quiet, day=last + timedelta(days=1))
    stats_advance(now=at(org, last + timedelta(days=2), 30))
    assert as_of(w) == last + timedelta(days=1)
    assert filled(w, last + timedelta(days=1)) == from_month(w, last + timedelta(days=1))
    assert value(org, ACTIVE, last + timedelta(days=1), "dau.parent") >= 1


def test_a_recount_of_an_earlier_day_counts_from_the_month_and_leaves_the_last_days():
    w = history()
    org = w.organisation
    last = w.start + timedelta(days=DAYS - 1)
    stats_advance(now=at(org, last + timedelta(days=1), 30))
    state = kept(w)
    earlier = last - timedelta(days=6)

    fill_batch(indicator=REGISTRY[ACTIVE], batch=Batch(org.time_zone, earlier, (org.pk,)))

    assert filled(w, earlier) == from_month(w, earlier)
    assert (as_of(w), kept(w)) == (last, state)
    rows = compute_active_users(Batch(org.time_zone, last, (org.pk,)))  # the last day: counted from the kept rows
    assert {k: v for k, v in rows[org.pk].org.items() if v} == filled(w, last)["org"]


def test_a_backfill_rewrites_the_days_and_gives_what_filling_them_in_order_gave():
    w = history()
    org = w.organisation
    last = w.start + timedelta(days=DAYS - 1)
    for n in range(DAYS):
        stats_advance(now=at(org, w.start + timedelta(days=n + 1), 30))
    in_order = table_state([org.pk])

    stats_backfill(first=w.start + timedelta(days=10), last=w.start + timedelta(days=15), now=at(org, last, 1000))
    assert as_of(w) == w.start + timedelta(days=15)  # the rewritten days dropped the later last days
    stats_backfill(first=w.start, last=last, now=at(org, last + timedelta(days=1), 30))

    assert table_state([org.pk]) == in_order
    assert as_of(w) == last


def test_a_person_deleted_takes_their_last_days_along():
    w = world(TIME_ZONE, students=2)
    org = w.organisation
    day = w.start + timedelta(days=2)
    post(w.class_chat, w.students[0], at(org, day, 600))
    post(w.class_chat, w.teacher, at(org, day, 610))
    stats_advance(now=at(org, day + timedelta(days=1), 30))
    gone = w.students[0].pk
    assert {row[1] for row in kept(w)} == {gone, w.teacher.pk}

    w.students[0].delete()

    assert {row[1] for row in kept(w)} == {w.teacher.pk}
