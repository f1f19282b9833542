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
        **more_org_values(index),
    }


def more_org_values(index: int) -> dict[tuple[str, str], int]:
    """Active users in both senses, coverage by position, the invite funnel, join requests, moderation, refusals."""
    return {
        # Taking part (wrote or voted): 12 of 40 staff (30 %), 40 of 400 students, 15 of 300 parents a week.
        ("active_users.v1", "wau.teacher.took_part"): 12,
        ("active_users.v1", "wau.student.took_part"): 40,
        ("active_users.v1", "wau.parent.took_part"): 15,
        ("active_users.v1", "dau.teacher.took_part"): 4,
        ("active_users.v1", "mau.teacher"): 38,
        ("active_users.v1", "mau.teacher.took_part"): 20,
        ("active_users.v1", "mau.student"): 200,
        ("active_users.v1", "mau.parent"): 150,
        # Staff by position: 40 registered (36 teachers, the director, 3 deputies), 33 verified.
        ("coverage.v1", "staff.registered.teacher"): 36,
        ("coverage.v1", "staff.verified.teacher"): 30,
        ("coverage.v1", "staff.registered.director"): 1,
        ("coverage.v1", "staff.verified.director"): 1,
        ("coverage.v1", "staff.registered.deputy"): 3,
        ("coverage.v1", "staff.verified.deputy"): 2,
        ("coverage.v1", "students.joined"): 380,
        ("coverage.v1", "students.with_parent"): 190,
        ("coverage.v1", "classes"): 12,
        ("coverage.v1", "classes.without_curator"): 2,
        ("coverage.v1", "teachers.unverified_over_3_days"): 3,
        ("curators.v1", "classes.curator_unverified"): 1,
        # Links: created 1 staff on even days, 2 student and 1 parent a day; one expired, one revoked, one annulled.
        ("invites.v1", "created.teacher"): 1 - index % 2,
        ("invites.v1", "created.student"): 2,
        ("invites.v1", "created.parent"): 1,
        ("invites.v1", "expired.student"): int(index == 5),
        ("invites.v1", "revoked.parent"): int(index == 6),
        ("invites.v1", "annulled.teacher"): int(index == 7),
        # Join requests: 1 filed a day; 7 approved (odd days) and 1 rejected (day 2), decided within 4 h (four),
        # 24 h (two), 168 h (two): the median is «до 4 ч», the 90th percentile «до 168 ч».
        ("join_requests.v1", "created.parent"): 1,
        ("join_requests.v1", "rejected.parent"): int(index == 2),
        ("join_requests.v1", "decided.le_4h"): int(index in (1, 3, 5, 7)),
        ("join_requests.v1", "decided.le_24h"): int(index in (9, 11)),
        ("join_requests.v1", "decided.le_168h"): int(index in (2, 13)),
        ("join_requests_pending.v1", "pending.parent"): 3,
        ("join_requests_pending.v1", "pending.student"): 1,
        ("join_requests_pending.v1", "pending.over_3_days"): 2,
        # Reports: filed every third day (5), resolved every fifth (3).
        ("moderation.v1", "filed.spam"): int(index % 3 == 0),
        ("moderation.v1", "resolved.message_deleted"): int(index % 5 == 0),
        # Texts refused by the content rules: two messages every fourth day (8).
        ("content_refusals.v1", "rule.forbidden_service"): 2 * int(index % 4 == 0),
        ("content_refusals.v1", "place.message"): 2 * int(index % 4 == 0),
    }


def class_values(position: int, index: int) -> dict[tuple[str, str], int]:
    """A class's counts; the first class is the weak one: few joined, few parents, no parents' chat, no meaningful
    message in all its 14 days (only trivial ones), its curator not verified."""
    weak = position == 0
    values = {
        ("coverage.v1", "students.joined"): 10 if weak else 24,
        ("coverage.v1", "students.planned"): 25,
        ("coverage.v1", "students.with_parent"): 3 if weak else 20,
        ("coverage.v1", "chat.class"): 1,
        ("coverage.v1", "chat.parents"): 0 if weak else 1,
        ("active_users.v1", "wau.student"): 2 if weak else 15,
        ("active_users.v1", "dau.student"): 1 if weak else 5 + index % 2,
        ("activity.v1", "messages"): 2 if weak else 6,
        ("activity.v1", "messages.trivial"): 2 if weak else 1,
        ("invites.v1", "redeemed.student"): 1 if index == 3 else 0,
        ("invites.v1", "created.student"): 2 if index == 3 else 0,
        ("coverage.v1", "curator"): 1,
        ("curators.v1", "curator.unverified"): int(weak),
        ("join_requests_pending.v1", "pending"): int(weak),
    }
    return values


def filled_organisation(classes: int = 3, *, days: int = DAYS) -> Filled:
    org = OrganisationFactory(staff_headcount=50)
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
            for (indicator, subgroup), value in class_values(position, index).items():
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
