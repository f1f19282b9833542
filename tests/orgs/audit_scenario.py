"""One school's life through the real services, so that the audit log holds an entry of every audited kind.

Each step performs actions and declares the codes they write; `STEPS` is the table the tests walk. The steps run
in order and share the people and groups of the `School` they build.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from chats.models import Chat, Report
from chats.services.channels import channel_create, channel_rename
from chats.services.manage import chat_archive, chat_create, chat_leave, chat_members_add, chat_rename, chat_restore
from chats.services.messages import message_post
from chats.services.moderation import member_mute, member_remove, member_unmute, report_create, report_resolve
from invites.models import Invite, InviteRole
from invites.services.jobs import invites_annul_unused
from invites.services.join_requests import join_request_approve, join_request_reject, join_request_withdraw
from invites.services.links import (
    invite_create,
    invite_pause,
    invite_regenerate,
    invite_relay,
    invite_resume,
    invite_revoke,
    invite_revoke_all,
    policy_for,
)
from invites.services.policy import invite_policy_update
from invites.services.redeem import invite_redeem
from invites.services.sending import invite_mailing_start
from orgs.models import AuditEntry, Group, Membership
from orgs.services.membership import (
    admin_appoint,
    admin_remove,
    curator_assign,
    curator_unassign,
    membership_add,
    membership_end,
    parent_link_create,
    parent_link_end,
    staff_set_position,
    student_place,
    teacher_reject,
    teacher_verify,
    teaching_assign,
    teaching_end,
)
from orgs.services.movement import movement_apply, org_transfer_accept, org_transfer_reject, org_transfer_request
from orgs.services.promotion import promotion_confirm
from orgs.services.registration import application_approve, application_reject, application_submit
from orgs.services.structure import group_archive, group_create, group_restore, group_update, staff_headcount_set
from policies.selectors_ack import campaign_for_version
from policies.services.acknowledgements import acknowledgement_record_paper, document_audience_set
from policies.services.documents import clause_edit, version_create, version_refresh
from policies.services.responsible import responsible_add, responsible_end
from policies.services.rules import forbidden_service_create, forbidden_service_delete, forbidden_service_update
from policies.services.workflow import version_agreement_add, version_approve, version_return_to_draft
from portal.exceptions import RuleViolation
from safety.models import Incident
from stats.days import local_day
from stats.models import OrgDayCount
from stats.services.areas import area_get_or_create, methodologist_attach, targets_set
from stats.services.reports import previous_month
from tests.factories import AcademicYearFactory, ClassFactory, OrganisationFactory, UserFactory, admin_of, student_in
from tests.orgs.test_registration import application_data, order

Role = Membership.Role
REASONS = {
    "registration.rejected": "Нет приказа о назначении",
    "teacher.rejected": "Не работает у нас",
    "membership.ended": "Уволен по собственному желанию",
    "join_request.rejected": "Не учится в этом классе",
}
PROFILE_CHANGE = {
    "full_name": "Муниципальное автономное общеобразовательное учреждение «Гимназия № 3»",
    "short_name": "Гимназия № 3",
    "address": "г. Улан-Удэ, ул. Ленина, д. 5",
    "region": "Республика Саха (Якутия)",
    "municipality": "г. Якутск",
    "contact_phone": "+7 (4112) 42-00-00",
    "contact_email": "gymnasium3@example.org",
    "website": "https://gymnasium3.example.org",
    "time_zone": "Asia/Yakutsk",
    "staff_headcount": 52,
}


@dataclass
class School:
    client: object  # the test client, signed in as the administrator once there is one
    org: object = None
    admin: object = None
    classes: dict = field(default_factory=dict)
    teacher: object = None  # verified, made director


def _registration(s: School) -> None:
    operator = UserFactory(is_superuser=True, is_staff=True)
    kept = application_submit(data=application_data(), order_file=order())
    s.org = application_approve(application=kept, actor=operator)
    s.admin = Membership.objects.get(organisation=s.org, role=Role.ADMIN).user
    s.client.force_login(s.admin)
    refused = application_submit(
        data=application_data(short_name="МБОУ СОШ № 9", admin_phone="8 912 000-00-09"), order_file=order()
    )
    application_reject(application=refused, actor=operator, reason=REASONS["registration.rejected"])
    # A rejected application founds no organisation: its entry (organisation None) belongs to no organisation's
    # log. The real entry is moved onto this one's so that the page renders it as the service wrote it.
    moved = AuditEntry.objects.filter(action="registration.rejected", object_id=str(refused.pk), organisation=None)
    assert moved.update(organisation=s.org) == 1


def _structure(s: School) -> None:
    response = s.client.post(reverse("orgs:profile_edit", args=[s.org.pk]), PROFILE_CHANGE)
    assert response.status_code == 302, response.status_code
    s.org.refresh_from_db()
    assert s.org.short_name == PROFILE_CHANGE["short_name"]
    year = {"name": "2026/2027", "starts_on": datetime.date(2026, 9, 1), "ends_on": datetime.date(2027, 5, 31)}
    response = s.client.post(reverse("orgs:year_create", args=[s.org.pk]), {**year, "is_current": "on"})
    assert response.status_code == 302, response.status_code
    for letter in "АБ":
        s.classes[letter] = group_create(
            organisation=s.org, actor=s.admin, kind=Group.Kind.CLASS, grade=5, letter=letter
        )
    club = group_create(organisation=s.org, actor=s.admin, kind=Group.Kind.CLUB, name="Шахматы")
    group_update(group=club, actor=s.admin, name="Шахматный клуб")
    group_archive(group=club, actor=s.admin)
    group_restore(group=club, actor=s.admin)


def _staff(s: School) -> None:
    org, admin = s.org, s.admin
    hired = membership_add(organisation=org, user=UserFactory(), role=Role.TEACHER, actor=admin)
    teacher_verify(membership=hired, actor=admin)
    staff_set_position(membership=hired, actor=admin, position=Membership.Position.DIRECTOR)
    s.teacher = hired.user
    stranger = membership_add(organisation=org, user=UserFactory(), role=Role.TEACHER, actor=admin)
    teacher_reject(membership=stranger, actor=admin, reason=REASONS["teacher.rejected"])
    membership_end(membership=stranger, actor=admin, reason=REASONS["membership.ended"])
    second_admin = admin_appoint(organisation=org, user=s.teacher, actor=admin)
    admin_remove(membership=second_admin, actor=admin)


def _movement(s: School) -> None:
    org, admin, a, b = s.org, s.admin, s.classes["А"], s.classes["Б"]
    pupil = membership_add(organisation=org, user=UserFactory(), role=Role.STUDENT, actor=admin).user
    student_place(organisation=org, student=pupil, group=a, actor=admin)
    student_place(organisation=org, student=pupil, group=b, actor=admin)
    curator_unassign(assignment=curator_assign(group=a, teacher=s.teacher, actor=admin), actor=admin)
    teaching_end(assignment=teaching_assign(group=a, teacher=s.teacher, subject="Математика", actor=admin), actor=admin)
    link = parent_link_create(organisation=org, parent=UserFactory(), child=pupil, actor=admin)
    parent_link_end(link=link, actor=admin)


def _links(s: School) -> None:
    org, admin, a = s.org, s.admin, s.classes["А"]
    policy = policy_for(org)
    policy.leak_spike_uses = 1  # the operator's setting: a second use within ten minutes is a leak
    policy.save()
    link, _token = invite_create(organisation=org, actor=admin, role=InviteRole.STUDENT, target_group=a, max_uses=None)
    invite_relay(invite=link, actor=admin)
    link, token = invite_regenerate(invite=link, actor=admin)
    for _pupil in range(2):  # the second use pauses the link by itself
        invite_redeem(token=token, user=UserFactory())
    link.refresh_from_db()
    assert link.status == Invite.Status.PAUSED
    invite_resume(invite=link, actor=admin)
    staff_link, _token = invite_create(
        organisation=org, actor=admin, role=InviteRole.TEACHER, recipient_email="new.teacher@example.org"
    )
    invite_mailing_start(organisation=org, actor=admin, invites=[staff_link])
    invite_pause(invite=staff_link, actor=admin)
    # Its deadline passes while it is paused: resuming it then finds it expired.
    Invite.objects.filter(pk=staff_link.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    invite_resume(invite=staff_link, actor=admin)
    invite_create(organisation=org, actor=admin, role=InviteRole.PARENT, target_group=a)
    # The nightly job, a week and a day later: the parents' link and the relayed one were never used.
    assert invites_annul_unused(now=timezone.now() + datetime.timedelta(days=policy.unused_days + 1)) == 2
    invite_revoke(invite=link, actor=admin)
    invite_create(organisation=org, actor=admin, role=InviteRole.STUDENT, target_group=a)
    assert invite_revoke_all(organisation=org, actor=admin) == 1


def _roster(s: School) -> None:
    from roster.services.apply import roster_import_apply
    from roster.services.imports import roster_import_confirm, roster_import_create

    data = f"Фамилия;Имя;Класс\r\nЖуков;Егор;{s.classes['А'].name}\r\n".encode("cp1251")
    imp = roster_import_create(organisation=s.org, actor=s.admin, kind="students", file_name="ученики.csv", data=data)
    roster_import_confirm(imp=imp, actor=s.admin)
    roster_import_apply(imp.pk)


def _join_requests(s: School) -> None:
    asking, token = invite_create(
        organisation=s.org,
        actor=s.admin,
        role=InviteRole.STUDENT,
        target_group=s.classes["Б"],
        max_uses=2,
        requires_approval=True,
    )
    first, second = (invite_redeem(token=token, user=UserFactory()).join_request for _ in range(2))
    join_request_approve(request=first, actor=s.admin)
    join_request_reject(request=second, actor=s.admin, reason=REASONS["join_request.rejected"])
    _personal, personal_token = invite_create(
        organisation=s.org, actor=s.admin, role=InviteRole.STUDENT, target_group=s.classes["Б"], requires_approval=True
    )
    third = invite_redeem(token=personal_token, user=UserFactory()).join_request
    join_request_withdraw(request=third, actor=third.user)


def _chats(s: School) -> None:
    org, admin = s.org, s.admin
    colleagues = [
        membership_add(organisation=org, user=UserFactory(), role=Role.TEACHER, actor=admin, verified=True).user
        for _ in range(2)
    ]
    chat = chat_create(
        organisation=org, actor=s.teacher, kind=Chat.Kind.MGMT_TEACHERS, title="Педсовет", member_ids=[colleagues[0].pk]
    )
    chat_members_add(chat=chat, actor=admin, user_ids=[colleagues[1].pk])
    chat_rename(chat=chat, actor=admin, title="Методическое объединение")
    rude = message_post(chat=chat, actor=colleagues[0], text="Грубость")
    report_create(message=rude, actor=colleagues[1], reason=Report.Reason.INSULT)
    report_resolve(report=Report.objects.get(message=rude), actor=admin, action="delete_message")
    fine = message_post(chat=chat, actor=colleagues[1], text="Объявление о собрании")
    report_create(message=fine, actor=colleagues[0], reason=Report.Reason.SPAM)
    report_resolve(report=Report.objects.get(message=fine), actor=admin, action="dismiss", note="Не спам")
    member_mute(chat=chat, actor=admin, user=colleagues[0], until=timezone.now() + datetime.timedelta(days=1))
    member_unmute(chat=chat, actor=admin, user=colleagues[0])
    member_remove(chat=chat, actor=admin, user=colleagues[1])
    chat_archive(chat=chat, actor=admin)
    chat_restore(chat=chat, actor=admin)
    # The director created it and is its only owner: leaving passes it to the administrator.
    assert chat_leave(chat=chat, actor=s.teacher) == admin.pk


def _content_rules(s: School) -> None:
    org, admin = s.org, s.admin
    service = forbidden_service_create(organisation=org, actor=admin, name="ICQ", domains=["icq.im"])
    forbidden_service_update(service=service, actor=admin, enabled=False)
    forbidden_service_delete(service=service, actor=admin)
    chat = chat_create(organisation=org, actor=admin, kind=Chat.Kind.OTHER, title="Правила")
    with pytest.raises(RuleViolation):
        message_post(chat=chat, actor=admin, text="Пишите в телегу")


def _statistics(s: School) -> None:
    response = s.client.post(
        reverse("stats:org_targets", args=[s.org.pk]), {"staff": "80", "students": "", "parents": ""}
    )
    assert response.status_code == 302, response.status_code
    # The municipality of the profile as edited above; its methodologist is a member of no organisation.
    area = area_get_or_create(region=s.org.region, municipality=s.org.municipality)
    methodologist = UserFactory()
    methodologist_attach(area=area, user=methodologist)
    targets_set(actor=methodologist, area=area, values={"parents": 40})
    browser = Client()
    browser.force_login(methodologist)
    for query in ({}, {"export": "xlsx"}):
        response = browser.get(reverse("stats:area", args=[area.pk]), query)
        assert response.status_code == 200, response.status_code
    # The municipality's report of last month (a month with figures), asked for on its reports page.
    month = previous_month(local_day(timezone.now(), s.org.time_zone))
    OrgDayCount.objects.create(organisation=s.org, indicator="activity.v1", subgroup="messages", day=month, value=1)
    response = browser.post(reverse("stats:area_reports", args=[area.pk]), {"month": month.isoformat()})
    assert response.status_code == 302, response.status_code


def _safety(s: School) -> None:
    # A member ends up signed out by the administrator on their page, then reports unauthorised access from their
    # own browser; the administrator marks the incident reviewed in the queue.
    member = membership_add(organisation=s.org, user=UserFactory(), role=Role.TEACHER, actor=s.admin)
    response = s.client.post(reverse("safety:member_sessions_end", args=[s.org.pk, member.user_id]))
    assert response.status_code == 302, response.status_code
    browser = Client()
    browser.force_login(member.user)
    response = browser.post(reverse("accounts:access_report"), {"comment": "Чужой вход"})
    assert response.status_code == 302, response.status_code
    incident = Incident.objects.get(organisation=s.org, person=member.user)
    response = s.client.post(reverse("safety:incident_review", args=[s.org.pk, incident.pk]))
    assert response.status_code == 302, response.status_code


def _policies(s: School) -> None:
    org, admin = s.org, s.admin
    colleague = membership_add(organisation=org, user=UserFactory(), role=Role.TEACHER, actor=admin, verified=True)
    responsible = responsible_add(
        organisation=org,
        actor=admin,
        person=colleague.user,
        duty="platform",
        position="учитель информатики",
        valid_from=datetime.date(2026, 9, 1),
    )
    responsible_end(responsible=responsible, actor=admin, valid_to=datetime.date(2026, 12, 31))
    version = version_create(organisation=org, kind="regulation", actor=admin)
    version = version_refresh(version=version, actor=admin)
    version = clause_edit(version=version, actor=admin, key="access", text="Доступ бесплатный.")
    version = clause_edit(version=version, actor=admin, key="access", text=None)
    agreement = {"body": "Педагогический совет", "protocol_number": "1", "protocol_date": datetime.date(2026, 8, 28)}
    version_agreement_add(version=version, actor=admin, **agreement)
    version_return_to_draft(version=version, actor=admin)
    version_agreement_add(version=version, actor=admin, **agreement)
    version_approve(version=version, actor=s.teacher, method="in_app")
    document_audience_set(document=version.document, actor=admin, ask_students=True, ask_parents=False)
    acknowledgement_record_paper(
        campaign=campaign_for_version(version), actor=admin, person=s.teacher, day=datetime.date(2026, 9, 2)
    )


def _settings(s: School) -> None:
    org, admin = s.org, s.admin
    invite_policy_update(organisation=org, actor=admin, changes={"student_days": 10, "leak_spike_minutes": 15})
    staff_headcount_set(organisation=org, actor=admin, value=42)
    general = Chat.objects.get(organisation=org, kind=Chat.Kind.GENERAL_CHANNEL)
    channel_rename(chat=general, actor=admin, title="Общий канал Гимназии")
    channel_create(organisation=org, actor=admin, title="Канал родительского комитета")


def _year(s: School) -> None:
    """The school year: expulsion, graduation, dismissal (their links and decisions follow), transfers both ways,
    and the promotion of the whole school; the receivers act after commit, as after a request."""
    org, admin, a, b = s.org, s.admin, s.classes["А"], s.classes["Б"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        for kind in ("expel", "graduate"):
            pupil = membership_add(organisation=org, user=UserFactory(), role=Role.STUDENT, actor=admin)
            student_place(organisation=org, student=pupil.user, group=a, actor=admin)
            movement_apply(organisation=org, membership=pupil, kind=kind, actor=admin, reason="Приказ № 41")
        leaving = membership_add(organisation=org, user=UserFactory(), role=Role.TEACHER, actor=admin, verified=True)
        curator_assign(group=b, teacher=leaving.user, actor=admin)
        _link, token = invite_create(
            organisation=org,
            actor=leaving.user,
            role=InviteRole.STUDENT,
            target_group=b,
            requires_approval=True,
            max_uses=5,
        )
        invite_redeem(token=token, user=UserFactory())
    with TestCase.captureOnCommitCallbacks(execute=True):
        movement_apply(organisation=org, membership=leaving, kind="dismiss", actor=admin, reason="Приказ № 42")
    other = OrganisationFactory(short_name="Лицей № 8")
    AcademicYearFactory(organisation=other)
    other_admin = admin_of(other)
    with TestCase.captureOnCommitCallbacks(execute=True):
        pupil = membership_add(organisation=org, user=UserFactory(), role=Role.STUDENT, actor=admin)
        student_place(organisation=org, student=pupil.user, group=a, actor=admin)
        out = org_transfer_request(membership=pupil, target=other, actor=admin, reason="Переезд")
        org_transfer_accept(transfer=out, actor=other_admin, group=ClassFactory(organisation=other))
        for decide in ("accept", "reject"):
            incoming = Membership.objects.get(
                organisation=other, user=student_in(ClassFactory(organisation=other)), role=Role.STUDENT
            )
            asked = org_transfer_request(membership=incoming, target=org, actor=other_admin)
            if decide == "accept":
                org_transfer_accept(transfer=asked, actor=admin, group=a)
            else:
                org_transfer_reject(transfer=asked, actor=admin, note="Нет мест")
        promotion_confirm(organisation=org, actor=admin)


STEPS = [
    (_registration, {"registration.approved", "registration.rejected", "membership.added"}),
    (
        _structure,
        {"organisation.updated", "academic_year.created", "group.created", "group.updated"}
        | {"group.archived", "group.restored"},
    ),
    (
        _staff,
        {"membership.added", "teacher.verified", "teacher.rejected", "membership.ended", "staff.position_changed"}
        | {"admin.appointed", "admin.removed"},
    ),
    (
        _movement,
        {"student.enrolled", "student.transferred", "curator.assigned", "curator.unassigned", "teaching.assigned"}
        | {"teaching.ended", "parent_link.created", "parent_link.ended"},
    ),
    (
        _links,
        {"invite.created", "invite.relayed", "invite.regenerated", "invite.redeemed", "invite.paused"}
        | {"invite.resumed", "invite.mailing_started", "invite.expired", "invite.annulled", "invite.revoked"}
        | {"invite.revoked_all"},
    ),
    (_roster, {"roster.uploaded", "roster.confirmed", "roster.imported", "invite.created_in_bulk"}),
    (
        _join_requests,
        {"invite.redeemed", "join_request.approved", "join_request.rejected", "join_request.withdrawn"},
    ),
    (
        _chats,
        {"chat.created", "chat.members_added", "chat.renamed", "report.message_deleted", "report.dismissed"}
        | {"chat.member_muted", "chat.member_unmuted", "chat.member_removed", "chat.archived", "chat.restored"}
        | {"chat.owner_passed"},
    ),
    (_content_rules, {"content_rule.created", "content_rule.updated", "content_rule.deleted", "content.refused"}),
    (
        _statistics,
        {"stats.targets_changed", "stats.area_targets_changed", "stats.area_viewed", "stats.area_exported"}
        | {"stats.area_report_requested"},
    ),
    (_safety, {"membership.added", "account.sessions_ended", "account.access_reported", "incident.reviewed"}),
    (
        _policies,
        {"policy.responsible_added", "policy.responsible_ended", "policy.version_created", "policy.version_refreshed"}
        | {"policy.clause_edited", "policy.clause_reset", "policy.agreed", "policy.returned_to_draft"}
        | {"policy.approved", "policy.audience_changed", "policy.paper_acknowledgement"},
    ),
    (_settings, {"settings.changed", "chat.renamed", "chat.created"}),
    (
        _year,
        {"movement.expelled", "movement.graduated", "movement.dismissed", "invite.revoked_on_leaving"}
        | {"join_request.handed_over", "movement.transfer_requested", "movement.transferred_out"}
        | {"movement.transfer_accepted", "movement.transfer_rejected", "promotion.confirmed", "promotion.completed"}
        | {"student.enrolled", "membership.added", "invite.created", "curator.assigned", "invite.redeemed"},
    ),
]


def declared_codes() -> set[str]:
    return set().union(*(codes for _step, codes in STEPS))


def build(client) -> School:
    """Run every step; each must write (at least) the codes it declares, and nothing the log has no words for."""
    school = School(client=client)
    for step, codes in STEPS:
        last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        step(school)
        written = set(AuditEntry.objects.filter(pk__gt=last).values_list("action", flat=True))
        assert codes <= written, (step.__name__, sorted(codes - written))
    return school
