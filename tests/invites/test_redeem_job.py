"""A joiner's chat rows come from a job queued after the redemption commits (`chats.tasks.sync_joined_members`):
once it has run the person is in their class's chats and the channels; running it again changes nothing; and when
the broker cannot take the job the request adds the rows itself."""

import pytest

from chats.models import Chat, ChatMember
from chats.services.sync import chats_sync_organisation
from chats.tasks import sync_joined_members
from invites.services import links
from tests import factories as f
from tests.invites.test_api import client_of

pytestmark = pytest.mark.django_db

CLASS_CHATS = (Chat.Kind.CLASS, Chat.Kind.CLASS_PARENTS, Chat.Kind.SUBJECT, Chat.Kind.GENERAL_CHANNEL)


@pytest.fixture
def school():
    org = f.OrganisationFactory()
    cls = f.ClassFactory(organisation=org)
    admin = f.admin_of(org)
    f.curator_of(cls)
    f.teaches(cls, f.teacher_of(org))
    child = f.student_in(cls)
    chats_sync_organisation(organisation=org)
    return org, cls, admin, child


@pytest.fixture
def jobs(monkeypatch):
    """The chat jobs the requests queue, kept instead of sent to a worker."""
    queued = []
    monkeypatch.setattr("chats.receivers.queue_now", lambda task, *args: queued.append((task, args)) or True)
    return queued


def _rows(org, user) -> list[tuple]:
    return sorted(
        ChatMember.objects.filter(chat__organisation=org, user=user, left_at__isnull=True).values_list(
            "chat__kind", "role", "managed_by_structure", "joined_at"
        )
    )


def _kinds(org, user) -> set:
    return {kind for kind, *_rest in _rows(org, user)}


def test_after_the_job_the_joining_student_is_in_the_class_chats_and_a_second_run_changes_nothing(
    school, jobs, django_capture_on_commit_callbacks
):
    org, cls, admin, _child = school
    _invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    user = f.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert client_of(user).post(f"/api/v1/invites/{token}/redeem/").status_code == 201
    assert _kinds(org, user) == set()  # the request itself did not wait for the chats
    assert [(task, args) for task, args in jobs] == [(sync_joined_members, (org.pk, [user.pk], [cls.pk]))]

    task, args = jobs.pop()
    task.delay(*args)  # as the worker runs it (the tests' Celery is eager)
    assert _kinds(org, user) == {Chat.Kind.CLASS, Chat.Kind.SUBJECT, Chat.Kind.GENERAL_CHANNEL}
    before = _rows(org, user)
    assert "добавлено: 0" in task(*args)  # a second run (a retry, a redelivery) adds nothing
    assert _rows(org, user) == before
    assert not chats_sync_organisation(organisation=org).changed  # and the nightly resync finds nothing to do


def test_a_parents_job_puts_them_in_the_parents_chat(school, jobs, django_capture_on_commit_callbacks):
    org, cls, admin, child = school
    _invite, token = links.invite_create(
        organisation=org, actor=admin, role="parent", target_group=cls, bound_student=child
    )
    parent = f.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        resp = client_of(parent).post(f"/api/v1/invites/{token}/redeem/")
    assert resp.status_code == 201 and resp.json()["outcome"] == "joined", resp.content
    assert _kinds(org, parent) == set()
    for task, args in jobs * 2:  # each job twice
        task(*args)
    assert _kinds(org, parent) == {Chat.Kind.CLASS_PARENTS, Chat.Kind.GENERAL_CHANNEL}
    assert not chats_sync_organisation(organisation=org).changed


def test_with_the_broker_down_the_request_adds_the_rows_itself(school, monkeypatch, django_capture_on_commit_callbacks):
    org, cls, admin, _child = school
    monkeypatch.setattr("chats.receivers.queue_now", lambda task, *args: False)  # as portal.dispatch on a dead Redis
    _invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    user = f.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert client_of(user).post(f"/api/v1/invites/{token}/redeem/").status_code == 201
    assert _kinds(org, user) == {Chat.Kind.CLASS, Chat.Kind.SUBJECT, Chat.Kind.GENERAL_CHANNEL}


def test_the_job_of_an_organisation_deleted_meanwhile_does_nothing():
    assert "добавлено: 0" in sync_joined_members(987654321, [1], [2])
