"""Reporting unauthorised access ends everything the account is signed in with and tells the administrators."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from orgs.models import AuditEntry
from portal.accounts.services import otp_request, otp_verify
from portal.exceptions import RuleViolation
from safety.models import Incident
from tests.factories import OrganisationFactory, admin_of, teacher_of

pytestmark = pytest.mark.django_db

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0"
PASSWORD = "pass-Word-123"


def browser(person, user_agent=CHROME_WINDOWS, address="198.51.100.7") -> Client:
    """A browser signed in through the real sign-in page."""
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    response = client.post(reverse("accounts:login"), {"identifier": person.phone, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def api_client(person) -> APIClient:
    api = APIClient(HTTP_USER_AGENT="python-requests/2.32.3", REMOTE_ADDR="192.0.2.44")
    token = api.post("/api/v1/auth/token/", {"login": person.phone, "password": PASSWORD}, format="json")
    assert token.status_code == 200, token.content
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    return api


def signed_in(client) -> bool:
    return client.get(reverse("accounts:sessions")).status_code == 200


@pytest.fixture
def org():
    return OrganisationFactory()


def test_the_report_ends_the_other_browser_the_token_and_the_codes_and_tells_the_administrator(
    org, sms_outbox, django_capture_on_commit_callbacks
):
    admin = admin_of(org)
    person = teacher_of(org)
    here, there = browser(person), browser(person, FIREFOX_ANDROID, "203.0.113.9")
    api = api_client(person)
    listed = api.get("/api/v1/auth/sessions/").json()["results"]
    assert sorted(row["device"] for row in listed) == [
        "Chrome, Windows",
        "Firefox, Android",
        "Программа: python-requests",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        otp_request(identifier=person.phone)
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["text"]).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        response = here.post(reverse("accounts:access_report"), {"comment": "Пришло сообщение, которого я не писал"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login_code")

    assert not signed_in(there) and not signed_in(here)
    assert api.get("/api/v1/auth/sessions/").status_code == 401
    with pytest.raises(RuleViolation):
        otp_verify(identifier=person.phone, code=code)
    # The password no longer works: the next sign-in is by a one-time code.
    retry = Client().post(reverse("accounts:login"), {"identifier": person.phone, "password": PASSWORD})
    assert "_auth_user_id" not in retry.wsgi_request.session

    incident = Incident.objects.get(organisation=org)
    assert incident.person == person and incident.status == Incident.Status.OPEN
    ended = incident.report.ended
    assert len(ended["sessions"]) == 3 and ended["tokens"] == 1 and ended["codes"] == 1
    assert {row["ip"] for row in ended["sessions"]} == {"198.51.100.7", "203.0.113.9", "192.0.2.44"}

    letter = next(m for m in mail.outbox if admin.email in m.to)
    assert person.short_name in letter.subject
    assert "Пришло сообщение, которого я не писал" in letter.body and "Firefox, Android" in letter.body
    assert person.email not in letter.to

    entry = AuditEntry.objects.get(organisation=org, action="account.access_reported")
    assert entry.actor == person and entry.details["sessions"] == 3 and entry.details["incident"] == incident.pk

    admin_browser = Client()
    admin_browser.force_login(admin)
    page = admin_browser.get(reverse("safety:incidents", args=[org.pk])).content.decode()
    assert person.full_name in page and "Пришло сообщение, которого я не писал" in page and "203.0.113.9" in page
    assert "1 новый" in admin_browser.get(reverse("orgs:org_home", args=[org.pk])).content.decode()


def test_after_the_report_a_one_time_code_signs_in_and_a_new_password_is_set(
    org, sms_outbox, django_capture_on_commit_callbacks
):
    person = teacher_of(org)
    client = browser(person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:access_report"), {})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:login_code"), {"identifier": person.phone})
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["text"]).group(1)
    assert client.post(reverse("accounts:login_code_verify"), {"code": code}).status_code == 302
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "Старый пароль" not in page
    response = client.post(
        reverse("accounts:password_change"), {"new_password1": "Nov-Parol-2026", "new_password2": "Nov-Parol-2026"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Nov-Parol-2026")
    assert signed_in(client)


def test_the_report_over_the_api_answers_what_was_ended_and_the_token_is_refused_after(
    org, django_capture_on_commit_callbacks
):
    admin = admin_of(org)
    person = teacher_of(org)
    other = browser(person)
    api = api_client(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/auth/unauthorised-access/", {"comment": "Чужой вход"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["sessions"] == 2 and response.json()["tokens"] == 1
    assert api.get("/api/v1/auth/sessions/").status_code == 401
    assert not signed_in(other)
    assert any(admin.email in m.to for m in mail.outbox)
    admin_api = APIClient()
    admin_api.force_authenticate(admin)
    rows = admin_api.get(f"/api/v1/orgs/{org.pk}/incidents/").json()["results"]
    assert [(row["person"]["id"], row["comment"], row["status"]) for row in rows] == [(person.pk, "Чужой вход", "open")]
    reviewed = admin_api.post(f"/api/v1/orgs/{org.pk}/incidents/{rows[0]['id']}/review/")
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "reviewed"
    assert admin_api.post(f"/api/v1/orgs/{org.pk}/incidents/{rows[0]['id']}/review/").status_code == 409
    assert AuditEntry.objects.filter(organisation=org, action="incident.reviewed", actor=admin).exists()


def test_incidents_are_for_the_administrators_of_that_organisation_only(org, django_capture_on_commit_callbacks):
    person = teacher_of(org)
    with django_capture_on_commit_callbacks(execute=True):
        browser(person).post(reverse("accounts:access_report"), {})
    other_org = OrganisationFactory()
    outsider = APIClient()
    outsider.force_authenticate(admin_of(other_org))
    assert outsider.get(f"/api/v1/orgs/{org.pk}/incidents/").status_code == 404
    assert outsider.get(f"/api/v1/orgs/{other_org.pk}/incidents/").json()["results"] == []
    incident = Incident.objects.get(organisation=org)
    assert outsider.post(f"/api/v1/orgs/{other_org.pk}/incidents/{incident.pk}/review/").status_code == 404
    colleague = APIClient()
    colleague.force_authenticate(teacher_of(org))
    assert colleague.get(f"/api/v1/orgs/{org.pk}/incidents/").status_code == 403
    page = Client()
    page.force_login(teacher_of(org))
    assert page.get(reverse("safety:incidents", args=[org.pk])).status_code == 403
