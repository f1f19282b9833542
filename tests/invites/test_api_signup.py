"""A client without an account joins through the API as a person does on the join page: a code to their phone,
the code and their name give an account and a token, the token redeems the link."""

import re

import pytest
from rest_framework.test import APIClient

from invites.services import links
from orgs.models import Membership
from tests.factories import UserFactory
from tests.invites.test_api import _fresh_cache  # noqa: F401 - the autouse cache reset of the invites API tests
from tests.invites.test_chat_invites import other_chat

pytestmark = pytest.mark.django_db


def _code(sms_outbox) -> str:
    return re.search(r"\b(\d{6})\b", sms_outbox[-1]["text"]).group(1)


def _request_code(api, token, login, capture):
    with capture(execute=True):
        return api.post(f"/api/v1/invites/{token}/signup/code/", {"login": login}, format="json")


def test_a_newcomer_signs_up_by_code_and_joins_the_class_with_the_token(
    api, org, cls, admin, sms_outbox, django_capture_on_commit_callbacks
):
    _invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    assert _request_code(api, token, "8 902 555-12-34", django_capture_on_commit_callbacks).status_code == 202
    response = api.post(
        f"/api/v1/invites/{token}/signup/",
        {"login": "+79025551234", "code": _code(sms_outbox), "last_name": "Цыренова", "first_name": "Дарима"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["created"] is True
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    joined = client.post(f"/api/v1/invites/{token}/redeem/", {}, format="json")
    assert joined.status_code == 201 and joined.json()["outcome"] == "joined"
    member = Membership.objects.get(organisation=org, user__phone="+79025551234")
    assert member.user.full_name == "Цыренова Дарима"


def test_a_wrong_code_is_refused_in_russian_and_makes_no_account(
    api, org, cls, admin, sms_outbox, django_capture_on_commit_callbacks
):
    _invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    _request_code(api, token, "+79025551234", django_capture_on_commit_callbacks)
    wrong = "000000" if _code(sms_outbox) != "000000" else "111111"
    response = api.post(
        f"/api/v1/invites/{token}/signup/",
        {"login": "+79025551234", "code": wrong, "last_name": "Цыренова", "first_name": "Дарима"},
        format="json",
    )
    assert response.status_code == 400 and "код" in response.json()["error"]["message"].lower()
    assert not Membership.objects.filter(user__phone="+79025551234").exists()


def test_a_known_address_gets_a_token_for_its_own_account_with_its_name_unchanged(
    api, org, cls, admin, sms_outbox, django_capture_on_commit_callbacks
):
    person = UserFactory(phone="+79025551234", last_name="Прежняя")
    _invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    _request_code(api, token, "+79025551234", django_capture_on_commit_callbacks)
    response = api.post(
        f"/api/v1/invites/{token}/signup/",
        {"login": "+79025551234", "code": _code(sms_outbox), "last_name": "Другая", "first_name": "Х"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["created"] is False
    person.refresh_from_db()
    assert person.last_name == "Прежняя"


def test_no_sign_up_by_a_revoked_link_nor_by_an_unknown_one(
    api, org, cls, admin, sms_outbox, django_capture_on_commit_callbacks
):
    invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    links.invite_revoke(invite=invite, actor=admin)
    response = _request_code(api, token, "+79025551234", django_capture_on_commit_callbacks)
    assert response.status_code == 410 and sms_outbox == []
    response = _request_code(api, "x" * len(token), "+79025551234", django_capture_on_commit_callbacks)
    assert response.status_code == 404 and sms_outbox == []


def test_a_chat_link_admits_members_only_so_it_signs_nobody_up(
    api, org, cls, admin, sms_outbox, django_capture_on_commit_callbacks
):
    chat = other_chat(org, admin)
    _invite, token = links.invite_create(organisation=org, actor=admin, role="parent", target_chat=chat)
    response = _request_code(api, token, "+79025551234", django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "участники организации" in response.json()["error"]["message"]
    assert sms_outbox == []
