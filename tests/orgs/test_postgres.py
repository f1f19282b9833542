"""What only PostgreSQL proves: the database constraint and row locks under concurrent requests."""

from functools import partial

import pytest
from django.db import IntegrityError, transaction

from orgs.models import Membership, Placement
from orgs.services.membership import admin_appoint, admin_remove
from portal.exceptions import RuleViolation
from tests.concurrency import at_once
from tests.factories import ClassFactory, OrganisationFactory, admin_of, member, teacher_of
from tests.postgres import POSTGRES_ONLY

pytestmark = POSTGRES_ONLY


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_placement_in_the_same_organisation():
    organisation = OrganisationFactory()
    five_a, five_b = ClassFactory(organisation=organisation), ClassFactory(organisation=organisation)
    student = member(organisation, Membership.Role.STUDENT).user
    Placement.objects.create(organisation=organisation, student=student, group=five_a)
    with pytest.raises(IntegrityError, match="placement_one_class_per_student"):
        with transaction.atomic():
            Placement.objects.create(organisation=organisation, student=student, group=five_b)
    assert Placement.objects.filter(student=student, valid_to__isnull=True).count() == 1


@pytest.mark.django_db
def test_a_closed_placement_and_another_organisation_do_not_count():
    organisation = OrganisationFactory()
    five_a, five_b = ClassFactory(organisation=organisation), ClassFactory(organisation=organisation)
    student = member(organisation, Membership.Role.STUDENT).user
    old = Placement.objects.create(organisation=organisation, student=student, group=five_a)
    Placement.objects.filter(pk=old.pk).update(valid_to=old.valid_from)
    Placement.objects.create(organisation=organisation, student=student, group=five_b)
    elsewhere = ClassFactory(organisation=OrganisationFactory())
    Placement.objects.create(organisation=elsewhere.organisation, student=student, group=elsewhere)
    assert Placement.objects.filter(student=student, valid_to__isnull=True).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_removals_of_the_two_administrators_leave_one():
    organisation = OrganisationFactory()
    first = admin_of(organisation)
    second = teacher_of(organisation)
    admin_appoint(organisation=organisation, user=second, actor=first)
    memberships = list(Membership.objects.filter(organisation=organisation, role="admin", valid_to__isnull=True))
    assert len(memberships) == 2

    # Each administrator removes the other at the same moment.
    results = at_once(
        [
            partial(admin_remove, membership=memberships[0], actor=memberships[1].user),
            partial(admin_remove, membership=memberships[1], actor=memberships[0].user),
        ]
    )
    outcomes = [
        r.code if isinstance(r, RuleViolation) else "removed" if isinstance(r, Membership) else repr(r) for r in results
    ]
    assert sorted(outcomes) == ["last_admin", "removed"], results
    assert Membership.objects.filter(organisation=organisation, role="admin", valid_to__isnull=True).count() == 1
