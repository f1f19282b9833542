"""A member who chose English in the footer reads the statistics' refusals in English through the API's error
shape."""

import pytest

from tests.clients import api_of
from tests.factories import OrganisationFactory, admin_of

pytestmark = pytest.mark.django_db


def english_client_of(user):
    return api_of(user, "en")


def test_a_wrong_month_of_a_report_is_explained_in_english():
    org = OrganisationFactory()
    r = english_client_of(admin_of(org)).post(
        f"/api/v1/orgs/{org.pk}/stats/reports/", {"month": "2026-13"}, format="json"
    )
    assert r.status_code == 400
    message = "The month in the format YYYY-MM, for example 2026-10."
    assert r.json()["error"]["message"] == message
    assert r.json()["error"]["fields"] == {"month": [message]}


def test_an_unknown_class_is_a_404_in_english():
    org = OrganisationFactory()
    r = english_client_of(admin_of(org)).get(f"/api/v1/orgs/{org.pk}/stats/", {"class": "999999"})
    assert r.status_code == 404
    assert r.json()["error"] == {
        "code": "not_found",
        "message": "There is no such class in the organisation.",
        "fields": {},
    }


def test_a_target_out_of_range_is_refused_in_english():
    org = OrganisationFactory()
    r = english_client_of(admin_of(org)).patch(f"/api/v1/orgs/{org.pk}/stats/targets/", {"staff": 500}, format="json")
    assert r.status_code == 400
    assert r.json()["error"]["fields"] == {"staff": ["A target is a whole number of percent from 0 to 100."]}
