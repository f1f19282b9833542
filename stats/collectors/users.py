"""Who was active: one UserDay row per person and local day (present: opened the portal; took_part: posted or
voted), and the daily, weekly and monthly distinct counts recounted from those rows."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import F, Max, Q

from chats.models import Message, PollVote
from orgs.models import Membership, Placement

from ..days import Bucket
from ..models import Presence, UserDay
from ..registry import Grain, Indicator, Kind, Rows, register
from ._common import valid_at

USER_DAYS_RETENTION = 40
# Distinct-count windows in days, ending with the bucket's day.
WINDOWS = {"dau": 1, "wau": 7, "mau": 30}


def compute_user_days(bucket: Bucket) -> Rows:
    org, start, end = bucket.organisation_id, bucket.start, bucket.end
    present = set(Presence.objects.filter(organisation_id=org, day=bucket.day).values_list("user_id", flat=True))
    posted = (
        Message.objects.filter(
            chat__organisation_id=org, created_at__gte=start, created_at__lt=end, author__isnull=False
        )
        .order_by()
        .values_list("author_id", flat=True)
    )
    voted = PollVote.objects.filter(
        option__poll__message__chat__organisation_id=org, created_at__gte=start, created_at__lt=end
    ).values_list("user_id", flat=True)
    took_part = set(posted.distinct()) | set(voted.distinct())
    roles = defaultdict(int)
    held = Membership.objects.filter(valid_at(end), organisation_id=org, user_id__in=present | took_part)
    for user_id, role in held.order_by().values_list("user_id", "role").distinct():
        roles[user_id] |= UserDay.ROLE_BITS[role]
    rows = Rows()
    rows.users = [
        UserDay(
            organisation_id=org,
            user_id=user_id,
            day=bucket.day,
            roles=roles[user_id],
            present=user_id in present,
            took_part=user_id in took_part,
        )
        for user_id in sorted(present | took_part)
    ]
    return rows


def compute_active_users(bucket: Bucket) -> Rows:
    """Distinct people over the windows ending with the day. One pass over the rows in reach gives each person's
    last day in each role (present, and taking part); a person is active in a window when that day falls in it.
    Then the students placed in each class at the day's end are counted the same way. Two queries."""
    rows = Rows()
    longest = max(WINDOWS.values())
    rows_in_reach = UserDay.objects.filter(
        organisation_id=bucket.organisation_id,
        day__gt=bucket.day - timedelta(days=longest),
        day__lte=bucket.day,
    ).annotate(**{f"bit_{bit}": F("roles").bitand(bit) for bit in UserDay.ROLE_BITS.values()})
    roles = {"all": Q(), **{name: Q(**{f"bit_{bit}__gt": 0}) for name, bit in UserDay.ROLE_BITS.items()}}
    last_days = {}
    for role, has_role in roles.items():
        last_days[f"{role}"] = Max("day", filter=has_role) if role != "all" else Max("day")
        last_days[f"{role}.took_part"] = Max("day", filter=has_role & Q(took_part=True))
    people = list(rows_in_reach.values("user_id").annotate(**last_days).order_by())
    for window, days in WINDOWS.items():
        after = bucket.day - timedelta(days=days)
        for key in last_days:
            rows.add(f"{window}.{key}", sum(1 for p in people if p[key] is not None and p[key] > after))
    # Per class: the students placed in it at the day's end who were active in each window.
    last_as_student = {p["user_id"]: p["student"] for p in people if p["student"] is not None}
    placed = Placement.objects.filter(valid_at(bucket.end), organisation_id=bucket.organisation_id)
    students = defaultdict(set)
    for group_id, student_id in placed.values_list("group_id", "student_id").order_by():
        students[group_id].add(student_id)
    for group_id, ids in students.items():
        for window, days in WINDOWS.items():
            after = bucket.day - timedelta(days=days)
            rows.add_class(group_id, f"{window}.student", sum(1 for i in ids if last_as_student.get(i, after) > after))
    return rows


register(
    Indicator(
        key="user_days",
        version=1,
        kind=Kind.ADDITIVE,
        grains=(Grain.USER,),
        compute=compute_user_days,
        retention_days=USER_DAYS_RETENTION,
        description="Активность каждого участника за день (был на портале, писал или голосовал).",
    )
)
register(
    Indicator(
        key="active_users",
        version=1,
        kind=Kind.SNAPSHOT,
        grains=(Grain.ORGANISATION, Grain.CLASS),
        compute=compute_active_users,
        description="Активные за день, 7 и 30 дней (различные люди) по ролям.",
    )
)
