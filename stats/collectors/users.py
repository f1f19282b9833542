"""Who was active: one UserDay row per person and local day (present: opened the portal; took_part: posted or
voted), and the daily, weekly and monthly distinct counts recounted from those rows."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, F, Q

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
    """Distinct people over the windows ending with the day: one aggregate query for the organisation (each
    window and role a filtered COUNT DISTINCT), one for the classes."""
    rows = Rows()
    longest = max(WINDOWS.values())
    rows_in_reach = UserDay.objects.filter(
        organisation_id=bucket.organisation_id,
        day__gt=bucket.day - timedelta(days=longest),
        day__lte=bucket.day,
    ).annotate(**{f"bit_{bit}": F("roles").bitand(bit) for bit in UserDay.ROLE_BITS.values()})
    roles = {"all": Q(), **{name: Q(**{f"bit_{bit}__gt": 0}) for name, bit in UserDay.ROLE_BITS.items()}}
    aggregates = {}
    for window, days in WINDOWS.items():
        in_window = Q(day__gt=bucket.day - timedelta(days=days))
        for role, has_role in roles.items():
            aggregates[f"{window}.{role}"] = Count("user", distinct=True, filter=in_window & has_role)
            aggregates[f"{window}.{role}.took_part"] = Count(
                "user", distinct=True, filter=in_window & has_role & Q(took_part=True)
            )
    for subgroup, value in rows_in_reach.aggregate(**aggregates).items():
        rows.add(subgroup, value)
    # Per class: the students placed in it at the day's end who were active in each window.
    students = rows_in_reach.filter(roles["student"])
    placed = Placement.objects.filter(valid_at(bucket.end), organisation_id=bucket.organisation_id)
    per_window = {
        window: Count(
            "student",
            distinct=True,
            filter=Q(student__in=students.filter(day__gt=bucket.day - timedelta(days=days)).values("user_id")),
        )
        for window, days in WINDOWS.items()
    }
    for row in placed.values("group_id").annotate(**per_window):
        for window in WINDOWS:
            rows.add_class(row["group_id"], f"{window}.student", row[window])
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
