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

# The request: measured when the membership and the placement came to be written by inserts that leave a row
# already there alone (no read before them, no savepoint around them: 8 statements less), on SQLite and on
# PostgreSQL alike. Before: 26, when the redemption's row came to be written by one insert that ignores a second
# use (no savepoint around it); 28, when the joiner's chat rows came to be added by a job after the commit
# (`chats.tasks.sync_joined_members`, below) instead of in the request; 36 when the joiner's sync came to
# read only the joiners' rows (the class's chats, curator and students with their parents in two queries), a new
# membership's rights came to be granted by one insert (a student's without reading their other roles), the
# student's placements read once for both checks and the invite not re-read after its use; 52 before that, 59
# with the class's chats locked and re-planned for each joiner, 79 with that sync run twice (once for the
# membership, once for the placement).
REDEEM_BUDGET = 18
# The job (its statements written out, `chats/services/joined_sql.py`): the organisation, the joiner's classes with
# their curators, their students and parents as far as the joiner is concerned, their teaching, their chats and the
# channels, the joiner's roles, their rows, one insert. Before: 9, built by the ORM (the joiner's classes read apart).
JOB_BUDGET = 8


@pytest.fixture
def jobs(monkeypatch):
    """The chat jobs the requests queue, kept instead of run, to count the request's queries and the job's apart."""
    queued = []
    monkeypatch.setattr("chats.receivers.queue_now", lambda task, *args: queued.append((task, args)) or True)
    return queued


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


def _run(jobs) -> None:
    while jobs:
        task, args = jobs.pop(0)
        task(*args)


def _redeem_queries(token, jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # a first joiner: the per-process caches are warm
        assert client_of(f.UserFactory()).post(f"/api/v1/invites/{token}/redeem/").status_code == 201
    _run(jobs)
    user = f.UserFactory()
    client = client_of(user)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        resp = client.post(f"/api/v1/invites/{token}/redeem/")
    assert resp.status_code == 201, resp.content
    assert len(jobs) == 1, jobs  # the joiner's chat rows: one job
    with CaptureQueriesContext(connection) as job_queries:
        _run(jobs)
    return len(queries), len(job_queries), user


def test_a_redemption_costs_the_same_in_a_class_of_3_and_of_30(jobs, django_capture_on_commit_callbacks):
    counts = []
    for size in (3, 30):
        org, cls, token = _school(size)
        n, job, user = _redeem_queries(token, jobs, django_capture_on_commit_callbacks)
        # What the person notices: they are in the class and, once the job has run, in its chats.
        assert Placement.objects.filter(group=cls, student=user, valid_to__isnull=True).exists()
        assert Membership.objects.filter(organisation=org, user=user, role="student", valid_to__isnull=True).exists()
        for kind in (Chat.Kind.CLASS, Chat.Kind.SUBJECT, Chat.Kind.GENERAL_CHANNEL):
            chat = Chat.objects.get(organisation=org, kind=kind)
            assert ChatMember.objects.filter(chat=chat, user=user, left_at__isnull=True).exists(), kind
        assert ChatMember.objects.filter(chat__group=cls, left_at__isnull=True).count() > 2 * size  # chats are full
        assert not chats_sync_organisation(organisation=org).changed  # nothing the joiner's job left undone
        counts.append((n, job))
    assert counts[0] == counts[1], counts
    assert counts[0][0] <= REDEEM_BUDGET, counts
    assert counts[0][1] <= JOB_BUDGET, counts
