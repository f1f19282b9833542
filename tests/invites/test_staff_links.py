"""Links for the appointed roles: the curator link and the administrator link, and the appointing order."""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone

from invites.models import Invite
from invites.services import links, redeem
from invites.services.policy import invite_policy_update
from orgs.models import AdminAppointmentOrder, AuditEntry, CuratorAssignment, Membership
from orgs.services.membership import admin_appoint, admin_remove, teacher_verify
from portal.exceptions import Gone, PermissionDenied, RuleViolation
from tests.factories import UserFactory, admin_of, curator_of, teacher_of
from tests.orgs.test_registration import order

pytestmark = pytest.mark.django_db

ORDER = {"number": "42-к", "date": datetime.date(2026, 9, 1)}


def curator_link(org, actor, cls):
    return links.invite_create(organisation=org, actor=actor, role="curator", target_group=cls)


def admin_link(org, actor, **kw):
    kw.setdefault("admin_order", dict(ORDER))
    return links.invite_create(organisation=org, actor=actor, role="admin", **kw)


def curator_of_class(cls):
    assignment = CuratorAssignment.objects.filter(group=cls, valid_to__isnull=True).first()
    return assignment.teacher if assignment else None


def test_a_teacher_joining_by_a_curator_link_becomes_the_curator_once_verified(
    org, cls, django_capture_on_commit_callbacks
):
    admin = admin_of(org)
    invite, token = curator_link(org, admin, cls)
    assert invite.max_uses == 1 and invite.target_group == cls
    newcomer = UserFactory()
    outcome = redeem.invite_redeem(token=token, user=newcomer)
    assert outcome.kind == "joined" and outcome.membership.role == "teacher"
    assert outcome.membership.verification == Membership.Verification.PENDING
    assert curator_of_class(cls) is None  # not before an administrator confirms the teacher
    with django_capture_on_commit_callbacks(execute=True):
        teacher_verify(membership=outcome.membership, actor=admin)
    assert curator_of_class(cls) == newcomer
    assert newcomer.has_perm("orgs.invite_to_group", cls)
    # A later verification (after a rejection, say) does not give the class again.
    CuratorAssignment.objects.filter(group=cls).update(valid_to=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        teacher_verify(membership=outcome.membership, actor=admin)
    assert curator_of_class(cls) is None


def test_a_verified_teacher_joining_by_a_curator_link_becomes_the_curator_at_once(org, cls):
    admin = admin_of(org)
    teacher = teacher_of(org)
    _invite, token = curator_link(org, admin, cls)
    redeem.invite_redeem(token=token, user=teacher)
    assert curator_of_class(cls) == teacher


def test_only_administrators_make_curator_links_and_they_name_a_class(org, cls):
    with pytest.raises(PermissionDenied):
        curator_link(org, curator_of(cls), cls)
    with pytest.raises(RuleViolation) as refused:
        links.invite_create(organisation=org, actor=admin_of(org), role="curator")
    assert refused.value.message == "Выберите класс, в который приглашаете."


def test_the_administrator_link_appoints_a_newcomer_with_the_order(org):
    admin = admin_of(org)
    invite, token = admin_link(org, admin, admin_order={**ORDER, "order_file": order()})
    newcomer = UserFactory()
    outcome = redeem.invite_redeem(token=token, user=newcomer)
    assert outcome.membership.role == "admin"
    assert newcomer.has_perm("orgs.manage_admins", org)
    staff = Membership.objects.get(organisation=org, user=newcomer, role="teacher", valid_to__isnull=True)
    assert staff.verification == Membership.Verification.VERIFIED
    recorded = AdminAppointmentOrder.objects.get(organisation=org)
    assert (recorded.number, recorded.date, recorded.membership) == ("42-к", ORDER["date"], outcome.membership)
    assert recorded.file.name.endswith(".pdf") and recorded.recorded_by == admin
    entry = AuditEntry.objects.get(action="admin.appointed")
    assert entry.actor == admin
    assert entry.details == {"order": "42-к", "date": "01.09.2026", "by_link": True}
    invite.refresh_from_db()
    assert invite.status == "used_up"


def test_the_administrator_link_appoints_an_existing_member(org):
    admin = admin_of(org)
    teacher = teacher_of(org)
    _invite, token = admin_link(org, admin)
    redeem.invite_redeem(token=token, user=teacher)
    assert Membership.objects.filter(organisation=org, user=teacher, role="admin", valid_to__isnull=True).exists()
    assert Membership.objects.filter(organisation=org, user=teacher, role="teacher").count() == 1


def test_the_administrator_link_is_single_use(org):
    admin = admin_of(org)
    _invite, token = admin_link(org, admin)
    redeem.invite_redeem(token=token, user=UserFactory())
    with pytest.raises(Gone) as refused:
        redeem.invite_redeem(token=token, user=UserFactory())
    assert refused.value.code == "invite_used_up"
    with pytest.raises(RuleViolation) as refused:
        admin_link(org, admin, max_uses=5)
    assert refused.value.message == "Эта ссылка одноразовая: по ней вступает один человек."
    assert Membership.objects.filter(organisation=org, role="admin", valid_to__isnull=True).count() == 2


def test_the_administrator_link_is_short_lived(org):
    admin = admin_of(org)
    invite_policy_update(organisation=org, actor=admin, changes={"admin_hours": 6})
    invite, token = admin_link(org, admin)
    assert abs(invite.expires_at - (timezone.now() + timedelta(hours=6))) < timedelta(minutes=1)
    with pytest.raises(RuleViolation) as refused:
        admin_link(org, admin, expires_at=timezone.now() + timedelta(hours=7))
    assert refused.value.message == "Ссылка для администратора действует не дольше 6 ч. (правило организации)."
    Invite.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(Gone):
        redeem.invite_redeem(token=token, user=UserFactory())


def test_only_administrators_make_administrator_links_and_the_order_is_required(org, cls):
    admin = admin_of(org)
    for outsider in (teacher_of(org), curator_of(cls)):
        with pytest.raises(PermissionDenied) as refused:
            admin_link(org, outsider)
        assert refused.value.message == "Ссылку для администратора создают только администраторы."
    with pytest.raises(RuleViolation) as refused:
        admin_link(org, admin, admin_order=None)
    assert refused.value.fields == {"order_number": ["Укажите приказ о назначении администратора: номер и дату."]}
    with pytest.raises(RuleViolation) as refused:
        admin_link(org, admin, admin_order={"number": "", "date": timezone.localdate() + timedelta(days=1)})
    assert refused.value.fields == {
        "order_number": ["Укажите номер приказа."],
        "order_date": ["Дата приказа не может быть в будущем."],
    }
    assert not Invite.objects.filter(role="admin").exists() and not AdminAppointmentOrder.objects.exists()


def test_a_link_whose_author_lost_the_administrator_role_appoints_nobody(org):
    first, second = admin_of(org), admin_of(org)
    _invite, token = admin_link(org, second)
    admin_remove(membership=Membership.objects.get(user=second, role="admin"), actor=first)
    newcomer = UserFactory()
    with pytest.raises(PermissionDenied):
        redeem.invite_redeem(token=token, user=newcomer)
    assert not Membership.objects.filter(organisation=org, user=newcomer).exists()


def test_nobody_asks_to_join_as_an_administrator(org):
    from invites.services.join_requests import join_request_create

    with pytest.raises(RuleViolation):
        join_request_create(organisation=org, user=UserFactory(), role="admin")


def test_appointing_an_administrator_records_the_order(org):
    admin = admin_of(org)
    teacher = teacher_of(org)
    with pytest.raises(RuleViolation) as refused:
        admin_appoint(organisation=org, user=teacher, actor=admin, order_number="7", order_date=None)
    assert refused.value.fields == {"order_date": ["Укажите дату приказа."]}
    with pytest.raises(RuleViolation) as refused:
        admin_appoint(
            organisation=org,
            user=teacher,
            actor=admin,
            order_number="7",
            order_date=ORDER["date"],
            order_file=order(content=b"not a pdf", name="prikaz.pdf"),
        )
    assert refused.value.message == "Приказ должен быть файлом PDF, JPEG или PNG."
    membership = admin_appoint(organisation=org, user=teacher, actor=admin, order_number="7", order_date=ORDER["date"])
    assert membership.appointment_order.number == "7"
    assert AuditEntry.objects.get(action="admin.appointed").details == {"order": "7", "date": "01.09.2026"}


def test_curator_and_administrator_links_lead_into_no_chat(org):
    from chats.services.manage import chat_create

    admin = admin_of(org)
    chat = chat_create(organisation=org, actor=admin, kind="other", title="Методическое объединение")
    for role in ("curator", "admin"):
        with pytest.raises(RuleViolation) as refused:
            links.invite_create(organisation=org, actor=admin, role=role, target_chat=chat, admin_order=dict(ORDER))
        assert refused.value.message == "В чат приглашают педагогов, обучающихся или родителей."
