"""A member who chose English reads the invitation errors in English, in the API's error shape; Russian stays the
default. The language is the one chosen in the footer (the language cookie), as on the pages."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from invites.models import Invite
from invites.services.policy import invite_policy_update
from portal.exceptions import RuleViolation
from tests.clients import api_of as client_of
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, admin_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache(_media_and_mail):
    cache.clear()
    yield
    cache.clear()


def error(resp):
    body = resp.json()
    assert set(body) == {"error"}, body
    return body["error"]


@pytest.fixture
def school():
    org = OrganisationFactory()
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    return org, cls, admin_of(org)


def _expired_link(org, cls, admin) -> str:
    resp = client_of(admin).post(
        f"/api/v1/orgs/{org.pk}/invites/", {"role": "student", "target_group": cls.pk}, format="json"
    )
    assert resp.status_code == 201, resp.content
    Invite.objects.filter(pk=resp.json()["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    return resp.json()["link"].rstrip("/").rsplit("/", 1)[1]


def test_an_expired_link_is_explained_in_english_to_whoever_chose_english(school):
    token = _expired_link(*school)
    resp = client_of(UserFactory(), "en").post(f"/api/v1/invites/{token}/redeem/")
    assert resp.status_code == 410 and error(resp)["code"] == "invite_expired"
    assert error(resp)["message"] == "The link has expired. Ask the person who invited you to send a new one."
    resp = client_of(UserFactory()).post(f"/api/v1/invites/{token}/redeem/")
    assert error(resp)["message"] == "Срок действия ссылки истёк. Попросите пригласившего прислать новую."


def test_a_too_long_term_names_the_organisations_limit_in_english(school):
    org, cls, admin = school
    body = {"role": "student", "target_group": cls.pk, "expires_at": (timezone.now() + timedelta(days=400)).isoformat()}
    resp = client_of(admin, "en").post(f"/api/v1/orgs/{org.pk}/invites/", body, format="json")
    assert resp.status_code == 400 and error(resp)["code"] == "expiry_too_long"
    assert error(resp)["message"] == (
        f"A link cannot be valid for longer than {org.invite_policy.max_days} days (the organisation's rule)."
    )
    assert error(resp)["fields"] == {"expires_at": ["The term is too long."]}


def test_a_refused_setting_is_named_and_bounded_in_english(school):
    org, _cls, admin = school
    with translation.override("en"), pytest.raises(RuleViolation) as refused:
        invite_policy_update(organisation=org, actor=admin, changes={"max_days": 0, "admin_hours": 100})
    assert refused.value.fields == {
        "max_days": ["Longest link term: a whole number of days from 1 to 365."],
        "admin_hours": ["Link term for an administrator: a whole number of hours from 1 to 72."],
    }
    assert refused.value.message == "Longest link term: a whole number of days from 1 to 365. (and 1 more)"
