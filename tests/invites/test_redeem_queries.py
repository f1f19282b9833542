"""Joining by a class link at a parents' meeting costs a fixed number of queries, whatever the size of the class and
of its chats: the same for the third parent of a class of 3 as for one of a class of 30 with its chats full."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chats.models import Chat, ChatMember
from chats.services.sync import chats_sync_organisation
from invites.models import InvitePolicy
from invites.services import links
from orgs.models import Membership, Placement
from tests import factories as f
from tests.invites.test_api import client_of

pytestmark = pytest.mark.django_db

# The request, with the joiner's chat rows added right after its commit (the sync's statements written out,
# `chats/services/joined_sql.py`: the joiner's classes with their curators, their students and parents as far as the
# joiner is concerned, their teaching, their chats and the channels, the joiner's roles, their rows, one insert —
# 7), on SQLite and on PostgreSQL alike. Before: 18 in the request and 8 in a Celery job queued after the commit,
# whose own cost on the same cores was more than the sync's (`docs/permissions-speed.md`, eleventh round); 26 in the
# request when the membership and the placement were read before being written, with savepoints around them; 28
# when the redemption's row was written with a savepoint; 36 when the joiner's sync read the whole class; 52 before
# that, 59 with the class's chats locked and re-planned for each joiner, 79 with that sync run twice (once for the
# membership, once for the placement).
REDEEM_BUDGET = 25


def _school(students: int):
    org = f.OrganisationFactory()
    cls = f.ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    admin = f.admin_of(org)
    f.curator_of(cls)
    f.teaches(cls, f.teacher_of(org))
    for _ in range(students):
        f.parent_of(f.student_in(cls), org)  # the class's chats and its parents' chat fill with the size
    chats_sync_organisation(organisation=org)
    InvitePolicy.objects.update_or_create(organisation=org, defaults={"leak_margin": 1000, "leak_spike_uses": 1000})
    _invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls, max_uses=50)
    return org, cls, token


def _redeem_queries(token, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # a first joiner: the per-process caches are warm
        assert client_of(f.UserFactory()).post(f"/api/v1/invites/{token}/redeem/").status_code == 201
    user = f.UserFactory()
    client = client_of(user)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        resp = client.post(f"/api/v1/invites/{token}/redeem/")
    assert resp.status_code == 201, resp.content
    return len(queries), user


def test_a_redemption_costs_the_same_in_a_class_of_3_and_of_30(django_capture_on_commit_callbacks):
    counts = []
    for size in (3, 30):
        org, cls, token = _school(size)
        n, user = _redeem_queries(token, django_capture_on_commit_callbacks)
        # What the person notices: they are in the class and in its chats when the page answers.
        assert Placement.objects.filter(group=cls, student=user, valid_to__isnull=True).exists()
        assert Membership.objects.filter(organisation=org, user=user, role="student", valid_to__isnull=True).exists()
        for kind in (Chat.Kind.CLASS, Chat.Kind.SUBJECT, Chat.Kind.GENERAL_CHANNEL):
            chat = Chat.objects.get(organisation=org, kind=kind)
            assert ChatMember.objects.filter(chat=chat, user=user, left_at__isnull=True).exists(), kind
        assert ChatMember.objects.filter(chat__group=cls, left_at__isnull=True).count() > 2 * size  # chats are full
        assert not chats_sync_organisation(organisation=org).changed  # nothing the joiner's sync left undone
        counts.append(n)
    assert counts[0] == counts[1], counts
    assert counts[0] <= REDEEM_BUDGET, counts
