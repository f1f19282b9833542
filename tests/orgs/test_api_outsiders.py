"""Walks every operation of the OpenAPI schema as someone who is not a member of organisation B.

An administrator of organisation A, a signed-in person of no organisation and the methodologist of B's municipality
(who reads B's statistics through the municipality's own endpoints, /api/v1/areas/{id}/…, tested in
tests/stats/test_area.py, and nothing else of B) send each operation at B, once with B's
real ids and B's people in the body, once with ids that exist nowhere, and once naming B's people who are elsewhere
(a pupil of another class). Whatever the status, the answers must be the same (no oracle of what exists where), and
no answer may carry anything of B that the sender did not type: no names or e-mails of B's people, no names of its
classes.
Operations added to the schema are walked without editing this file.
"""

import secrets

import pytest
from django.core.cache import cache
from django.db import transaction
from rest_framework.test import APIClient

from invites.models import JoinRequest
from orgs.models import Group
from portal.accounts.models import User
from stats.models import Area
from stats.services.areas import methodologist_attach
from tests.factories import ClassFactory, UserFactory, parent_of, student_in
from tests.orgs.test_api_walk import body_for, build_org, fill, operations

pytestmark = pytest.mark.django_db

MISSING = 2**31 - 7  # an id no table of the walk reaches
# Marks put into B's names, so that a hit cannot be a namesake of A's people.
B_MARKS = ("Бэфамилия", "Бэимя", "Бэотчество", "Бэкласс", "b-person-")


def hide_names(b) -> None:
    """B's people and classes get names (and B's people e-mails) no one else has; the walk looks for these marks."""
    people = User.objects.filter(memberships__organisation=b["org"]) | User.objects.filter(
        join_requests__organisation=b["org"]
    )
    for index, user in enumerate(people.distinct().order_by("pk")):
        letters = "".join("абвгдежзиклмн"[int(digit)] for digit in str(index))
        user.last_name, user.first_name, user.patronymic = (f"{mark}{letters}" for mark in B_MARKS[:3])
        user.email = f"{B_MARKS[4]}{index}@example.org"
        user.save(update_fields=["last_name", "first_name", "patronymic", "email"])
    for index, group in enumerate(Group.objects.filter(organisation=b["org"], kind=Group.Kind.CLASS).order_by("pk")):
        group.name = f"{B_MARKS[3]}{'абвгд'[index]}"
        group.save(update_fields=["name"])


def bodies(b, elsewhere: User) -> dict[str, dict]:
    """One well-formed body per probe: B's people, ids that exist nowhere, B's people outside the class."""
    real = {**body_for(b), "role": "parent", "message": "Прошу принять", "code": "000000", "password": "не тот"}
    kid = User.objects.get(pk=real["child"])
    people = ("teacher", "user", "parent", "child")
    return {
        "real": {**real, "login": kid.phone},
        "missing": {**real, **dict.fromkeys(people, MISSING), "login": "+79990000000"},
        "elsewhere": {**real, **dict.fromkeys(people, elsewhere.pk), "login": elsewhere.phone},
    }


def masked(data, body: dict):
    """The answer with what the sender typed replaced by one mark: an echo of the input is not a difference."""
    if isinstance(data, dict):
        return {k: "<typed>" if k in body and v == body[k] else masked(v, body) for k, v in data.items()}
    if isinstance(data, list):
        return [masked(item, body) for item in data]
    return data


def probe(client, method: str, url: str, body: dict):
    """One request against the same state as every other: its writes are rolled back, counters start afresh."""
    cache.clear()
    with transaction.atomic():
        resp = client.get(url) if method == "get" else getattr(client, method)(url, body, format="json")
        transaction.set_rollback(True)
    return resp


@pytest.fixture
def two_orgs():
    a, b = build_org(), build_org()
    other_class = ClassFactory(organisation=b["org"], grade=6, letter="Б", name="6Б")
    elsewhere = student_in(other_class)
    parent_of(elsewhere, b["org"])
    hide_names(b)
    return a, b, elsewhere


def outsider_user(outsider: str, a, b):
    if outsider == "member_of_a":
        return a["admin"]
    user = UserFactory()
    if outsider == "methodologist_of_b":
        methodologist_attach(area=Area.objects.get(pk=b["areas"]), user=user)
    return user


@pytest.mark.parametrize("outsider", ["member_of_a", "of_no_organisation", "methodologist_of_b"])
def test_an_outsider_learns_nothing_of_b_from_any_operation(two_orgs, outsider):
    a, b, elsewhere = two_orgs
    client = APIClient()
    client.force_authenticate(outsider_user(outsider, a, b))
    sent = bodies(b, elsewhere)
    token = secrets.token_urlsafe(24)  # an outsider holds no link of B: a link is a key handed to the invited
    walked, problems = 0, []
    for path, method, _op in operations():
        if outsider == "methodologist_of_b" and path.startswith("/api/v1/areas/{id}/"):
            continue  # B's statistics through its municipality: what the methodologist is for
        real_url = fill(path, b["org"].pk, b).replace("{token}", token)
        probes = {
            "real": (real_url, sent["real"]),
            "missing": (fill(path, b["org"].pk, {}).replace("{token}", token), sent["missing"]),
            "elsewhere": (real_url, sent["elsewhere"]),
        }
        if method == "get":
            del probes["elsewhere"]  # the same request as "real": a GET sends no body
        answers = {}
        for name, (url, body) in probes.items():
            resp = probe(client, method, url, body)
            text = resp.content.decode(errors="replace")
            if resp.status_code >= 500 or any(mark in text for mark in B_MARKS):
                problems.append(f"{method.upper()} {url} ({name}) → {resp.status_code} {text[:300]}")
            data = resp.json() if resp.get("Content-Type", "").startswith("application/json") else text
            answers[name] = (resp.status_code, masked(data, body))
        if any(answer != answers["real"] for answer in answers.values()):
            problems.append(f"{method.upper()} {path} answers differently: {answers}")
        walked += 1
    assert not problems, "\n".join(problems)
    assert walked > 80
    assert not JoinRequest.objects.filter(organisation=b["org"]).exclude(pk=b["join-requests"]).exists()


def test_a_parents_request_to_b_is_accepted_the_same_whoever_the_child_is(two_orgs):
    a, b, elsewhere = two_orgs
    client = APIClient()
    client.force_authenticate(a["admin"])
    url = f"/api/v1/orgs/{b['org'].pk}/join-requests/"
    sent = bodies(b, elsewhere)
    answers = {name: probe(client, "post", url, body) for name, body in sent.items()}
    for name, resp in answers.items():
        assert resp.status_code == 201, (name, resp.content)
        assert resp.json()["child"] == sent[name]["child"] and resp.json()["group"] == b["groups"]
        assert set(resp.json()) == {
            "role",
            "role_display",
            "group",
            "child",
            "message",
            "status",
            "status_display",
            "detail",
        }
    # Only the pupil of the class is linked to the request the approver sees; the other ids are dropped.
    client.post(url, sent["real"], format="json")
    assert JoinRequest.objects.get(organisation=b["org"], user=a["admin"]).child_id == sent["real"]["child"]
    again = {name: client.post(url, body, format="json") for name, body in sent.items()}
    assert {(r.status_code, r.json()["error"]["code"]) for r in again.values()} == {(409, "request_pending")}
