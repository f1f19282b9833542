"""The demo organisations get a past the dashboard can show, once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from chats.models import Message
from orgs.demo_data import SCHOOL
from orgs.models import Membership, Organisation
from stats.days import local_day
from stats.models import OrgDayCount, Presence
from stats.selectors import org_series

from .helpers import table_state

pytestmark = pytest.mark.django_db
DAYS = 6


def test_the_demo_history_fills_the_past_days_and_a_second_run_adds_nothing(settings):
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("stats_demo_history", days=DAYS, stdout=out)
    assert "сообщений" in out.getvalue()

    school = Organisation.objects.get(full_name=SCHOOL.profile["full_name"])
    today = local_day(timezone.now(), school.time_zone)
    first, yesterday = today - timedelta(days=DAYS), today - timedelta(days=1)
    messages = org_series(organisation_id=school.pk, indicator_id="activity.v1", first=first, last=yesterday)
    assert sum(messages["messages"].values()) > 0
    # People joined over the period: fewer were registered on the first day than on the last.
    joined = org_series(organisation_id=school.pk, indicator_id="coverage.v1", first=first, last=yesterday)
    assert joined["members.student"][first] < joined["members.student"][yesterday]
    assert Membership.objects.filter(organisation=school, valid_from__date__lt=today - timedelta(days=2)).exists()
    # Unverified teachers have been waiting for days: the weak spot shows.
    assert joined["teachers.unverified_over_3_days"][yesterday] >= 1
    weekly = org_series(organisation_id=school.pk, indicator_id="active_users.v1", first=yesterday, last=yesterday)
    assert weekly["wau.teacher"][yesterday] > 0
    # Some parents came by a join request the administrator approved, and some messages were reported: the
    # dashboard's sections on requests and moderation have something to show, and so do the content rules' refusals.
    requests = org_series(organisation_id=school.pk, indicator_id="join_requests.v1", first=first, last=yesterday)
    assert sum(requests["approved.parent"].values()) > 0
    assert sum(requests["created.parent"].values()) >= sum(requests["approved.parent"].values())
    refused = org_series(organisation_id=school.pk, indicator_id="content_refusals.v1", first=first, last=yesterday)
    assert sum(refused["rule.forbidden_service"].values()) > 0

    before = (Message.objects.count(), Presence.objects.count(), table_state())
    again = StringIO()
    call_command("stats_demo_history", days=DAYS, stdout=again)
    call_command("load_demo", stdout=StringIO())
    assert "уже есть" in again.getvalue()
    assert (Message.objects.count(), Presence.objects.count(), table_state()) == before
    assert OrgDayCount.objects.filter(organisation=school, day=first).exists()


@pytest.mark.parametrize("hour", [3, 15, 21])
def test_the_demo_shows_join_requests_and_refusals_whatever_the_hour_it_is_loaded_at(hour):
    """Who asked to join is drawn person by person and the refusals day by day: neither depends on how many people
    had joined or written by the moment of loading, so those sections are never empty for a demo loaded in the
    afternoon."""
    from stats.demo import demo_history_load

    call_command("load_demo", stdout=StringIO())
    now = timezone.now().replace(hour=hour, minute=30)
    demo_history_load(days=DAYS, now=now)
    school = Organisation.objects.get(full_name=SCHOOL.profile["full_name"])
    today = local_day(now, school.time_zone)

    def totals(indicator_id: str) -> dict[str, int]:
        series = org_series(organisation_id=school.pk, indicator_id=indicator_id,
                            first=today - timedelta(days=DAYS), last=today - timedelta(days=1))  # fmt: skip
        return {subgroup: sum(days.values()) for subgroup, days in series.items()}

    requests, refused = totals("join_requests.v1"), totals("content_refusals.v1")
    assert requests.get("approved.parent", 0) > 0, requests
    assert requests.get("approved.student", 0) > 0, requests
    assert refused.get("rule.forbidden_service", 0) > 0, refused
