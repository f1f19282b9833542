"""What the dashboard and its API show, built from the statistics tables only (through selectors): the freshness of
the data, the weekly-active headline against the regional targets, the daily series, the per-class table.

A scope is the whole organisation (group_ids None) or the classes a curator may see; the number of queries does not
depend on the number of classes or days."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Group, Membership, Organisation
from orgs.rights import groups_with_right

from . import selectors
from .charts import Series, line_chart
from .collectors.events import DECISION_HOURS
from .days import days_between, local_day
from .permissions import can_view_statistics
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
# Weak spots of a class (issue «слабые места»): fewer than JOINED_MIN % of the planned size joined, no parents'
# chat, no meaningful message for QUIET_DAYS days, an unverified curator. PARENTS_MIN (students with a parent on the
# portal) and a missing class chat are extra marks, shown apart.
JOINED_MIN, PARENTS_MIN, QUIET_DAYS = 50, 50, 14
CURATORS = "curators.v1"
LAST_MESSAGE_REACH = 90


def stats_scope(user, organisation: Organisation) -> list[int] | None:
    """None: the whole organisation (administrators, leaders); else the ids of the classes the user may see the
    statistics of (curators). Anyone else is refused."""
    if can_view_statistics(user, organisation):
        return None
    classes = Group.objects.filter(organisation=organisation, kind=Group.Kind.CLASS)
    ids = list(groups_with_right(user, "view_group_statistics", classes).order_by("pk").values_list("pk", flat=True))
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
    # Those of them who wrote or voted (≥ 1 message that is not trivial) in the same 7 days.
    taking_part: int = 0

    @property
    def taking_part_share(self) -> int | None:
        return share(self.taking_part, self.registered)

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
        taking_part = value(ACTIVE, f"wau.{role}.took_part", day)
        result.append(
            Headline(key, label, active, registered, share(active, registered), target, previous, taking_part)
        )
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
    has_curator: bool = True
    curator_unverified: bool = False
    weak: set[str] = field(default_factory=set)
    # Marks beyond the weak spots the issue defines: few parents on the portal, no class chat.
    extra: set[str] = field(default_factory=set)

    @property
    def joined_share(self) -> int | None:
        return share(self.joined, self.planned) if self.planned else None

    @property
    def parents_share(self) -> int | None:
        return share(self.with_parent, self.joined)


def class_rows(organisation: Organisation, group_ids, day: date) -> list[ClassRow]:
    """Each class of the scope on the day, weak spots marked; sorted by name."""
    values = selectors.class_day_values(
        organisation_id=organisation.pk, group_ids=group_ids, indicator_ids=(COVERAGE, ACTIVE, CURATORS), day=day
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
            has_curator=bool(v.get((COVERAGE, "curator"))),
            curator_unverified=bool(v.get((CURATORS, "curator.unverified"))),
        )
        row.weak = weak_spots(row, day)
        row.extra = extra_marks(row)
        rows.append(row)
    return sorted(rows, key=lambda r: (len(r.name), r.name))


def weak_spots(row: ClassRow, day: date) -> set[str]:
    """The weak spots of the issue: under 50 % of the planned size joined (exactly: 12 of 25 is, 50 % is not), no
    parents' chat of ≥ 2 members, no meaningful message in the 14 days up to the day (the last one 14 days before
    is too old, 13 days before is not), a curator who is not a verified teacher."""
    weak = set()
    if row.planned and 100 * row.joined < JOINED_MIN * row.planned:
        weak.add("joined")
    if not row.parents_chat:
        weak.add("parents_chat")
    if row.last_meaningful is None or row.last_meaningful <= day - timedelta(days=QUIET_DAYS):
        weak.add("quiet")
    if row.curator_unverified:
        weak.add("curator_unverified")
    return weak


def extra_marks(row: ClassRow) -> set[str]:
    """Marks shown apart from the weak spots: parents on the portal for under half the students, no class chat, no
    curator."""
    extra = set()
    if not row.joined or 100 * row.with_parent < PARENTS_MIN * row.joined:
        extra.add("parents")
    if not row.class_chat:
        extra.add("class_chat")
    if not row.has_curator:
        extra.add("no_curator")
    return extra


# --- The invite funnel, join requests and moderation over a period ---------------------------------------------

PENDING, MODERATION, REFUSALS = "join_requests_pending.v1", "moderation.v1", "content_refusals.v1"
FUNNEL_STEPS = ("created", "redeemed", "expired", "revoked", "annulled")
# The steps the collectors also count per class (what a curator's funnel of their classes can show).
CLASS_FUNNEL_STEPS = ("created", "redeemed")
# The roles a class's links are for (staff links are the organisation's).
CLASS_INVITE_ROLES = ("student", "parent")
# Invite roles as the collectors name them (invites.InviteRole): "teacher" is staff and teachers.
INVITE_ROLES = (("teacher", _("Педагоги и сотрудники")), ("student", _("Обучающиеся")), ("parent", _("Родители")))
PENDING_OLD_DAYS = 3


@dataclass
class FunnelRow:
    role: str
    label: str
    # step → count; None where the scope has no such count (a curator's classes: only created and redeemed).
    counts: dict[str, int | None]

    @property
    def ordered(self) -> list[int | None]:
        return [self.counts[step] for step in FUNNEL_STEPS]


@dataclass
class InviteWeek:
    first: date
    last: date
    created: int
    joined: int

    @property
    def conversion(self) -> int | None:
        """Joins by link of the week per link created that week, %: a class link may let many in, so it may
        exceed 100 %."""
        return share(self.joined, self.created)


@dataclass
class JoinRequests:
    # None for a curator's classes: requests are counted per class only while they wait.
    created: int | None
    approved: int | None
    rejected: int | None
    pending: int
    pending_old: int | None
    # Upper bounds (hours) of the histogram buckets holding the median and the 90th percentile of the times to
    # decide; None with decided > 0 means beyond the last bound.
    median: int | None
    p90: int | None

    @property
    def decided(self) -> int:
        return (self.approved or 0) + (self.rejected or 0)

    @property
    def last_bound(self) -> int:
        """The histogram's last bound: a quantile beyond it reads «больше N ч»."""
        return DECISION_HOURS[-1]


@dataclass
class Period:
    first: date
    last: date
    funnel: list[FunnelRow]
    funnel_total: dict[str, int | None]
    weeks: list[InviteWeek]
    requests: JoinRequests
    reports_filed: int | None
    reports_resolved: int | None
    # Texts the content rules refused (counted for the whole organisation, not per class).
    refused: int | None

    @property
    def funnel_total_ordered(self) -> list[int | None]:
        return [self.funnel_total[step] for step in FUNNEL_STEPS]


def invite_weeks(first: date, last: date) -> list[tuple[date, date]]:
    """Whole 7-day weeks ending with the last day, oldest first, as many as fit in the period."""
    weeks = []
    end = last
    while end - timedelta(days=6) >= first:
        weeks.append((end - timedelta(days=6), end))
        end -= timedelta(days=7)
    return weeks[::-1]


def period_summary(organisation: Organisation, group_ids, first: date, last: date) -> Period:
    """The invite funnel by role, each week's conversion of links into joins, join requests with the times to
    decide, and moderation, for the days first..last of the scope, in one query. A curator's scope has only what
    is counted per class: links created and used for their classes, requests waiting for them."""
    whole = group_ids is None
    counts = _counts(organisation, group_ids, (INVITES, REQUESTS, PENDING, MODERATION, REFUSALS), first, last)
    totals: dict[tuple[str, str], int] = {key: sum(days.values()) for key, days in counts.items()}

    def total(indicator: str, prefix: str) -> int:
        return sum(v for (ind, sub), v in totals.items() if ind == indicator and sub.startswith(prefix))

    steps = FUNNEL_STEPS if whole else CLASS_FUNNEL_STEPS
    funnel = [
        FunnelRow(
            role,
            label,
            {step: totals.get((INVITES, f"{step}.{role}"), 0) if step in steps else None for step in FUNNEL_STEPS},
        )
        for role, label in INVITE_ROLES
        if whole or role in CLASS_INVITE_ROLES
    ]
    funnel_total = {step: total(INVITES, f"{step}.") if step in steps else None for step in FUNNEL_STEPS}
    weeks = [
        InviteWeek(
            start,
            end,
            created=sum(_summed(counts, INVITES, "created.", day) for day in days_between(start, end)),
            joined=sum(_summed(counts, INVITES, "redeemed.", day) for day in days_between(start, end)),
        )
        for start, end in invite_weeks(first, last)
    ]

    def pending_on_last(prefix: str) -> int:
        return sum(v.get(last, 0) for (ind, sub), v in counts.items() if ind == PENDING and sub.startswith(prefix))

    decided = {sub: v for (ind, sub), v in totals.items() if ind == REQUESTS and sub.startswith("decided.")}
    quantiles = selectors.histogram_quantiles(decided)
    requests = JoinRequests(
        created=total(REQUESTS, "created.") if whole else None,
        approved=total(REQUESTS, "approved.") if whole else None,
        rejected=total(REQUESTS, "rejected.") if whole else None,
        pending=sum(pending_on_last(f"pending.{role}") for role, _label in INVITE_ROLES)
        if whole
        else pending_on_last("pending"),
        pending_old=pending_on_last("pending.over_3_days") if whole else None,
        median=quantiles[0.5],
        p90=quantiles[0.9],
    )
    return Period(
        first,
        last,
        funnel,
        funnel_total,
        weeks,
        requests,
        reports_filed=total(MODERATION, "filed.") if whole else None,
        reports_resolved=total(MODERATION, "resolved.") if whole else None,
        refused=total(REFUSALS, "rule.") if whole else None,
    )


# --- Active users by role: present and taking part, daily / weekly / monthly ------------------------------------

WINDOWS = (("dau", _("за день")), ("wau", _("за 7 дней")), ("mau", _("за 30 дней")))


@dataclass
class Active:
    count: int
    share: int | None


@dataclass
class ActiveRow:
    role: str
    label: str
    registered: int
    # window ("dau", "wau", "mau") → people; taking part is None where the scope does not count it (classes).
    present: dict[str, Active]
    taking_part: dict[str, Active] | None

    @property
    def columns(self) -> list[tuple[Active, Active | None]]:
        """(present, taking part) of each window in the order of WINDOWS, for the table."""
        return [(self.present[w], self.taking_part[w] if self.taking_part else None) for w, _ in WINDOWS]


def active_users(organisation: Organisation, group_ids, day: date) -> list[ActiveRow]:
    """Distinct people of each role active on the day, in the 7 and in the 30 days up to it, as a share of those
    registered in the role: present (opened the portal) and taking part (wrote or voted). A curator's classes:
    their students present, against the students placed in them. One query."""
    counts = _counts(organisation, group_ids, (ACTIVE, COVERAGE), day, day)

    def get(indicator, subgroup):
        return counts.get((indicator, subgroup), {}).get(day, 0)

    if group_ids is not None:
        joined = get(COVERAGE, "students.joined")
        present = {
            w: Active(get(ACTIVE, f"{w}.student"), share(get(ACTIVE, f"{w}.student"), joined)) for w, _ in WINDOWS
        }
        return [ActiveRow("student", _("Обучающиеся"), joined, present, None)]
    rows = []
    for role, label in INVITE_ROLES:
        registered = get(COVERAGE, f"members.{role}")

        def cell(subgroup, registered=registered):
            return Active(get(ACTIVE, subgroup), share(get(ACTIVE, subgroup), registered))

        rows.append(
            ActiveRow(
                role,
                label,
                registered,
                {w: cell(f"{w}.{role}") for w, _ in WINDOWS},
                {w: cell(f"{w}.{role}.took_part") for w, _ in WINDOWS},
            )
        )
    return rows


# --- Coverage snapshot of the organisation ---------------------------------------------------------------------


@dataclass
class StaffPosition:
    position: str
    label: str  # lazy: read in the reader's language
    registered: int
    verified: int


@dataclass
class Coverage:
    positions: list[StaffPosition]
    headcount: int | None
    students: int
    students_placed: int
    students_with_parent: int
    parents: int
    classes: int
    classes_without_curator: int
    classes_curator_unverified: int
    teachers_unverified_over_3_days: int

    @property
    def staff_registered(self) -> int:
        return sum(p.registered for p in self.positions)

    @property
    def staff_verified(self) -> int:
        return sum(p.verified for p in self.positions)

    @property
    def registered_share(self) -> int | None:
        return share(self.staff_registered, self.headcount or 0)

    @property
    def verified_share(self) -> int | None:
        return share(self.staff_verified, self.headcount or 0)

    @property
    def with_parent_share(self) -> int | None:
        return share(self.students_with_parent, self.students_placed)

    @property
    def parents_per_student(self) -> float | None:
        """Registered parents per registered student, to one decimal (1.4: some students have two)."""
        return round(self.parents / self.students, 1) if self.students else None


def coverage(organisation: Organisation, day: date) -> Coverage:
    """Who is on the portal at the end of the day: staff by position (registered, verified) against the headcount
    the administrator entered in the profile, students with a parent, parents per student, classes without a
    curator or with an unverified one, teachers waiting for verification over 3 days. One query."""
    counts = selectors.org_counts(
        organisation_id=organisation.pk, indicator_ids=(COVERAGE, CURATORS), first=day, last=day
    )

    def get(indicator, subgroup):
        return counts.get((indicator, subgroup), {}).get(day, 0)

    labels = dict(Membership.Position.choices)
    positions = [
        StaffPosition(
            position,
            labels[position] if position else _("должность не указана"),
            get(COVERAGE, f"staff.registered.{position or 'none'}"),
            get(COVERAGE, f"staff.verified.{position or 'none'}"),
        )
        for position in [*(p for p in labels if p), ""]
    ]
    return Coverage(
        positions=[p for p in positions if p.registered],
        headcount=organisation.staff_headcount,
        students=get(COVERAGE, "members.student"),
        students_placed=get(COVERAGE, "students.joined"),
        students_with_parent=get(COVERAGE, "students.with_parent"),
        parents=get(COVERAGE, "members.parent"),
        classes=get(COVERAGE, "classes"),
        classes_without_curator=get(COVERAGE, "classes.without_curator"),
        classes_curator_unverified=get(CURATORS, "classes.curator_unverified"),
        teachers_unverified_over_3_days=get(COVERAGE, "teachers.unverified_over_3_days"),
    )
