"""The statistics API: the same rights as the dashboard, the same numbers as the statistics tables, a period
checked with messages in Russian, and a cost that does not grow with the number of classes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from stats import selectors
from tests.factories import OrganisationFactory, admin_of, curator_of

from .filled import filled_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled():
    return filled_organisation(3)


def get(user, path: str):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(path)


def stats_url(org, tail=""):
    return f"/api/v1/orgs/{org.pk}/stats/{tail}"


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("director", 200), ("curator", 200), ("teacher", 403), ("student", 403), ("parent", 403)],
)
@pytest.mark.parametrize("tail", ["", "classes/"])
def test_who_may_read(filled, who, status, tail):
    response = get(filled.people[who], stats_url(filled.organisation, tail))
    assert response.status_code == status, response.content
    if status == 403:
        assert response.json()["error"]["code"]


@pytest.mark.parametrize("tail", ["", "classes/"])
def test_another_organisations_administrator_gets_404(filled, tail):
    assert get(admin_of(OrganisationFactory()), stats_url(filled.organisation, tail)).status_code == 404


def test_the_days_equal_the_statistics_tables(filled):
    org, last = filled.organisation, filled.yesterday
    first = last - timedelta(days=6)
    body = get(filled.people["director"], stats_url(org) + f"?from={first}&to={last}").json()
    assert (body["from"], body["to"], body["classes"], body["stale"]) == (str(first), str(last), None, False)
    assert [row["day"] for row in body["results"]] == [str(first + timedelta(days=i)) for i in range(7)]
    messages = selectors.org_series(organisation_id=org.pk, indicator_id="activity.v1", first=first, last=last)
    active = selectors.org_series(organisation_id=org.pk, indicator_id="active_users.v1", first=first, last=last)
    for row, day in zip(body["results"], sorted(messages["messages"]), strict=True):
        assert row["messages"] + row["messages_trivial"] == messages["messages"][day]
        assert row["messages_trivial"] == messages["messages.trivial"][day]
        assert row["teachers_active_7d"] == active["wau.teacher"][day]
        assert row["parents_active_1d"] == active["dau.parent"][day]


def test_one_class_and_the_curators_limits(filled):
    org, own, other = filled.organisation, filled.classes[0], filled.classes[1]
    curator = filled.people["curator"]
    body = get(curator, stats_url(org) + f"?class={own.pk}").json()
    assert body["classes"] == [own.pk]
    assert body["results"][-1]["students_joined"] == 10 and "teachers_active_7d" not in body["results"][-1]
    # Without ?class= a curator reads their own classes, never the organisation.
    assert get(curator, stats_url(org)).json()["classes"] == [own.pk]
    refused = get(curator, stats_url(org) + f"?class={other.pk}")
    assert refused.status_code == 403 and "недоступна" in refused.json()["error"]["message"]
    assert [c["id"] for c in get(curator, stats_url(org, "classes/")).json()["results"]] == [own.pk]
    elsewhere = filled_organisation(1, days=1).classes[0]
    for pk in (elsewhere.pk, 2**64, -1):
        assert get(filled.people["admin"], stats_url(org) + f"?class={pk}").status_code == 404


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("?from=вчера", "from", "ГГГГ-ММ-ДД"),
        ("?to=2026-13-01", "to", "ГГГГ-ММ-ДД"),
        ("?from=2026-10-02&to=2026-10-01", "from", "позже"),
        ("?from=2024-01-01&to=2026-01-01", "from", "366"),
        ("?to=0001-01-05", "to", "между 2000 и 2100"),
        ("?class=abc", "class", "число"),
    ],
)
def test_a_bad_period_is_a_400_in_russian(filled, query, field, words):
    response = get(filled.people["admin"], stats_url(filled.organisation) + query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert words in error["message"] and field in error["fields"]


def test_a_year_is_allowed(filled):
    last = filled.yesterday
    response = get(filled.people["admin"], stats_url(filled.organisation) + f"?from={last - timedelta(days=365)}")
    assert response.status_code == 200 and len(response.json()["results"]) == 366


def test_the_class_table_names_weak_spots(filled):
    rows = get(filled.people["admin"], stats_url(filled.organisation, "classes/")).json()["results"]
    weak = next(r for r in rows if r["id"] == filled.classes[0].pk)
    assert weak["weak_spots"] == ["curator_unverified", "joined", "parents_chat", "quiet"]
    assert weak["extra_marks"] == ["parents"]
    assert (weak["students_joined"], weak["students_planned"], weak["students_with_parent"]) == (10, 25, 3)
    assert next(r for r in rows if r["id"] == filled.classes[1].pk)["weak_spots"] == []


def queries(user, path) -> int:
    client = APIClient()
    # A user of its own, as each real request has: the rights read once per request are kept on the user instance.
    client.force_authenticate(type(user).objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["admin", "curator"])
@pytest.mark.parametrize("tail", ["", "classes/"])
def test_the_cost_is_the_same_for_3_and_12_classes(who, tail):
    small, large = filled_organisation(3, days=3), filled_organisation(12, days=3)
    for extra in large.classes[1:4]:
        curator_of(extra, large.people["curator"])
    # Uncounted: the process's first request of the kind may fill a cache once (under xdist, which test ran
    # before this one on the same worker differs from run to run).
    queries(small.people[who], stats_url(small.organisation, tail))
    assert queries(small.people[who], stats_url(small.organisation, tail)) == queries(
        large.people[who], stats_url(large.organisation, tail)
    )
