"""What only PostgreSQL proves: the lease lets one filler in when several start at the same moment."""

from datetime import timedelta
from functools import partial

import pytest

from stats.models import Lease, OrgDayCount
from stats.services.fill import stats_advance
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
