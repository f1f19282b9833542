"""An organisation whose statistics tables are already filled (rows written directly, as the fill would leave
them): the dashboard and its API are read against these numbers."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from orgs.models import Group, Membership
from stats.days import local_day
from stats.models import ClassDayCount, FillState, OrgDayCount
from stats.registry import indicators
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    admin_of,
    curator_of,
    parent_of,
    student_in,
    teacher_of,
)

DAYS = 14


@dataclass
class Filled:
    organisation: object
    yesterday: date
    classes: list[Group]
    people: dict = field(default_factory=dict)


def org_values(index: int) -> dict[tuple[str, str], int]:
    """The organisation's counts on the index-th day of the history (0 is the oldest)."""
    return {
        ("coverage.v1", "members.teacher"): 40,
        ("coverage.v1", "members.student"): 400,
        ("coverage.v1", "members.parent"): 300,
        ("active_users.v1", "wau.teacher"): 20 + index,  # 33 of 40 on the last day (83 %), 26 a week before (65 %)
        ("active_users.v1", "wau.student"): 100 + index,  # 113 of 400 (28 %)
        ("active_users.v1", "wau.parent"): 90,  # 30 % both weeks
        ("active_users.v1", "dau.teacher"): 10 + index % 3,
        ("active_users.v1", "dau.student"): 50 + index,
        ("active_users.v1", "dau.parent"): 30,
        ("activity.v1", "messages"): 20 + 2 * index,
        ("activity.v1", "messages.trivial"): index,
        ("invites.v1", "redeemed.student"): index % 4,
        ("invites.v1", "redeemed.parent"): 1,
        ("join_requests.v1", "approved.student"): index % 2,
    }


def class_values(position: int, index: int, last: bool) -> dict[tuple[str, str], int]:
    """A class's counts; the first class is the weak one: few joined, few parents, no parents' chat, quiet."""
    weak = position == 0
    values = {
        ("coverage.v1", "students.joined"): 10 if weak else 24,
        ("coverage.v1", "students.planned"): 25,
        ("coverage.v1", "students.with_parent"): 3 if weak else 20,
        ("coverage.v1", "chat.class"): 1,
        ("coverage.v1", "chat.parents"): 0 if weak else 1,
        ("active_users.v1", "wau.student"): 2 if weak else 15,
        ("active_users.v1", "dau.student"): 1 if weak else 5 + index % 2,
        ("activity.v1", "messages"): 2 if weak and last else 6,
        ("activity.v1", "messages.trivial"): 2 if weak else 1,
        ("invites.v1", "redeemed.student"): 1 if index == 3 else 0,
    }
    return values


def filled_organisation(classes: int = 3, *, days: int = DAYS) -> Filled:
    org = OrganisationFactory()
    yesterday = local_day(timezone.now(), org.time_zone) - timedelta(days=1)
    groups = [ClassFactory(organisation=org, grade=5 + n // 10, expected_size=25) for n in range(classes)]
    curator = curator_of(groups[0], teacher_of(org))
    kid = student_in(groups[0])
    people = {
        "admin": admin_of(org),
        "director": teacher_of(org, position=Membership.Position.DIRECTOR),
        "curator": curator,
        "teacher": teacher_of(org),
        "student": kid,
        "parent": parent_of(kid, org),
    }
    org_rows, class_rows = [], []
    first = yesterday - timedelta(days=days - 1)
    for index in range(days):
        day = first + timedelta(days=index)
        for (indicator, subgroup), value in org_values(index).items():
            org_rows.append(OrgDayCount(organisation=org, indicator=indicator, subgroup=subgroup, day=day, value=value))
        for position, group in enumerate(groups):
            for (indicator, subgroup), value in class_values(position, index, index >= days - 9).items():
                class_rows.append(
                    ClassDayCount(
                        organisation=org, group=group, indicator=indicator, subgroup=subgroup, day=day, value=value
                    )
                )
    OrgDayCount.objects.bulk_create(org_rows)
    ClassDayCount.objects.bulk_create(class_rows)
    FillState.objects.bulk_create(
        FillState(indicator=ind.id, organisation=org, last_filled_day=yesterday, updated_at=timezone.now())
        for ind in indicators()
    )
    return Filled(org, yesterday, groups, people)
