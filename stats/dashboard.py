"""What the dashboard and its API show, built from the statistics tables only (through selectors): the freshness of
the data, the weekly-active headline against the regional targets, the daily series, the per-class table.

A scope is the whole organisation (group_ids None) or the classes a curator may see; the number of queries does not
depend on the number of classes or days."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from orgs.models import Group, Organisation

from . import selectors
from .charts import Series, line_chart
from .days import days_between, local_day
from .registry import indicators
from .services.check import expected_last_day

ACTIVE, COVERAGE, ACTIVITY, INVITES, REQUESTS = (
    "active_users.v1",
    "coverage.v1",
    "activity.v1",
    "invites.v1",
    "join_requests.v1",
)
PERIODS = (30, 90)
ROLES = ("teacher", "student", "parent")
# (key, role of the counts, regional target %, label)
TARGETS = (
    ("staff", "teacher", 75, "Педагоги и сотрудники"),
    ("students", "student", 30, "Обучающиеся"),
    ("parents", "parent", 30, "Родители"),
)
ROLE_LABELS = {"teacher": "педагоги", "student": "обучающиеся", "parent": "родители"}
# Weak spots of a class: joined below this share of the planned size, parents below this share of the students,
# no meaningful message for this many days.
JOINED_MIN, PARENTS_MIN, QUIET_DAYS = 80, 50, 7
LAST_MESSAGE_REACH = 90


def stats_scope(user, organisation: Organisation) -> list[int] | None:
    """None: the whole organisation (administrators, leaders); else the ids of the classes the user may see the
    statistics of (curators). Anyone else is refused."""
    if user.has_perm("orgs.view_statistics", organisation):
        return None
    classes = Group.objects.filter(organisation=organisation, kind=Group.Kind.CLASS)
    ids = list(
        get_objects_for_user(user, "orgs.view_group_statistics", klass=classes, accept_global_perms=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        raise PermissionDenied
    return ids


@dataclass
class Freshness:
    last_day: date | None
    updated_at: datetime | None
    stale: bool
    expected_day: date
    updated_today: bool = False


def freshness(organisation: Organisation, now: datetime | None = None) -> Freshness:
    now = now or timezone.now()
    ids = [ind.id for ind in indicators()]
    last_day, updated = selectors.fill_state(organisation_id=organisation.pk, indicator_ids=ids)
    expected = expected_last_day(organisation.time_zone, now)
    today = False
    if updated is not None:
        updated = updated.astimezone(ZoneInfo(organisation.time_zone))
        today = updated.date() == local_day(now, organisation.time_zone)
    return Freshness(last_day, updated, last_day is None or last_day < expected, expected, today)


def report_day(organisation: Organisation, fresh: Freshness) -> date:
    """The day the figures are read for: the last one filled, or yesterday while nothing is."""
    return fresh.last_day or local_day(timezone.now(), organisation.time_zone) - timedelta(days=1)


def share(part: int, whole: int) -> int | None:
    """A whole percentage, halves rounded up (82.5 % is 83 %, as a reader would round it)."""
    return (200 * part + whole) // (2 * whole) if whole else None


@dataclass
class Headline:
    key: str
    label: str
    active: int
    registered: int
    share: int | None
    target: int
    previous: int | None

    @property
    def met(self) -> bool:
        return self.share is not None and self.share >= self.target

    @property
    def change(self) -> int | None:
        return None if self.share is None or self.previous is None else self.share - self.previous

    @property
    def change_abs(self) -> int | None:
        return None if self.change is None else abs(self.change)


def headlines(organisation: Organisation, day: date, targets: dict[str, int] | None = None) -> list[Headline]:
    """Weekly active people of each role as a share of those registered, on the day and a week before, against the
    targets in force for the organisation (read in one query unless given)."""
    if targets is None:
        from .targets import organisation_targets  # it reads TARGETS from this module

        targets = {key: target.value for key, target in organisation_targets(organisation).items()}
    before = day - timedelta(days=7)
    counts = selectors.org_counts(
        organisation_id=organisation.pk, indicator_ids=(ACTIVE, COVERAGE), first=before, last=day
    )

    def value(indicator, subgroup, on):
        return counts.get((indicator, subgroup), {}).get(on, 0)

    result = []
    for key, role, _default, label in TARGETS:
        target = targets[key]
        active, registered = value(ACTIVE, f"wau.{role}", day), value(COVERAGE, f"members.{role}", day)
        previous = share(value(ACTIVE, f"wau.{role}", before), value(COVERAGE, f"members.{role}", before))
        result.append(Headline(key, label, active, registered, share(active, registered), target, previous))
    return result


def _counts(organisation, group_ids, ids, first, last) -> dict:
    if group_ids is None:
        return selectors.org_counts(organisation_id=organisation.pk, indicator_ids=ids, first=first, last=last)
    return selectors.class_counts(
        organisation_id=organisation.pk, group_ids=group_ids, indicator_ids=ids, first=first, last=last
    )


def _summed(counts: dict, indicator: str, prefix: str, day: date) -> int:
    return sum(v.get(day, 0) for (ind, sub), v in counts.items() if ind == indicator and sub.startswith(prefix))


def daily(organisation: Organisation, group_ids, first: date, last: date) -> list[dict]:
    """The indicators of each day of the period for the scope (the API's rows, the charts' data)."""
    counts = _counts(organisation, group_ids, (ACTIVE, COVERAGE, ACTIVITY, INVITES, REQUESTS), first, last)

    def get(indicator, subgroup, day):
        return counts.get((indicator, subgroup), {}).get(day, 0)

    rows = []
    for day in days_between(first, last):
        messages, trivial = get(ACTIVITY, "messages", day), get(ACTIVITY, "messages.trivial", day)
        row = {
            "day": day,
            "messages": messages - trivial,
            "messages_trivial": trivial,
            "joined_by_link": _summed(counts, INVITES, "redeemed.", day),
            "students_active_1d": get(ACTIVE, "dau.student", day),
            "students_active_7d": get(ACTIVE, "wau.student", day),
        }
        if group_ids is None:
            row["joined_by_request"] = _summed(counts, REQUESTS, "approved.", day)
            for role in ROLES:
                row[f"{role}s_registered"] = get(COVERAGE, f"members.{role}", day)
                row[f"{role}s_active_1d"] = get(ACTIVE, f"dau.{role}", day)
                row[f"{role}s_active_7d"] = get(ACTIVE, f"wau.{role}", day)
        else:
            row["students_joined"] = get(COVERAGE, "students.joined", day)
            row["students_with_parent"] = get(COVERAGE, "students.with_parent", day)
        rows.append(row)
    return rows


def charts(rows: list[dict], whole_organisation: bool) -> list:
    days = [row["day"] for row in rows]

    def column(key):
        return [row.get(key, 0) for row in rows]

    roles = ROLES if whole_organisation else ("student",)
    active = [Series(ROLE_LABELS[r].capitalize(), column(f"{r}s_active_1d"), additive=False) for r in roles]
    joins = [Series("По ссылкам-приглашениям", column("joined_by_link"))]
    if whole_organisation:
        joins.append(Series("По одобренным заявкам", column("joined_by_request")))
    return [
        line_chart("active", "Активные за день по ролям", days, active),
        line_chart(
            "messages",
            "Сообщения за день",
            days,
            [
                Series("Содержательные", column("messages")),
                Series("Малосодержательные (эмодзи, одно слово, повтор)", column("messages_trivial")),
            ],
        ),
        line_chart("joins", "Вступления за день", days, joins),
    ]


@dataclass
class ClassRow:
    group_id: int
    name: str
    joined: int
    planned: int | None
    with_parent: int
    class_chat: bool
    parents_chat: bool
    active_7d: int
    last_meaningful: date | None
    weak: set[str] = field(default_factory=set)

    @property
    def joined_share(self) -> int | None:
        return share(self.joined, self.planned) if self.planned else None

    @property
    def parents_share(self) -> int | None:
        return share(self.with_parent, self.joined)


def class_rows(organisation: Organisation, group_ids, day: date) -> list[ClassRow]:
    """Each class of the scope on the day, weak spots marked; sorted by name."""
    values = selectors.class_day_values(
        organisation_id=organisation.pk, group_ids=group_ids, indicator_ids=(COVERAGE, ACTIVE), day=day
    )
    last = selectors.last_meaningful_days(
        organisation_id=organisation.pk, group_ids=group_ids, first=day - timedelta(days=LAST_MESSAGE_REACH), last=day
    )
    names = selectors.class_names(organisation_id=organisation.pk, group_ids=values.keys())
    rows = []
    for group_id, v in values.items():
        if group_id not in names or (COVERAGE, "students.joined") not in v:
            continue
        row = ClassRow(
            group_id=group_id,
            name=names[group_id],
            joined=v.get((COVERAGE, "students.joined"), 0),
            planned=v.get((COVERAGE, "students.planned")),
            with_parent=v.get((COVERAGE, "students.with_parent"), 0),
            class_chat=bool(v.get((COVERAGE, "chat.class"))),
            parents_chat=bool(v.get((COVERAGE, "chat.parents"))),
            active_7d=v.get((ACTIVE, "wau.student"), 0),
            last_meaningful=last.get(group_id),
        )
        row.weak = weak_spots(row, day)
        rows.append(row)
    return sorted(rows, key=lambda r: (len(r.name), r.name))


def weak_spots(row: ClassRow, day: date) -> set[str]:
    weak = set()
    if row.joined_share is not None and row.joined_share < JOINED_MIN:
        weak.add("joined")
    if row.parents_share is None or row.parents_share < PARENTS_MIN:
        weak.add("parents")
    if not row.class_chat:
        weak.add("class_chat")
    if not row.parents_chat:
        weak.add("parents_chat")
    if row.last_meaningful is None or row.last_meaningful <= day - timedelta(days=QUIET_DAYS):
        weak.add("quiet")
    return weak
