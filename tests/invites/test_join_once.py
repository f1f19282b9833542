"""The join flow is one trip down: each request looks its token up once, behind the per-address guard
(guard.invite_lookup), and hands the invite on; the page's sign-up by code is one service
(portal.accounts.services.account_signup_by_code)."""

import re

import pytest
from django.urls import reverse

from invites.services import links, redeem
from orgs.models import Placement
from portal.accounts.services import account_signup_by_code, otp_request
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lookups(monkeypatch):
    """How many times the token was looked up."""
    calls = []
    real = redeem.invite_find

    def counting(token, **kwargs):
        calls.append(token)
        return real(token, **kwargs)

    monkeypatch.setattr(redeem, "invite_find", counting)
    return calls


def test_joining_on_the_page_looks_the_token_up_once(client, org, cls, admin, lookups):
    _invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    client.force_login(UserFactory())
    response = client.post(reverse("invites:join", args=[token]))
    assert response.status_code == 200 and "Вы присоединились" in response.content.decode()
    assert lookups == [token]


def test_signing_up_by_code_on_the_page_looks_the_token_up_once(
    client, org, cls, admin, sms_outbox, lookups, django_capture_on_commit_callbacks
):
    _invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("invites:join", args=[token]),
            {"last_name": "Цыренова", "first_name": "Дарима", "identifier": "8 902 555-12-34"},
        )
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["text"]).group(1)
    lookups.clear()
    response = client.post(reverse("invites:join_code", args=[token]), {"code": code, "password": ""})
    assert response.status_code == 200 and "Вы присоединились" in response.content.decode()
    assert lookups == [token]


def test_joining_by_the_api_looks_the_token_up_once(api, org, cls, admin, lookups):
    _invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    api.force_authenticate(UserFactory())
    assert api.post(f"/api/v1/invites/{token}/redeem/", {}, format="json").status_code == 201
    assert lookups == [token]


def test_sign_up_by_code_makes_an_account_or_signs_into_the_one_with_that_address(
    sms_outbox, django_capture_on_commit_callbacks, org, cls
):
    with django_capture_on_commit_callbacks(execute=True):
        otp_request(identifier="+79025551234")
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["text"]).group(1)
    user, created = account_signup_by_code(
        identifier="8 902 555-12-34", code=code, last_name="Цыренова", first_name="Дарима", patronymic="Баировна"
    )
    assert created and (user.phone, user.full_name) == ("+79025551234", "Цыренова Дарима Баировна")
    assert not user.has_usable_password() and not Placement.objects.filter(student=user).exists()
    with django_capture_on_commit_callbacks(execute=True):
        otp_request(identifier="+79025551234")
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["text"]).group(1)
    again, created = account_signup_by_code(identifier="+79025551234", code=code, last_name="Другой", first_name="Х")
    assert not created and again == user and again.last_name == "Цыренова"
