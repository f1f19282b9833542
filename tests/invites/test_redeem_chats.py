"""A joiner's chat rows are added right after the redemption commits, in the request itself: when the page answers
the person is in their class's chats and the channels; a second sync changes nothing, nor does the nightly resync;
and a failing sync loses nothing of the joining (the resync adds the rows later)."""

import pytest

from chats.models import Chat, ChatMember
from chats.services.sync import chats_sync_joined, chats_sync_organisation
from invites.services import links
from orgs.models import Membership
from tests import factories as f
from tests.invites.test_api import client_of

pytestmark = pytest.mark.django_db


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


def _rows(org, user) -> list[tuple]:
    return sorted(
        ChatMember.objects.filter(chat__organisation=org, user=user, left_at__isnull=True).values_list(
            "chat__kind", "role", "managed_by_structure", "joined_at"
        )
    )


def _kinds(org, user) -> set:
    return {kind for kind, *_rest in _rows(org, user)}


def test_when_the_request_answers_the_joining_student_is_in_the_class_chats(school, django_capture_on_commit_callbacks):
    org, cls, admin, _child = school
    _invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    user = f.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert client_of(user).post(f"/api/v1/invites/{token}/redeem/").status_code == 201
    assert _kinds(org, user) == {Chat.Kind.CLASS, Chat.Kind.SUBJECT, Chat.Kind.GENERAL_CHANNEL}
    before = _rows(org, user)
    assert "добавлено: 0" in str(chats_sync_joined(organisation=org, user_ids=[user.pk], group_ids=[cls.pk]))
    assert _rows(org, user) == before  # a second sync adds nothing
    assert not chats_sync_organisation(organisation=org).changed  # and the nightly resync finds nothing to do


def test_a_joining_parent_is_in_the_parents_chat(school, django_capture_on_commit_callbacks):
    org, cls, admin, child = school
    _invite, token = links.invite_create(
        organisation=org, actor=admin, role="parent", target_group=cls, bound_student=child
    )
    parent = f.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        resp = client_of(parent).post(f"/api/v1/invites/{token}/redeem/")
    assert resp.status_code == 201 and resp.json()["outcome"] == "joined", resp.content
    assert _kinds(org, parent) == {Chat.Kind.CLASS_PARENTS, Chat.Kind.GENERAL_CHANNEL}
    assert not chats_sync_organisation(organisation=org).changed


def test_a_failing_sync_keeps_the_joining_and_the_resync_adds_the_rows(
    school, monkeypatch, django_capture_on_commit_callbacks
):
    org, cls, admin, _child = school
    _invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    user = f.UserFactory()

    def broken(**kwargs):
        raise RuntimeError("база недоступна")

    monkeypatch.setattr("chats.receivers.chats_sync_joined", broken)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client_of(user).post(f"/api/v1/invites/{token}/redeem/")
    assert resp.status_code == 201, resp.content  # the joining stands: the signal is sent robustly
    assert Membership.objects.filter(organisation=org, user=user, valid_to__isnull=True).exists()
    assert _kinds(org, user) == set()
    monkeypatch.undo()
    assert chats_sync_organisation(organisation=org).changed  # what the nightly resync does
    assert _kinds(org, user) == {Chat.Kind.CLASS, Chat.Kind.SUBJECT, Chat.Kind.GENERAL_CHANNEL}
