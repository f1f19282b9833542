"""Property-based fuzzing of the whole REST API: no request, however malformed, gets a 500.

schemathesis generates requests (valid and invalid) for every operation of the OpenAPI schema and sends them
straight into the WSGI application, signed in as an administrator of a seeded organisation. Each response must
not be a server error, and every 4xx must carry the one error shape {"error": {"code", "message", "fields"}}.

Path ids are steered towards the seeded objects: an organisation id is always the seeded one (another would
only give 404), an object id is one of the seeded objects about half the time, so handlers behind the lookup
are reached too.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from invites.services.links import invite_create
from orgs.models import CuratorAssignment, Group, Membership, ParentLink, TeachingAssignment
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    UserFactory,
    admin_of,
    curator_of,
    parent_of,
    student_in,
    teacher_of,
    teaches,
)

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())

# Every operation of the schema is fuzzed; none is excluded (the CSV/XLSX/PDF exports are cheap with one seeded
# invite). Most requests come from schemathesis's coverage phase (boundary and invalid values for each parameter);
# a few random examples per operation are added on top.
MAX_EXAMPLES = 3


def _seed() -> dict:
    """An organisation with a class, a student, a parent, a teacher and an invite; its administrator's token."""
    org = OrganisationFactory()
    admin = admin_of(org)
    group = ClassFactory(organisation=org)
    student = student_in(group)
    parent = parent_of(student, org)
    teacher = teacher_of(org)
    curator_of(group, teacher)
    teaches(group, teacher)
    invite, token = invite_create(organisation=org, actor=admin, role="parent", target_group=group, max_uses=5)
    outsider = UserFactory()
    ids = {
        "groups": list(Group.objects.filter(organisation=org).values_list("id", flat=True)),
        "members": list(Membership.objects.filter(organisation=org).values_list("id", flat=True)),
        "curators": list(CuratorAssignment.objects.filter(organisation=org).values_list("id", flat=True)),
        "teaching-assignments": list(TeachingAssignment.objects.filter(organisation=org).values_list("id", flat=True)),
        "parent-links": list(ParentLink.objects.filter(organisation=org).values_list("id", flat=True)),
        "invites": [invite.id],
        "orgs": [org.id],
        "mailings": [],
        "join-requests": [],
    }
    return {
        "org": org,
        "ids": ids,
        "invite_token": token,
        "auth": {"Authorization": f"Token {Token.objects.create(user=admin).key}"},
        "people": {"student": student, "parent": parent, "outsider": outsider},
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The seed is made once for the module, inside a transaction rolled back at its end; each operation's test runs
    in a savepoint of its own (the django_db mark), so it starts from the seed. Emptying the whole database after
    each test (a transactional test's flush) cost more than the fuzzing itself."""
    # As Django's test client does: a request's start and end must not close the connection that holds the
    # transaction (schemathesis calls the WSGI application itself).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                yield _seed()
            finally:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _steer(case, seeded) -> None:
    """Point path parameters at the seeded organisation and, for about half the examples, at a seeded object."""
    params = case.path_parameters
    if params is None:
        return
    path = case.operation.path
    if "org_pk" in params:
        params["org_pk"] = seeded["org"].id
    if "id" in params:
        resource = path.split("/{id}")[0].rsplit("/", 1)[-1]
        known = seeded["ids"].get(resource) or []
        raw = str(params["id"])
        if known and raw.isdigit() and int(raw) % 2 == 0:
            params["id"] = known[(int(raw) // 2) % len(known)]
    if "token" in params and isinstance(params["token"], str) and len(params["token"]) % 2 == 0:
        params["token"] = seeded["invite_token"]


def _check_error_shape(response) -> None:
    if 400 <= response.status_code < 500:
        body = response.json()
        assert isinstance(body, dict) and set(body) == {"error"}, body
        error = body["error"]
        assert set(error) == {"code", "message", "fields"}, error
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["message"], str) and error["message"]
        assert isinstance(error["fields"], dict)
        for name, messages in error["fields"].items():
            assert isinstance(name, str) and isinstance(messages, list), error
            assert all(isinstance(m, str) for m in messages), error


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_error(case, seeded, django_capture_on_commit_callbacks):
    _steer(case, seeded)
    # What a request leaves for after its commit (letters, jobs, chat syncs) runs as it would on its own.
    with django_capture_on_commit_callbacks(execute=True):
        response = case.call(headers=seeded["auth"])
    assert response.status_code < 500, f"{case.method} {case.formatted_path} → {response.status_code}\n{response.text}"
    case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])
    _check_error_shape(response)
