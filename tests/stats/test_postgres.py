"""What only PostgreSQL proves: the lease lets one filler in when several start at the same moment, and the
indicators filled side by side on connections of their own write what one connection writes."""

import threading
from datetime import timedelta
from functools import partial

import pytest

from stats.models import Lease, OrgDayCount
from stats.services.fill import stats_advance, stats_backfill
from stats.services.lease import lease_acquire
from tests.concurrency import at_once
from tests.postgres import POSTGRES_ONLY

from .helpers import at, table_state, world

pytestmark = POSTGRES_ONLY


@pytest.mark.django_db(transaction=True)
def test_of_eight_workers_taking_the_lease_at_once_exactly_one_gets_it():
    results = at_once([partial(lease_acquire, holder=f"worker-{n}") for n in range(8)])
    assert sorted(results, key=str) == [False] * 7 + [True]
    assert Lease.objects.get().holder == f"worker-{results.index(True)}"


@pytest.mark.django_db(transaction=True)
def test_two_beats_firing_together_fill_each_day_once():
    from chats.models import Message

    w = world()
    Message.objects.create(chat=w.class_chat, author=w.teacher, text="Собрание в пятницу в 18:00",
                           created_at=at(w.organisation, w.start + timedelta(days=1), 600))  # fmt: skip

    reports = at_once([stats_advance, stats_advance])

    assert sorted(r.busy for r in reports) == [False, True]
    filled = table_state()
    assert OrgDayCount.objects.filter(indicator="activity.v1", subgroup="messages").count() == 1
    assert stats_advance().buckets == 0
    assert table_state() == filled


@pytest.mark.django_db(transaction=True)
def test_filling_on_two_lanes_writes_what_filling_one_indicator_after_another_writes(settings, monkeypatch):
    from chats.models import Message
    from stats.services import fill
    from stats.services.seen import seen_mark

    w = world(students=4)
    org = w.organisation
    yesterday = w.start + timedelta(days=7)
    for n in range(7):
        day = w.start + timedelta(days=n)
        seen_mark(user_id=w.students[n % 4].pk, now=at(org, day, 480))
        Message.objects.create(chat=w.class_chat, author=w.students[n % 4], text=f"Вопрос № {n}",
                               created_at=at(org, day, 500 + n))  # fmt: skip
        Message.objects.create(chat=w.parents_chat, author=w.parents[n % 4], text="👍", created_at=at(org, day, 600))
    threads = set()
    original = fill.fill_batch

    def recorded(**kwargs):
        threads.add(threading.get_ident())
        return original(**kwargs)

    monkeypatch.setattr(fill, "fill_batch", recorded)
    settings.STATS_FILL_LANES = 2

    assert stats_advance().buckets > 0

    assert len(threads) == 2  # the indicators were filled on two connections at once
    on_two_lanes = table_state()
    settings.STATS_FILL_LANES = 1
    stats_backfill(first=w.start, last=yesterday)
    assert table_state() == on_two_lanes
    assert OrgDayCount.objects.filter(indicator="activity.v1", subgroup="messages.trivial").exists()
