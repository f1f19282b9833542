"""A member who chose English in the footer reads the safety errors in English, in the API and on the page."""

import pytest
from django.test import Client
from django.urls import reverse

from safety.models import Incident
from tests.clients import api_of, page_of
from tests.factories import OrganisationFactory, admin_of, teacher_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(django_capture_on_commit_callbacks):
    org = OrganisationFactory()
    person = teacher_of(org)
    reporter = Client()
    reporter.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        reporter.post(reverse("accounts:access_report"), {})
    return Incident.objects.get(organisation=org)


def test_reviewing_an_incident_twice_and_an_unknown_one_answer_in_english_over_the_api(incident):
    org = incident.organisation
    api = api_of(admin_of(org), "en")
    assert api.post(f"/api/v1/orgs/{org.pk}/incidents/{incident.pk}/review/").status_code == 200
    again = api.post(f"/api/v1/orgs/{org.pk}/incidents/{incident.pk}/review/")
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "The incident has already been reviewed."
    unknown = api.post(f"/api/v1/orgs/{org.pk}/incidents/{incident.pk + 1000}/review/")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "Incident not found."


def test_the_incidents_page_says_in_english_that_the_incident_is_already_reviewed(incident):
    org = incident.organisation
    page = page_of(admin_of(org), "en")
    url = reverse("safety:incident_review", args=[org.pk, incident.pk])
    assert "Incident reviewed." in page.post(url, follow=True).content.decode()
    html = page.post(url, follow=True).content.decode()
    assert "The incident has already been reviewed." in html
    assert "Инцидент уже рассмотрен." not in html
