"""A person who leaves (dismissed, expelled, graduated, transferred) stops everything they may no longer use: their
links admit nobody (nor the links relayed from them), their chats pass to the heir, the join requests they would
have decided go to the administrators."""

import pytest
from django.core import mail

from chats.models import Chat, ChatMember
from chats.services.manage import chat_create
from chats.services.sync import chats_sync_organisation
from invites.models import Invite, JoinRequest
from invites.services.links import invite_create, invite_relay
from invites.services.redeem import invite_redeem
from orgs.models import AuditEntry, Membership
from orgs.movement_models import Movement
from orgs.services.membership import membership_end
from orgs.services.movement import movement_apply, org_transfer_accept, org_transfer_request
from portal.exceptions import Gone, RuleViolation
from tests.factories import (
    AcademicYearFactory,
    ClassFactory,
    OrganisationFactory,
    UserFactory,
    admin_of,
    curator_of,
    student_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(django_capture_on_commit_callbacks):
    """Run a service as a request would: the receivers act once the transaction commits."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


@pytest.fixture
def school():
    org = OrganisationFactory()
    AcademicYearFactory(organisation=org)
    cls = ClassFactory(organisation=org, grade=5, letter="А")
    admin = admin_of(org)
    teacher = curator_of(cls)
    chats_sync_organisation(organisation=org)
    return org, cls, admin, teacher


def _membership(org, user, role):
    return Membership.objects.get(organisation=org, user=user, role=role, valid_to__isnull=True)


def test_a_dismissed_teachers_link_no_longer_admits_students(school, live):
    org, cls, admin, teacher = school
    _link, token = invite_create(organisation=org, actor=teacher, role="student", target_group=cls, max_uses=30)
    invite_redeem(token=token, user=UserFactory())  # it worked while the teacher worked here
    live(membership_end, membership=_membership(org, teacher, "teacher"), actor=admin, kind="dismiss")
    newcomer = UserFactory()
    with pytest.raises(Gone):
        invite_redeem(token=token, user=newcomer)
    assert not Membership.objects.filter(organisation=org, user=newcomer).exists()


def test_links_relayed_from_the_leavers_links_stop_too(school, live):
    org, cls, admin, teacher = school
    link, _token = invite_create(organisation=org, actor=teacher, role="parent", target_group=cls, max_uses=None)
    relayed, relayed_token = invite_relay(invite=link, actor=admin)
    live(movement_apply, organisation=org, membership=_membership(org, teacher, "teacher"), kind="dismiss", actor=admin)
    assert set(Invite.objects.filter(pk__in=[link.pk, relayed.pk]).values_list("status", flat=True)) == {"revoked"}
    with pytest.raises(Gone):
        invite_redeem(token=relayed_token, user=UserFactory())
    entry = AuditEntry.objects.get(organisation=org, action="invite.revoked_on_leaving")
    assert entry.details == {"member": teacher.pk, "count": 2}


def test_the_leavers_chats_pass_on_and_their_decisions_go_to_the_administrators(school, live):
    org, cls, admin, teacher = school
    own = chat_create(organisation=org, actor=teacher, kind="other", title="Кружок", group=cls)
    class_chat = Chat.objects.get(group=cls, kind="class")
    link, token = invite_create(
        organisation=org, actor=teacher, role="student", target_group=cls, max_uses=5, requires_approval=True
    )
    pending = invite_redeem(token=token, user=UserFactory()).join_request
    mail.outbox.clear()
    live(
        membership_end, membership=_membership(org, teacher, "teacher"), actor=admin, kind="dismiss", reason="Приказ 5"
    )
    assert not ChatMember.objects.filter(user=teacher, left_at__isnull=True).exists()
    assert ChatMember.objects.get(chat=own, user=admin, left_at__isnull=True).role == "owner"  # the heir
    assert ChatMember.objects.get(chat=class_chat, user=admin, left_at__isnull=True).role == "owner"
    pending.refresh_from_db()
    assert pending.status == JoinRequest.Status.PENDING  # still waiting, now for the administrator
    assert AuditEntry.objects.filter(organisation=org, action="join_request.handed_over").exists()
    assert any(admin.email in m.to and "ждут вашего решения" in m.subject for m in mail.outbox)


@pytest.mark.parametrize("kind", ["expel", "graduate"])
def test_a_student_who_leaves_leaves_the_class_chats_and_keeps_the_history(school, live, kind):
    org, cls, admin, _teacher = school
    pupil = student_in(cls)
    chats_sync_organisation(organisation=org)
    live(
        movement_apply,
        organisation=org,
        membership=_membership(org, pupil, "student"),
        kind=kind,
        actor=admin,
        reason="Приказ № 12",
    )
    ended = Membership.objects.get(organisation=org, user=pupil, role="student")
    assert ended.end_reason == "Приказ № 12"
    assert not ChatMember.objects.filter(user=pupil, left_at__isnull=True).exists()
    step = Movement.objects.get(organisation=org, user=pupil, kind=kind)
    assert (step.reason, step.from_name, step.actor) == ("Приказ № 12", cls.name, admin)


def test_a_dismissal_applies_only_to_staff_and_expulsion_only_to_students(school):
    org, cls, admin, teacher = school
    pupil = student_in(cls)
    with pytest.raises(RuleViolation):
        movement_apply(organisation=org, membership=_membership(org, pupil, "student"), kind="dismiss", actor=admin)
    with pytest.raises(RuleViolation):
        movement_apply(organisation=org, membership=_membership(org, teacher, "teacher"), kind="expel", actor=admin)


def test_a_teacher_transferred_to_another_school_stops_here_once_accepted(school, live):
    org, cls, admin, teacher = school
    other = OrganisationFactory()
    other_admin = admin_of(other)
    _link, token = invite_create(organisation=org, actor=teacher, role="student", target_group=cls, max_uses=30)
    transfer = live(
        org_transfer_request,
        membership=_membership(org, teacher, "teacher"),
        target=other,
        actor=admin,
        reason="По заявлению",
    )
    invite_redeem(token=token, user=UserFactory())  # still works here until the other school accepts
    live(org_transfer_accept, transfer=transfer, actor=other_admin)
    with pytest.raises(Gone):
        invite_redeem(token=token, user=UserFactory())
    assert Membership.objects.filter(organisation=other, user=teacher, role="teacher", valid_to__isnull=True).exists()
    assert Movement.objects.filter(organisation=org, user=teacher, kind="transfer_out").exists()
    assert Movement.objects.filter(organisation=other, user=teacher, kind="transfer_in").exists()
