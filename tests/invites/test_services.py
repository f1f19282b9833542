from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from invites import tokens
from invites.models import Invite, InvitePolicy, JoinRequest
from invites.services import jobs, join_requests, links, redeem
from orgs.models import AuditEntry, Membership, ParentLink, Placement
from portal.exceptions import Conflict, Gone, NotFound, PermissionDenied, RuleViolation
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    UserFactory,
    admin_of,
    curator_of,
    student_in,
    teacher_of,
    teaches,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory()


@pytest.fixture
def cls(org):
    return ClassFactory(organisation=org, grade=5, letter="А", name="5А")


def make(org, actor, **kw):
    kw.setdefault("role", "student")
    return links.invite_create(organisation=org, actor=actor, **kw)


def test_token_is_not_stored_in_clear_and_link_shows_again(org, cls):
    invite, token = make(org, admin_of(org), target_group=cls)
    assert len(token) >= 22
    assert token not in invite.token_hash and token not in invite.token_encrypted
    assert links.invite_url(invite).endswith(f"/join/{token}/")
    assert redeem.invite_find(token).pk == invite.pk


def test_default_expiry_per_role_and_maximum(org, cls):
    admin = admin_of(org)
    InvitePolicy.objects.create(organisation=org, student_days=10, parent_days=20, max_days=20)
    invite, _ = make(org, admin, target_group=cls)
    assert abs((invite.expires_at - timezone.now()) - timedelta(days=10)) < timedelta(minutes=1)
    with pytest.raises(RuleViolation, match="дольше 20"):
        make(org, admin, target_group=cls, expires_at=timezone.now() + timedelta(days=21))


def test_who_may_invite(org, cls):
    other = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    curator = curator_of(cls)
    make(org, curator, target_group=cls)
    with pytest.raises(PermissionDenied):
        make(org, curator, target_group=other)
    with pytest.raises(PermissionDenied):
        make(org, curator, role="teacher")
    unverified = teacher_of(org, verified=False)
    teaches(cls, unverified)
    with pytest.raises(PermissionDenied, match="подтверждённые"):
        make(org, unverified, target_group=cls)
    verified = teacher_of(org)
    teaches(other, verified)
    make(org, verified, target_group=other, role="parent")
    with pytest.raises(PermissionDenied):
        make(org, verified, target_group=cls)
    foreign_admin = admin_of(OrganisationFactory())
    with pytest.raises(PermissionDenied):
        make(org, foreign_admin, target_group=cls)


def test_teacher_joins_staff_unverified(org):
    invite, token = make(org, admin_of(org), role="teacher")
    user = UserFactory()
    outcome = redeem.invite_redeem(token=token, user=user)
    assert outcome.kind == "joined"
    m = Membership.objects.get(organisation=org, user=user, role="teacher")
    assert m.verification == "pending"
    assert invite.target_group.kind == "staff"


def test_student_joins_class_twice_is_harmless(org, cls):
    _, token = make(org, admin_of(org), target_group=cls, max_uses=None)
    user = UserFactory()
    assert redeem.invite_redeem(token=token, user=user).kind == "joined"
    assert redeem.invite_redeem(token=token, user=user).kind == "already"
    assert Placement.objects.get(student=user, valid_to__isnull=True).group == cls
    assert Invite.objects.get().use_count == 1


def test_student_of_another_class_is_refused(org, cls):
    other = ClassFactory(organisation=org, grade=6, letter="А", name="6А")
    kid = student_in(other)
    _, token = make(org, admin_of(org), target_group=cls)
    with pytest.raises(RuleViolation, match="«6А».*администратор"):
        redeem.invite_redeem(token=token, user=kid)
    assert Invite.objects.get().use_count == 0


def test_parent_bound_to_child_and_student_cannot_be_own_parent(org, cls):
    admin = admin_of(org)
    kid = student_in(cls)
    _, token = make(org, admin, role="parent", target_group=cls, bound_student=kid)
    with pytest.raises(RuleViolation, match="учётной записью ребёнка"):
        redeem.invite_redeem(token=token, user=kid)
    parent = UserFactory()
    assert redeem.invite_redeem(token=token, user=parent).kind == "joined"
    assert ParentLink.objects.filter(parent=parent, child=kid, valid_to__isnull=True).exists()


def test_parent_choosing_a_child_makes_a_request_for_the_curator(org, cls, django_capture_on_commit_callbacks):
    curator = curator_of(cls)
    kid = student_in(cls)
    _, token = make(org, curator, role="parent", target_group=cls, max_uses=None)
    parent = UserFactory()
    with pytest.raises(RuleViolation, match="Выберите"):
        redeem.invite_redeem(token=token, user=parent)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = redeem.invite_redeem(token=token, user=parent, child=kid)
    assert outcome.kind == "requested"
    assert curator.email in mail.outbox[-1].to
    join_requests.join_request_approve(request=outcome.join_request, actor=curator)
    assert ParentLink.objects.filter(parent=parent, child=kid).exists()


@pytest.mark.parametrize(
    "change,code",
    [
        ({"status": "revoked"}, "invite_revoked"),
        ({"status": "used_up"}, "invite_used_up"),
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "invite_expired"),
    ],
)
def test_unusable_links_are_gone(org, cls, change, code):
    invite, token = make(org, admin_of(org), target_group=cls)
    Invite.objects.filter(pk=invite.pk).update(**change)
    with pytest.raises(Gone) as err:
        redeem.invite_redeem(token=token, user=UserFactory())
    assert err.value.code == code


def test_unknown_token_not_found():
    with pytest.raises(NotFound):
        redeem.invite_find(tokens.new_token())
    with pytest.raises(NotFound):
        redeem.invite_find("../../etc/passwd")


def test_single_use_link_is_used_up(org, cls):
    _, token = make(org, admin_of(org), target_group=cls, max_uses=1)
    redeem.invite_redeem(token=token, user=UserFactory())
    with pytest.raises(Gone):
        redeem.invite_redeem(token=token, user=UserFactory())
    assert Invite.objects.get().status == "used_up"


def test_regenerate_kills_old_token(org, cls):
    admin = admin_of(org)
    invite, old = make(org, admin, target_group=cls)
    _, new = links.invite_regenerate(invite=invite, actor=admin)
    with pytest.raises(NotFound):
        redeem.invite_find(old)
    assert redeem.invite_find(new).pk == invite.pk


def test_relay_and_revoking_parent_revokes_children(org, cls):
    admin = admin_of(org)
    curator = curator_of(cls)
    invite, _ = make(org, admin, target_group=cls, max_uses=30)
    child, token = links.invite_relay(invite=invite, actor=curator, max_uses=50)
    assert child.max_uses == 30 and child.expires_at <= invite.expires_at and child.created_by == curator
    links.invite_revoke(invite=invite, actor=admin)
    with pytest.raises(Gone):
        redeem.invite_redeem(token=token, user=UserFactory())


def test_curator_cannot_revoke_admins_link(org, cls):
    invite, _ = make(org, admin_of(org), target_group=cls)
    with pytest.raises(PermissionDenied):
        links.invite_revoke(invite=invite, actor=curator_of(cls))


def test_leaked_link_pauses_itself(org, cls, django_capture_on_commit_callbacks):
    admin = admin_of(org)
    InvitePolicy.objects.create(organisation=org, leak_margin=2)
    student_in(cls)
    invite, token = make(org, admin, target_group=cls, max_uses=None)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            redeem.invite_redeem(token=token, user=UserFactory())
    invite.refresh_from_db()
    assert invite.status == "paused"
    assert "приостановлена" in mail.outbox[-1].subject
    with pytest.raises(Conflict):
        redeem.invite_redeem(token=token, user=UserFactory())
    links.invite_resume(invite=invite, actor=admin)
    assert Invite.objects.get().status == "active"


def test_mark_expired_is_idempotent(org, cls):
    admin = admin_of(org)
    old, _ = make(org, admin, target_group=cls)
    fresh, _ = make(org, admin, target_group=cls)
    Invite.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert jobs.invites_mark_expired() == 1
    assert jobs.invites_mark_expired() == 0
    assert Invite.objects.get(pk=old.pk).status == "expired"
    assert Invite.objects.get(pk=fresh.pk).status == "active"


def test_annul_unused_tells_creator_once_and_reruns_safely(org, cls, django_capture_on_commit_callbacks):
    admin = admin_of(org)
    unused, _ = make(org, admin, target_group=cls)
    used, token = make(org, admin, target_group=cls, max_uses=5)
    redeem.invite_redeem(token=token, user=UserFactory())
    Invite.objects.update(created_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.invites_annul_unused() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.invites_annul_unused() == 0
    assert Invite.objects.get(pk=unused.pk).status == "revoked"
    assert Invite.objects.get(pk=used.pk).status == "active"
    letters = [m for m in mail.outbox if "аннулированы" in m.subject]
    assert len(letters) == 1 and letters[0].to == [admin.email]
    assert AuditEntry.objects.filter(action="invite.annulled").count() == 1


def test_join_request_flow(org, cls, django_capture_on_commit_callbacks):
    admin = admin_of(org)
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        req = join_requests.join_request_create(
            organisation=org, user=user, role="student", group=cls, message="Прошу принять"
        )
    assert admin.email in mail.outbox[-1].to
    with pytest.raises(Conflict):
        join_requests.join_request_create(organisation=org, user=user, role="student", group=cls)
    with pytest.raises(PermissionDenied):
        join_requests.join_request_approve(request=req, actor=teacher_of(org))
    with pytest.raises(RuleViolation):
        join_requests.join_request_reject(request=req, actor=admin, reason=" ")
    join_requests.join_request_reject(request=req, actor=admin, reason="Не из нашей школы")
    assert JoinRequest.objects.get().status == "rejected"


def test_parent_request_must_name_a_child_and_only_a_pupil_of_the_class_is_linked(org, cls):
    kid = student_in(cls)
    other = student_in(ClassFactory(organisation=org, grade=6, letter="А", name="6А"))
    parent, stranger = UserFactory(), UserFactory()
    admin = admin_of(org)
    with pytest.raises(RuleViolation, match="Укажите ребёнка"):
        join_requests.join_request_create(organisation=org, user=parent, role="parent", group=cls)
    with pytest.raises(RuleViolation, match="не может быть родителем самого себя"):
        join_requests.join_request_create(organisation=org, user=kid, role="parent", group=cls, child_id=kid.pk)
    # A child of another class is not refused (that would tell the applicant who studies where): it is dropped,
    # and the approver cannot approve a parent without a child.
    req = join_requests.join_request_create(
        organisation=org, user=stranger, role="parent", group=cls, child_id=other.pk
    )
    assert req.child is None
    with pytest.raises(RuleViolation, match="отклоните заявку"):
        join_requests.join_request_approve(request=req, actor=admin)
    assert not ParentLink.objects.filter(parent=stranger).exists()
    req = join_requests.join_request_create(organisation=org, user=parent, role="parent", group=cls, child_id=kid.pk)
    join_requests.join_request_approve(request=req, actor=admin)
    assert ParentLink.objects.filter(parent=parent, child=kid, valid_to__isnull=True).exists()


def test_annulment_run_that_crashed_is_completed_by_the_next_run(
    org, cls, monkeypatch, django_capture_on_commit_callbacks
):
    first, second = admin_of(org), curator_of(cls)
    make(org, first, target_group=cls)
    make(org, second, target_group=cls)
    Invite.objects.update(created_at=timezone.now() - timedelta(days=8))
    real_audit = jobs.audit_record
    calls = []

    def crash_on_second_creator(**kwargs):
        calls.append(kwargs["obj"].created_by_id)
        if len(set(calls)) == 2:
            raise RuntimeError("worker killed")
        return real_audit(**kwargs)

    monkeypatch.setattr(jobs, "audit_record", crash_on_second_creator)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        jobs.invites_annul_unused()
    assert Invite.objects.filter(status="revoked").count() == 1
    assert len([m for m in mail.outbox if "аннулированы" in m.subject]) == 1
    monkeypatch.setattr(jobs, "audit_record", real_audit)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.invites_annul_unused() == 1
    letters = [m for m in mail.outbox if "аннулированы" in m.subject]
    assert sorted(m.to[0] for m in letters) == sorted([first.email, second.email])
    assert AuditEntry.objects.filter(action="invite.annulled").count() == 2
