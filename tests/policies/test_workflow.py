"""The regulations' way from a draft to force: who may do each step and what the documents then say."""

import datetime

import pytest
from django.utils import timezone

from orgs.models import AuditEntry
from policies.models import Document, DocumentVersion
from policies.selectors import forbidden_services_reference, version_clauses
from policies.services.documents import clause_edit, version_create, version_refresh
from policies.services.responsible import responsible_add
from policies.services.workflow import (
    version_agreement_add,
    version_approve,
    version_return_to_draft,
    versions_bring_into_force,
)
from portal.exceptions import Conflict, PermissionDenied, RuleViolation
from tests.factories import admin_of

from .helpers import PROTOCOL_DATE, office

pytestmark = pytest.mark.django_db
Status = DocumentVersion.Status


def agreed(o, kind="regulation", *, major=True):
    version = version_create(organisation=o.org, kind=kind, actor=o.admin, major=major)
    version_agreement_add(
        version=version, actor=o.admin, body="Педагогический совет", protocol_number="1", protocol_date=PROTOCOL_DATE
    )
    return version


def in_force(o, kind="regulation", *, major=True):
    version = agreed(o, kind, major=major)
    return version_approve(version=version, actor=o.director, method="in_app")


def test_a_draft_is_written_from_the_organisation_data():
    o = office()
    version = version_create(organisation=o.org, kind="regulation", actor=o.admin)
    text = " ".join(c["text"] for s in version.content["sections"] for c in s["clauses"])
    assert version.number == "1.0" and version.status == Status.DRAFT
    assert "портала образовательной организации" in version.content["subject"]
    assert o.org.full_name in version.content["sections"][0]["clauses"][0]["text"]
    assert o.admin.short_name in text
    assert "классного" not in text and "класса" in text  # the school's vocabulary
    assert version.data["director"]["short_name"] == o.director.short_name


def test_a_college_gets_its_own_words():
    o = office(kind="college")
    version = version_create(organisation=o.org, kind="regulation", actor=o.admin)
    text = " ".join(c["text"] for s in version.content["sections"] for c in s["clauses"])
    assert "Куратор" in text and "Колледж" in text and "класс" not in text


def test_the_procedure_lists_the_forbidden_services_in_clause_4_3():
    o = office()
    version = version_create(organisation=o.org, kind="procedure", actor=o.admin)
    clause = next(c for s in version.content["sections"] for c in s["clauses"] if c["key"] == "forbidden_services")
    assert clause["number"] == "4.3"
    for name in ("Discord", "Microsoft Teams", "Skype for Business", "Telegram", "WhatsApp", "WeChat"):
        assert name in clause["text"]


def test_the_order_names_the_responsible_persons():
    o = office()
    responsible_add(
        organisation=o.org,
        actor=o.admin,
        person=o.teacher,
        duty="moderation",
        position="учитель информатики",
        valid_from=datetime.date(2026, 9, 1),
    )
    version = version_create(organisation=o.org, kind="order", actor=o.admin)
    moderation = next(c for c in version.content["sections"][0]["clauses"] if c["key"] == "moderation")
    assert moderation["number"] == "3"
    assert f"{o.teacher.short_name} (учитель информатики)" in moderation["text"]
    assert "ПРИКАЗЫВАЮ" in version.content["preamble"]
    administrators = next(c for c in version.content["sections"][0]["clauses"] if c["key"] == "administrators")
    # One full stop after the initials, not two.
    assert administrators["text"].endswith(o.admin.short_name) and not administrators["text"].endswith("..")


def test_an_edited_clause_is_marked_as_differing_and_can_be_reset():
    o = office()
    version = version_create(organisation=o.org, kind="regulation", actor=o.admin)
    version = clause_edit(version=version, actor=o.admin, key="access", text="Доступ к Платформе   бесплатный.")
    marks = {c["key"]: c["differs"] for s in version_clauses(version) for c in s["clauses"]}
    assert marks["access"] is True and not any(v for k, v in marks.items() if k != "access")
    version.refresh_from_db()
    edited = next(c for s in version_clauses(version) for c in s["clauses"] if c["key"] == "access")
    assert edited["text"] == "Доступ к Платформе бесплатный." and edited["template_text"].startswith("Пользователи")
    version = clause_edit(version=version, actor=o.admin, key="access", text=None)
    assert not any(c["differs"] for s in version_clauses(version) for c in s["clauses"])
    assert AuditEntry.objects.filter(organisation=o.org, action="policy.clause_edited").exists()


def test_bad_clause_edits_are_refused_with_a_message():
    o = office()
    version = version_create(organisation=o.org, kind="regulation", actor=o.admin)
    with pytest.raises(RuleViolation, match="пустым"):
        clause_edit(version=version, actor=o.admin, key="access", text="   ")
    with pytest.raises(RuleViolation, match="нет"):
        clause_edit(version=version, actor=o.admin, key="nope", text="Текст")
    with pytest.raises(PermissionDenied):
        clause_edit(version=version, actor=o.teacher, key="access", text="Текст")


def test_only_the_director_approves():
    o = office()
    version = agreed(o)
    for someone in (o.admin, o.teacher, admin_of(o.org)):
        with pytest.raises(PermissionDenied, match="директор"):
            version_approve(version=version, actor=someone, method="in_app")
    version.refresh_from_db()
    assert version.status == Status.AGREEMENT


def test_the_author_cannot_approve_even_as_director():
    o = office()
    # The director who is also an administrator writes the draft: someone else must approve it.
    from tests.factories import member

    member(o.org, "admin", o.director)
    version = version_create(organisation=o.org, kind="regulation", actor=o.director)
    version_agreement_add(
        version=version, actor=o.admin, body="Совет", protocol_number="2", protocol_date=PROTOCOL_DATE
    )
    with pytest.raises(PermissionDenied, match="Автор"):
        version_approve(version=version, actor=o.director, method="in_app")


def test_an_editor_of_the_draft_cannot_approve_it():
    o = office()
    from tests.factories import member

    member(o.org, "admin", o.director)
    version = version_create(organisation=o.org, kind="regulation", actor=o.admin)
    clause_edit(version=version, actor=o.director, key="access", text="Иной текст.")
    version_agreement_add(
        version=version, actor=o.admin, body="Совет", protocol_number="2", protocol_date=PROTOCOL_DATE
    )
    with pytest.raises(PermissionDenied, match="Автор"):
        version_approve(version=version, actor=o.director, method="in_app")


def test_a_draft_must_be_agreed_before_approval():
    o = office()
    version = version_create(organisation=o.org, kind="regulation", actor=o.admin)
    with pytest.raises(Conflict, match="согласование"):
        version_approve(version=version, actor=o.director, method="in_app")


def test_approval_by_order_needs_its_number_and_date():
    o = office()
    version = agreed(o)
    with pytest.raises(RuleViolation) as failure:
        version_approve(version=version, actor=o.director, method="order", order_number=" ")
    assert set(failure.value.fields) == {"order_number", "order_date"}
    version = version_approve(
        version=version, actor=o.director, method="order", order_number="102/2-од", order_date=PROTOCOL_DATE
    )
    assert version.status == Status.IN_FORCE and version.order_number == "102/2-од"


def test_exactly_one_version_is_in_force_and_the_previous_loses_force():
    o = office()
    first = in_force(o)
    second = in_force(o, major=False)
    third = in_force(o, major=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, second.number, third.number) == ("1.0", "1.1", "2.0")
    assert (first.status, second.status, third.status) == (Status.SUPERSEDED, Status.SUPERSEDED, Status.IN_FORCE)
    assert not second.is_major and third.is_major
    assert DocumentVersion.objects.filter(document=third.document, status=Status.IN_FORCE).count() == 1


def test_a_version_with_a_later_date_enters_into_force_on_that_day():
    o = office()
    first = in_force(o)
    later = timezone.localdate() + datetime.timedelta(days=5)
    second = version_approve(version=agreed(o), actor=o.director, method="in_app", in_force_from=later)
    assert second.status == Status.APPROVED
    assert versions_bring_into_force(today=later - datetime.timedelta(days=1)) == 0
    assert versions_bring_into_force(today=later) == 1
    assert versions_bring_into_force(today=later) == 0  # safe to run twice
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.SUPERSEDED, Status.IN_FORCE)


def test_an_approved_version_is_immutable():
    o = office()
    version = in_force(o)
    content, data = version.content, version.data
    for change in (
        lambda: clause_edit(version=version, actor=o.admin, key="access", text="Другое."),
        lambda: version_refresh(version=version, actor=o.admin),
        lambda: version_agreement_add(
            version=version, actor=o.admin, body="Совет", protocol_number="9", protocol_date=PROTOCOL_DATE
        ),
        lambda: version_approve(version=version, actor=o.director, method="in_app"),
    ):
        with pytest.raises(Conflict):
            change()
    o.org.full_name = "Новое наименование"
    o.org.save()
    version.refresh_from_db()
    assert version.content == content and version.data == data


def test_a_new_version_keeps_the_edits_and_takes_new_data():
    o = office()
    first = version_create(organisation=o.org, kind="regulation", actor=o.admin)
    clause_edit(version=first, actor=o.admin, key="access", text="Свой текст пункта.")
    version_agreement_add(version=first, actor=o.admin, body="Совет", protocol_number="1", protocol_date=PROTOCOL_DATE)
    version_approve(version=first, actor=o.director, method="in_app")
    o.org.full_name = "Новое наименование школы"
    o.org.save()
    second = version_create(organisation=o.org, kind="regulation", actor=o.admin, major=False)
    assert "Новое наименование школы" in second.content["sections"][0]["clauses"][0]["text"]
    access = next(c for s in version_clauses(second) for c in s["clauses"] if c["key"] == "access")
    assert access["text"] == "Свой текст пункта." and access["differs"]


def test_one_open_draft_per_document():
    o = office()
    version_create(organisation=o.org, kind="regulation", actor=o.admin)
    with pytest.raises(Conflict, match="черновик"):
        version_create(organisation=o.org, kind="regulation", actor=o.admin)


def test_a_version_on_agreement_can_go_back_to_draft():
    o = office()
    version = agreed(o)
    version_return_to_draft(version=version, actor=o.admin)
    version.refresh_from_db()
    assert version.status == Status.DRAFT and not version.agreements.exists()


def test_agreement_data_are_checked():
    o = office()
    version = version_create(organisation=o.org, kind="regulation", actor=o.admin)
    with pytest.raises(RuleViolation) as failure:
        version_agreement_add(
            version=version,
            actor=o.admin,
            body="",
            protocol_number="",
            protocol_date=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert set(failure.value.fields) == {"body", "protocol_number", "protocol_date"}


def test_the_forbidden_services_reference_cites_the_procedure_in_force():
    o = office()
    assert forbidden_services_reference(o.org) is None
    version = version_approve(
        version=agreed(o, "procedure"), actor=o.director, method="order", order_number="12", order_date=PROTOCOL_DATE
    )
    reference = forbidden_services_reference(o.org)
    assert reference.startswith("п. 4.3 Порядка использования портала")
    assert reference.endswith("утв. приказом от 28.08.2026 № 12")
    assert version.document.kind == Document.Kind.PROCEDURE


def test_an_order_is_approved_without_agreement():
    o = office()
    version = version_create(organisation=o.org, kind="order", actor=o.admin)
    version = version_approve(version=version, actor=o.director, method="in_app")
    assert version.status == Status.IN_FORCE


def test_responsible_person_must_be_staff_of_the_organisation():
    o = office()
    other = office()
    with pytest.raises(RuleViolation) as failure:
        responsible_add(
            organisation=o.org,
            actor=o.admin,
            person=other.teacher,
            duty="platform",
            position="учитель",
            valid_from=PROTOCOL_DATE,
        )
    assert "person" in failure.value.fields
    with pytest.raises(PermissionDenied):
        responsible_add(
            organisation=o.org,
            actor=o.teacher,
            person=o.teacher,
            duty="platform",
            position="у",
            valid_from=PROTOCOL_DATE,
        )


def test_a_refreshed_draft_takes_new_data_and_keeps_the_edits():
    o = office()
    version = version_create(organisation=o.org, kind="procedure", actor=o.admin)
    version = clause_edit(version=version, actor=o.admin, key="purpose", text="Только по делу.")
    responsible_add(
        organisation=o.org,
        actor=o.admin,
        person=o.teacher,
        duty="platform",
        position="учитель информатики",
        valid_from=datetime.date(2026, 1, 1),
    )
    version = version_refresh(version=version, actor=o.admin)
    clauses = {c["key"]: c for s in version_clauses(version) for c in s["clauses"]}
    assert clauses["purpose"]["text"] == "Только по делу." and clauses["purpose"]["differs"]
    assert (
        clauses["platform"]["text"]
        == f"За работу Платформы в Школе отвечает {o.teacher.short_name} (учитель информатики)."
    )
    assert not clauses["platform"]["differs"]


def test_the_hourly_job_brings_due_versions_into_force(settings):
    from policies.tasks import bring_versions_into_force

    o = office()
    later = timezone.localdate() + datetime.timedelta(days=1)
    version = version_approve(version=agreed(o), actor=o.director, method="in_app", in_force_from=later)
    assert bring_versions_into_force.delay().get() == 0
    version.refresh_from_db()
    assert version.status == Status.APPROVED
    DocumentVersion.objects.filter(pk=version.pk).update(in_force_from=timezone.localdate())
    assert bring_versions_into_force.delay().get() == 1
    version.refresh_from_db()
    assert version.status == Status.IN_FORCE


def test_a_later_version_in_force_replaces_an_older_one_still_waiting_for_its_date():
    o = office()
    later = timezone.localdate() + datetime.timedelta(days=10)
    waiting = version_approve(version=agreed(o), actor=o.director, method="in_app", in_force_from=later)
    current = in_force(o, major=False)
    waiting.refresh_from_db()
    assert (waiting.number, waiting.status) == ("1.0", Status.SUPERSEDED)
    assert versions_bring_into_force(today=later) == 0
    current.refresh_from_db()
    assert current.status == Status.IN_FORCE


def test_a_refused_message_cites_the_clause_of_the_procedure_in_force():
    from chats.models import Chat
    from chats.services.manage import chat_create
    from chats.services.messages import message_post

    o = office()
    chat = chat_create(organisation=o.org, actor=o.admin, kind=Chat.Kind.OTHER, title="Родительский комитет")
    with pytest.raises(RuleViolation) as before:
        message_post(chat=chat, actor=o.admin, text="Переходим в вотсап: https://chat.whatsapp.com/AbCdEf")
    assert "п. 4.3 Порядка использования платформы" in before.value.message  # the template's number, no document yet

    version_approve(
        version=agreed(o, "procedure"), actor=o.director, method="order", order_number="12", order_date=PROTOCOL_DATE
    )
    with pytest.raises(RuleViolation) as after:
        message_post(chat=chat, actor=o.admin, text="Переходим в вотсап: https://chat.whatsapp.com/AbCdEf")
    assert forbidden_services_reference(o.org) in after.value.message
    assert "утв. приказом от 28.08.2026 № 12" in after.value.message


def test_a_new_draft_lists_the_services_of_the_content_rules_in_force():
    from policies.models import ForbiddenService
    from policies.services.rules import forbidden_service_create, forbidden_service_update

    o = office()
    forbidden_service_create(organisation=o.org, actor=o.admin, name="ICQ", domains=["icq.im"])
    viber = ForbiddenService.objects.get(organisation=o.org, name="Viber")
    forbidden_service_update(service=viber, actor=o.admin, enabled=False)

    version = version_create(organisation=o.org, kind="procedure", actor=o.admin)
    clause = next(c for c in version_clauses_flat(version) if c["key"] == "forbidden_services")
    assert "ICQ" in clause["text"] and "WhatsApp" in clause["text"] and "Viber" not in clause["text"]


def version_clauses_flat(version):
    return [c for section in version.content["sections"] for c in section["clauses"]]
