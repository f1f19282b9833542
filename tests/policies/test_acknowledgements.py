"""The acknowledgement campaign: a major version in force asks its audience, a minor one asks nobody again; a
parent acknowledges for their child; the administrator records paper signatures; reminders go once per step."""

import datetime

import pytest
from django.utils import timezone

from orgs.models import AuditEntry
from policies.models import Acknowledgement, AcknowledgementReminder
from policies.selectors_ack import campaign_for_version, gate_for, pending_for_user, progress
from policies.services.acknowledgements import (
    acknowledgement_record,
    acknowledgement_record_paper,
    acknowledgement_reminders_send,
)
from portal.exceptions import Conflict, PermissionDenied, RuleViolation
from tests.factories import ClassFactory, UserFactory, parent_of, student_in, teacher_of

from .helpers import office
from .test_workflow import in_force

pytestmark = pytest.mark.django_db


def test_a_major_version_asks_the_staff_and_a_minor_one_asks_nobody_again():
    o = office()
    student_in(ClassFactory(organisation=o.org))
    version = in_force(o)
    campaign = campaign_for_version(version)
    assert {r.person for r in progress(campaign).pending} == {o.admin, o.director, o.teacher}  # staff only
    assert gate_for(o.teacher).has_pending_acknowledgements

    acknowledgement_record(campaign=campaign, actor=o.teacher)
    assert not gate_for(o.teacher).has_pending_acknowledgements
    with pytest.raises(Conflict):
        acknowledgement_record(campaign=campaign, actor=o.teacher)  # a double click counts once

    minor = in_force(o, major=False)
    assert minor.number == "1.1" and campaign_for_version(minor) == campaign
    assert not pending_for_user(o.teacher)  # the minor edit asks nobody again
    assert [c.current for c in pending_for_user(o.admin)] == [minor]  # the others still read, now 1.1

    major = in_force(o)
    assert major.number == "2.0"
    assert [c.current for c in pending_for_user(o.teacher)] == [major]  # a new redaction asks again
    campaign.refresh_from_db()
    assert campaign.closed_at is not None
    with pytest.raises(Conflict):
        acknowledgement_record(campaign=campaign, actor=o.admin)  # the old redaction is closed


def test_students_and_parents_are_asked_when_chosen_on_approval_and_a_parent_acknowledges_for_the_child():
    o = office()
    group = ClassFactory(organisation=o.org)
    child = student_in(group)
    parent = parent_of(child, o.org)
    stranger_child = student_in(group)
    from policies.services.workflow import version_approve

    from .test_workflow import agreed

    version = version_approve(
        version=agreed(o), actor=o.director, method="in_app", ask_students=True, ask_parents=False
    )
    campaign = campaign_for_version(version)
    assert campaign.students and not campaign.parents
    assert child in {r.person for r in progress(campaign).pending}
    assert parent not in {r.person for r in progress(campaign).pending}

    with pytest.raises(PermissionDenied):
        acknowledgement_record(campaign=campaign, actor=parent, child=stranger_child)
    ack = acknowledgement_record(campaign=campaign, actor=parent, child=child)
    assert ack.person == child and ack.recorded_by == parent and ack.method == Acknowledgement.Method.PARENT
    assert not gate_for(child).has_pending_acknowledgements


def test_the_administrator_records_a_paper_signature_with_its_date_and_the_teacher_cannot():
    o = office()
    campaign = campaign_for_version(in_force(o))
    day = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(PermissionDenied):
        acknowledgement_record_paper(campaign=campaign, actor=o.teacher, person=o.director, day=day)
    with pytest.raises(RuleViolation):
        acknowledgement_record_paper(
            campaign=campaign, actor=o.admin, person=o.teacher, day=timezone.localdate() + datetime.timedelta(days=1)
        )
    with pytest.raises(RuleViolation):
        acknowledgement_record_paper(campaign=campaign, actor=o.admin, person=UserFactory(), day=day)

    ack = acknowledgement_record_paper(campaign=campaign, actor=o.admin, person=o.teacher, day=day)
    assert (ack.method, ack.recorded_by, ack.acknowledged_on) == (Acknowledgement.Method.PAPER, o.admin, day)
    assert AuditEntry.objects.filter(organisation=o.org, action="policy.paper_acknowledgement").count() == 1
    p = progress(campaign)
    assert [r.person for r in p.done] == [o.teacher] and len(p.pending) == 2


def test_reminders_go_on_the_third_and_seventh_day_once_each_even_when_the_job_runs_twice(
    mailoutbox, django_capture_on_commit_callbacks
):
    o = office()
    campaign = campaign_for_version(in_force(o))
    acknowledgement_record(campaign=campaign, actor=o.admin)
    start = campaign.started_at

    assert acknowledgement_reminders_send(now=start + datetime.timedelta(days=2)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert acknowledgement_reminders_send(now=start + datetime.timedelta(days=3, hours=1)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert acknowledgement_reminders_send(now=start + datetime.timedelta(days=3, hours=2)) == 0  # run twice
    letters = {m.to[0]: m for m in mailoutbox}
    assert len(mailoutbox) == 2
    assert set(letters) == {o.director.email, o.teacher.email}  # not the administrator, who has read it
    assert "«Подтверждаю ознакомление»" in letters[o.teacher.email].body
    assert "/documents/acknowledge/" in letters[o.teacher.email].body

    acknowledgement_record(campaign=campaign, actor=o.director)
    assert acknowledgement_reminders_send(now=start + datetime.timedelta(days=7, hours=1)) == 1
    assert acknowledgement_reminders_send(now=start + datetime.timedelta(days=8)) == 0
    assert sorted(AcknowledgementReminder.objects.values_list("person_id", "step")) == sorted(
        [(o.director.pk, 3), (o.teacher.pk, 3), (o.teacher.pk, 7)]
    )

    late = teacher_of(o.org)  # joined after both days: one letter, both steps taken
    assert acknowledgement_reminders_send(now=start + datetime.timedelta(days=9)) == 1
    assert set(AcknowledgementReminder.objects.filter(person=late).values_list("step", flat=True)) == {3, 7}


def test_the_gate_every_page_asks_is_one_query_whatever_the_number_of_documents(django_assert_num_queries):
    o = office()
    in_force(o)
    in_force(o, "procedure")
    in_force(o, "user_terms")
    with django_assert_num_queries(1):
        gate = gate_for(o.teacher)
    assert gate.must_accept_terms and gate.has_pending_acknowledgements


def test_the_gate_says_what_the_pending_lists_say_for_every_kind_of_person():
    """gate_for is the pages' one query, terms_pending_exists the API's; terms_pending_for and campaigns_pending_for
    are the lists the pages show. Whoever asks — staff, a rejected teacher, a student, a parent, someone of another
    school — they agree, before and after accepting and acknowledging, with students and parents asked and not."""
    from orgs.models import Membership
    from policies.selectors_ack import campaigns_pending_for, terms_pending_exists, terms_pending_for
    from policies.services.terms import terms_accept
    from tests.factories import OrganisationFactory

    o = office()
    group = ClassFactory(organisation=o.org)
    child = student_in(group)
    parent = parent_of(child, o.org)
    rejected = teacher_of(o.org)
    Membership.objects.filter(user=rejected).update(verification=Membership.Verification.REJECTED)
    outsider = teacher_of(OrganisationFactory())
    people = [o.admin, o.director, o.teacher, rejected, child, parent, outsider, UserFactory()]

    def agree():
        for person in people:
            gate = gate_for(person)
            expected = (terms_pending_for(person).exists(), campaigns_pending_for(person).exists())
            assert (gate.must_accept_terms, gate.has_pending_acknowledgements) == expected, person
            assert terms_pending_exists(person) == expected[0], person

    agree()
    terms = in_force(o, "user_terms")
    from policies.services.workflow import version_approve

    from .test_workflow import agreed

    rules = version_approve(version=agreed(o), actor=o.director, method="in_app", ask_students=True, ask_parents=True)
    agree()
    assert gate_for(child).has_pending_acknowledgements and gate_for(o.teacher).must_accept_terms
    assert terms.document.kind == "user_terms"
    terms_accept(actor=o.teacher, agree=True, personal_data_consent=True)
    acknowledgement_record(campaign=campaign_for_version(rules), actor=o.teacher)
    assert gate_for(o.teacher) == gate_for(UserFactory())
    agree()
