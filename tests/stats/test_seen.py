"""«Был на портале сегодня» and the distinct counts of active people."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from stats.days import day_start, local_day
from stats.models import Presence
from stats.selectors import distinct_active_users
from stats.services.fill import stats_backfill
from stats.services.seen import seen_mark

from .helpers import Role, UserFactory, first_day, join, organisation_since

pytestmark = pytest.mark.django_db
SEEN = "stats.middleware.SeenTodayMiddleware"


@pytest.fixture
def seen_middleware(settings):
    """The middleware as the portal's settings have it (the shared test settings leave it out)."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, SEEN]


def test_the_portal_settings_mark_presence_after_authentication():
    from portal import settings as portal_settings

    chain = portal_settings.MIDDLEWARE
    assert chain.index(SEEN) > chain.index("django.contrib.auth.middleware.AuthenticationMiddleware")


def test_a_person_is_marked_once_a_day_in_each_of_their_organisations(django_assert_num_queries):
    school = organisation_since("Europe/Kaliningrad", first_day("Europe/Kaliningrad"))
    college = organisation_since("Asia/Kamchatka", first_day("Asia/Kamchatka"))
    parent = UserFactory()
    join(school, parent, Role.PARENT, school.created_at)
    join(college, parent, Role.PARENT, college.created_at)

    # Their organisations, then the seen marks (INSERT … ON CONFLICT DO NOTHING) and their day rows (… DO UPDATE):
    # one statement on PostgreSQL (the marks' insert a CTE of the day rows'), two on SQLite.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 3):
        assert seen_mark(user_id=parent.pk) == 2
    for _ in range(3):
        with django_assert_num_queries(0):
            assert seen_mark(user_id=parent.pk) == 0

    days = dict(Presence.objects.filter(user=parent).values_list("organisation_id", "day"))
    now = timezone.now()
    assert days == {school.pk: local_day(now, school.time_zone), college.pk: local_day(now, college.time_zone)}


def test_the_mark_is_written_again_after_the_earliest_local_midnight():
    school = organisation_since("Asia/Kamchatka", first_day("Asia/Kamchatka"))
    teacher = UserFactory()
    join(school, teacher, Role.TEACHER, school.created_at)
    now = timezone.now()
    seen_mark(user_id=teacher.pk, now=now)
    tomorrow = day_start(local_day(now, "Asia/Kamchatka") + timedelta(days=1), "Asia/Kamchatka")
    assert seen_mark(user_id=teacher.pk, now=tomorrow - timedelta(seconds=1)) == 0
    assert seen_mark(user_id=teacher.pk, now=tomorrow + timedelta(seconds=1)) == 1
    assert Presence.objects.filter(user=teacher).count() == 2


def test_a_lost_cache_does_not_double_the_mark():
    school = organisation_since("Europe/Moscow", first_day("Europe/Moscow"))
    student = UserFactory()
    join(school, student, Role.STUDENT, school.created_at)
    seen_mark(user_id=student.pk)
    cache.clear()
    seen_mark(user_id=student.pk)
    assert Presence.objects.filter(user=student).count() == 1


def test_browsing_the_portal_marks_the_person_present_once(client, seen_middleware):
    school = organisation_since("Europe/Moscow", first_day("Europe/Moscow"))
    teacher = UserFactory()
    join(school, teacher, Role.TEACHER, school.created_at)
    client.force_login(teacher)
    for _ in range(3):
        client.get(reverse("orgs:home"))
    assert Presence.objects.filter(user=teacher, organisation=school).count() == 1
    client.logout()
    client.get(reverse("orgs:home"))
    assert Presence.objects.count() == 1


def test_a_request_with_an_api_token_marks_the_person_present(api, seen_middleware):
    from rest_framework.authtoken.models import Token

    school = organisation_since("Europe/Moscow", first_day("Europe/Moscow"))
    student = UserFactory()
    join(school, student, Role.STUDENT, school.created_at)
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=student).key}")
    assert api.get("/api/v1/orgs/").status_code == 200
    assert Presence.objects.filter(user=student, organisation=school).exists()


def test_a_parent_in_two_organisations_counts_once_across_them():
    tz = "Asia/Irkutsk"
    start = local_day(timezone.now(), tz) - timedelta(days=3)
    school, other_school = organisation_since(tz, start), organisation_since(tz, start)
    parent, other_parent = UserFactory(), UserFactory()
    for org in (school, other_school):
        join(org, parent, Role.PARENT, org.created_at)
        Presence.objects.create(organisation=org, user=parent, day=start + timedelta(days=1))
    join(school, other_parent, Role.PARENT, school.created_at)
    Presence.objects.create(organisation=school, user=other_parent, day=start + timedelta(days=2))
    stats_backfill(first=start, last=start + timedelta(days=2))

    both = [school.pk, other_school.pk]
    last = start + timedelta(days=2)
    assert distinct_active_users(organisation_ids=both, first=start, last=last) == 2
    assert distinct_active_users(organisation_ids=both, first=start, last=last, role="parent") == 2
    assert distinct_active_users(organisation_ids=both, first=start, last=last, role="student") == 0
    assert distinct_active_users(organisation_ids=[other_school.pk], first=start, last=last) == 1
    assert distinct_active_users(organisation_ids=both, first=start, last=last, took_part=True) == 0


def test_a_failing_mark_does_not_cost_the_person_their_page(client, seen_middleware, monkeypatch):
    def broken(**kwargs):
        raise ConnectionError("cache server gone")

    monkeypatch.setattr("stats.middleware.seen_mark", broken)
    client.force_login(UserFactory())
    assert client.get(reverse("orgs:home")).status_code == 200
