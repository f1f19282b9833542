"""The organisation's settings: each value is enforced where it is used, checked with a clear message, audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chats.models import Chat, ChatMember
from chats.services.channels import channel_create, channel_rename
from chats.services.messages import message_post
from invites.models import Invite, InvitePolicy
from invites.services import jobs, links, redeem
from invites.services.policy import invite_policy_update, organisation_settings_update, policy_for
from orgs.audit_labels import details_text
from orgs.models import AuditEntry
from portal.exceptions import PermissionDenied, RuleViolation
from tests.factories import UserFactory, admin_of, student_in, teacher_of

pytestmark = pytest.mark.django_db


def student_link(org, admin, cls, **kw):
    return links.invite_create(organisation=org, actor=admin, role="student", target_group=cls, **kw)


def test_default_expiry_per_role_and_the_maximum_follow_the_organisation(org, cls):
    admin = admin_of(org)
    invite_policy_update(
        organisation=org, actor=admin, changes={"student_days": 5, "parent_days": 9, "teacher_days": 2, "max_days": 9}
    )
    now = timezone.now()
    for role, days in (("student", 5), ("parent", 9), ("teacher", 2)):
        invite, _ = links.invite_create(
            organisation=org, actor=admin, role=role, target_group=None if role == "teacher" else cls
        )
        assert abs(invite.expires_at - (now + timedelta(days=days))) < timedelta(minutes=1), role
    with pytest.raises(RuleViolation) as refused:
        student_link(org, admin, cls, expires_at=now + timedelta(days=10))
    assert refused.value.message == "Ссылка не может действовать дольше 9 дн. (правило организации)."


def test_the_annulment_job_uses_the_organisations_unused_limit(org, cls):
    admin = admin_of(org)
    invite_policy_update(organisation=org, actor=admin, changes={"unused_days": 3})
    old, _ = student_link(org, admin, cls)
    young, _ = student_link(org, admin, cls)
    Invite.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3, hours=1))
    Invite.objects.filter(pk=young.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert jobs.invites_annul_unused() == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.status, young.status) == ("revoked", "active")
    assert old.status_note == "аннулирована: не использована за 3 дн."


def test_the_leak_guard_uses_the_organisations_margin(org, cls):
    admin = admin_of(org)
    student_in(cls)
    invite_policy_update(organisation=org, actor=admin, changes={"leak_margin": 3})
    invite, token = student_link(org, admin, cls, max_uses=None)
    for _ in range(4):  # the class of one plus a margin of three
        redeem.invite_redeem(token=token, user=UserFactory())
    invite.refresh_from_db()
    assert invite.status == "active"
    redeem.invite_redeem(token=token, user=UserFactory())
    invite.refresh_from_db()
    assert invite.status == "paused"
    assert "переходов больше, чем человек в классе (5 при составе 1)" in invite.status_note


def test_the_leak_guard_uses_the_organisations_spike_window(org, cls):
    admin = admin_of(org)
    invite_policy_update(organisation=org, actor=admin, changes={"leak_spike_uses": 2, "leak_spike_minutes": 60})
    invite, token = student_link(org, admin, cls, max_uses=None)
    first = UserFactory()
    redeem.invite_redeem(token=token, user=first)
    # Forty minutes ago is outside the default ten-minute window, inside this organisation's hour.
    invite.redemptions.update(created_at=timezone.now() - timedelta(minutes=40))
    for _ in range(2):
        redeem.invite_redeem(token=token, user=UserFactory())
    invite.refresh_from_db()
    assert invite.status == "paused"
    assert invite.status_note == "Приостановлена автоматически: 3 переходов за 60 мин."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"student_days": 40, "max_days": 30},
            "student_days",
            "Срок ссылки для обучающихся не может быть больше наибольшего срока (30 дн.).",
        ),
        ({"max_days": 0}, "max_days", "Наибольший срок ссылки — целое число от 1 до 365 дн."),
        ({"admin_hours": 100}, "admin_hours", "Срок ссылки для администратора — целое число от 1 до 72 ч."),
        ({"leak_margin": -1}, "leak_margin", "Запас переходов сверх состава класса — целое число от 0 до 1000."),
        (
            {"unused_days": "семь"},
            "unused_days",
            "Срок, после которого невостребованные ссылки аннулируются — целое число от 1 до 365 дн.",
        ),
        ({"staff_headcount": 0}, "staff_headcount", "Численность сотрудников — целое число от 1 до 100 000."),
    ],
)
def test_wrong_values_are_refused_with_a_message_and_nothing_changes(org, changes, field, message):
    admin = admin_of(org)
    changes = {"teacher_days": 4, **changes}
    with pytest.raises(RuleViolation) as refused:
        organisation_settings_update(organisation=org, actor=admin, changes=changes)
    assert refused.value.fields[field] == [message]
    assert policy_for(org).teacher_days == 3
    org.refresh_from_db()
    assert org.staff_headcount is None
    assert not AuditEntry.objects.filter(action="settings.changed").exists()


def test_only_administrators_change_settings(org):
    with pytest.raises(PermissionDenied):
        invite_policy_update(organisation=org, actor=teacher_of(org), changes={"student_days": 2})
    assert not InvitePolicy.objects.filter(organisation=org, student_days=2).exists()


def test_each_change_is_audited_from_old_to_new(org):
    admin = admin_of(org)
    organisation_settings_update(
        organisation=org, actor=admin, changes={"student_days": 10, "unused_days": 7, "staff_headcount": 80}
    )
    entries = AuditEntry.objects.filter(action="settings.changed").order_by("pk")
    assert [e.details for e in entries] == [
        {"changes": {"student_days": [14, 10]}},  # unused_days stayed 7: not a change
        {"changes": {"staff_headcount": [None, 80]}},
    ]
    assert (
        details_text("settings.changed", entries[0].details) == "Изменения: срок ссылки для обучающихся, дней: 14 → 10"
    )
    assert details_text("settings.changed", entries[1].details) == "Изменения: численность сотрудников: — → 80"
    org.refresh_from_db()
    assert org.staff_headcount == 80  # the profile's field, which the statistics read


def test_renaming_a_system_channel_renames_the_chat_and_is_audited(org):
    from chats.services.channels import system_channels_ensure

    admin = admin_of(org)
    (general, _staff), _ = system_channels_ensure(organisation=org)
    assert general.title == "Общешкольный канал"
    channel_rename(chat=general, actor=admin, title="  Общий канал   Лицея ")
    general.refresh_from_db()
    assert general.title == "Общий канал Лицея"
    entry = AuditEntry.objects.get(action="chat.renamed")
    assert entry.details == {"changes": {"title": ["Общешкольный канал", "Общий канал Лицея"]}}
    with pytest.raises(RuleViolation) as refused:
        channel_rename(chat=general, actor=admin, title="   ")
    assert refused.value.fields == {"title": ["Введите название."]}
    with pytest.raises(PermissionDenied):
        channel_rename(chat=general, actor=teacher_of(org), title="Наш канал")


def test_an_additional_channel_holds_everyone_and_only_its_owners_post(org, cls):
    admin = admin_of(org)
    pupil = student_in(cls)
    chat = channel_create(organisation=org, actor=admin, title="Канал олимпиад")
    assert chat.kind == Chat.Kind.EXTRA_CHANNEL and chat.is_channel
    members = dict(ChatMember.objects.filter(chat=chat, left_at__isnull=True).values_list("user_id", "role"))
    assert members == {admin.pk: "owner", pupil.pk: "member"}
    message_post(chat=chat, actor=admin, text="Олимпиада по математике в пятницу")
    with pytest.raises(PermissionDenied) as refused:
        message_post(chat=chat, actor=pupil, text="Ура")
    assert refused.value.message == "В этом канале пишут только администраторы и руководитель."
    assert AuditEntry.objects.filter(action="chat.created", object_id=str(chat.pk)).exists()
