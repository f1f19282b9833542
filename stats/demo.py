"""A believable past for the demo organisations, so that the statistics have something to show: people joined
over the first weeks, teachers were verified a few days after joining, chats were talked in on school days more
than on weekends, people opened the portal. Then the statistics are filled for those days.

Rows are written directly (bulk), dated in the past: this is history, not actions of today. A second run finds
the organisation already dated back and adds nothing.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from chats.models import Chat, ChatMember, Message, Report
from chats.repeats import REPEAT_WINDOW, repeats_recount
from chats.text import describe
from invites.models import JoinRequest
from orgs.demo_data import COLLEGE, SCHOOL
from orgs.models import CuratorAssignment, Group, Membership, Organisation, ParentLink, Placement, TeachingAssignment
from orgs.selectors import administrators
from policies.models import ContentRefusalCount

from .days import day_start, days_between, local_day
from .models import Presence
from .services.fill import stats_backfill

HISTORY_DAYS = 90
Role = Membership.Role

TEXTS = {
    "class": [
        "Ребята, завтра контрольная по математике, повторите дроби.",
        "Кто знает, что задали по русскому?",
        "Упражнение 145 и правило на странице 62.",
        "Не забудьте сменную обувь и форму на физкультуру.",
        "Экскурсия переносится на четверг, сбор в 9:00 у школы.",
        "Фото расписания на следующую неделю выложу вечером.",
    ],
    "class_parents": [
        "Уважаемые родители, родительское собрание в пятницу в 18:30, кабинет 12.",
        "Подскажите, до какого числа сдавать деньги на экскурсию?",
        "Спасибо за организацию праздника, детям очень понравилось!",
        "Завтра уроки до 13:10, продлёнки не будет.",
        "Напоминаю про медосмотр в среду, нужна сменная обувь.",
    ],
    "class_teachers": [
        "Коллеги, просьба выставить оценки за четверть до пятницы.",
        "У 5А в среду замена по истории, урок проведу я.",
        "Обсудим успеваемость класса на совещании во вторник.",
    ],
    "subject": [
        "Презентация к уроку в прикреплённой папке, посмотрите до четверга.",
        "Домашнее задание: параграф 12, вопросы 1–4.",
        "Кто не сдал проект, принесите до понедельника.",
    ],
    "other": [
        "Обсуждаем подготовку к празднику: кто может помочь с украшением зала?",
        "Репетиция в субботу в 11:00 в актовом зале.",
    ],
}
STAFF_TEXTS = [
    "Коллеги, график дежурств на следующую неделю утверждён.",
    "Педсовет переносится на 15:30.",
    "Просьба сдать отчёты по успеваемости до конца недели.",
]
TRIVIAL = ["👍", "Спасибо!", "Хорошо", "+", "Ок", "🙏", "Понятно, спасибо 👍"]
# Share of people who joined but hardly ever come back, by role; the others come on a school day with a
# likelihood of their own, so that weekly activity lands near the regional targets rather than at 100 %.
DORMANT = {Role.ADMIN: 0.0, Role.TEACHER: 0.1, Role.STUDENT: 0.35, Role.PARENT: 0.45}


@dataclass
class HistoryReport:
    organisations: int = 0
    messages: int = 0
    presence: int = 0
    join_requests: int = 0
    reports: int = 0
    refusals: int = 0
    buckets: int = 0


def demo_history_load(*, days: int = HISTORY_DAYS, now: datetime | None = None) -> HistoryReport:
    """Give each demo organisation `days` days of history and fill its statistics; nothing on a second run."""
    now = now or timezone.now()
    report = HistoryReport()
    for spec in (SCHOOL, COLLEGE):
        organisation = Organisation.objects.filter(full_name=spec.profile["full_name"]).first()
        if organisation is None:
            continue
        start = local_day(now, organisation.time_zone) - timedelta(days=days)
        if organisation.created_at <= day_start(start, organisation.time_zone):
            continue  # dated back by an earlier run
        rng = random.Random(organisation.full_name)
        with transaction.atomic():
            joined = _date_back(organisation, start, now, rng)
            keen = _engagement(organisation, rng)
            messages = _messages(organisation, start, now, joined, keen, rng)
            report.messages += len(messages)
            report.presence += _presence(organisation, start, now, joined, keen, rng)
            # Their own draws: the requests do not change when the demo gains a chat (and more messages).
            report.join_requests += _join_requests(organisation, joined, now, seed=f"{organisation.full_name}:requests")
            report.reports += _reports(organisation, messages, now, rng)
            report.refusals += _refusals(organisation, start, now, seed=f"{organisation.full_name}:refusals")
        yesterday = local_day(now, organisation.time_zone) - timedelta(days=1)
        filled = stats_backfill(first=start, last=yesterday, organisation_ids=[organisation.pk], now=now)
        report.buckets += filled.buckets
        report.organisations += 1
    return report


def _school_day(day: date) -> float:
    return {5: 0.35, 6: 0.2}.get(day.weekday(), 1.0)


def _date_back(organisation: Organisation, start: date, now: datetime, rng: random.Random) -> dict[int, datetime]:
    """Spread the joining of the current members over the first weeks; returns when each person joined."""
    tz = organisation.time_zone
    opened = day_start(start, tz) + timedelta(hours=9)
    Organisation.objects.filter(pk=organisation.pk).update(created_at=day_start(start, tz))
    organisation.created_at = day_start(start, tz)
    Group.objects.filter(organisation=organisation).update(created_at=opened)
    joined: dict[int, datetime] = {}

    def spread(within_days: int) -> datetime:
        # More people early than late: the square of a uniform draw leans to the start.
        return opened + timedelta(days=within_days * rng.random() ** 2, minutes=rng.randint(0, 600))

    memberships = list(Membership.objects.filter(organisation=organisation, valid_to__isnull=True).order_by("pk"))
    for m in memberships:
        if m.role == Role.ADMIN or m.position in (Membership.Position.DIRECTOR, Membership.Position.DEPUTY):
            when = opened
        elif m.role == Role.TEACHER and m.verification == Membership.Verification.PENDING:
            when = now - timedelta(days=rng.randint(2, 9))
        else:
            when = spread(20 if m.role == Role.TEACHER else 60)
        joined[m.user_id] = min(joined.get(m.user_id, when), when)
    for link in ParentLink.objects.filter(organisation=organisation, valid_to__isnull=True):
        joined[link.parent_id] = max(joined[link.parent_id], joined.get(link.child_id, opened))
    for m in memberships:
        m.valid_from = joined[m.user_id]
        if m.verification == Membership.Verification.VERIFIED:
            m.verified_at = min(m.valid_from + timedelta(hours=rng.randint(2, 96)), now)
    Membership.objects.bulk_update(memberships, ["valid_from", "verified_at"])
    for model, person in ((Placement, "student_id"), (ParentLink, "parent_id")):
        rows = list(model.objects.filter(organisation=organisation, valid_to__isnull=True))
        for row in rows:
            row.valid_from = joined.get(getattr(row, person), opened)
        model.objects.bulk_update(rows, ["valid_from"])
    for model in (CuratorAssignment, TeachingAssignment):
        model.objects.filter(organisation=organisation, valid_to__isnull=True).update(valid_from=opened)
    Chat.objects.filter(organisation=organisation).update(created_at=opened)
    members = list(ChatMember.objects.filter(chat__organisation=organisation, left_at__isnull=True))
    for member in members:
        member.joined_at = max(joined.get(member.user_id, opened), opened)
    ChatMember.objects.bulk_update(members, ["joined_at"])
    return joined


def _engagement(organisation: Organisation, rng: random.Random) -> dict[int, float]:
    """How likely each person is to come on a school day (0 for those who joined and went quiet)."""
    roles = dict(
        Membership.objects.filter(organisation=organisation, valid_to__isnull=True)
        .order_by("user_id", "-role")
        .values_list("user_id", "role")
    )
    return {
        user_id: 0.0 if rng.random() < DORMANT[role] else 0.2 + 0.75 * rng.random() ** 1.5
        for user_id, role in roles.items()
    }


def _messages(
    organisation: Organisation, start: date, now: datetime, joined, keen, rng: random.Random
) -> list[Message]:
    tz = organisation.time_zone
    chats = list(Chat.objects.filter(organisation=organisation, is_archived=False).order_by("pk"))
    members = {}
    for chat_id, user_id in ChatMember.objects.filter(chat__in=chats, left_at__isnull=True).values_list(
        "chat_id", "user_id"
    ):
        members.setdefault(chat_id, []).append(user_id)
    last = local_day(now, tz) - timedelta(days=1)
    messages = []
    for n, day in enumerate(days_between(start, last)):
        growth = min(1.0, 0.25 + n / 45)
        for chat in chats:
            pool = TEXTS.get(chat.kind, STAFF_TEXTS)
            for _ in range(rng.randint(0, round(3 * growth * _school_day(day)))):
                when = day_start(day, tz) + timedelta(minutes=rng.randint(7 * 60 + 30, 22 * 60))
                authors = [u for u in members.get(chat.pk, []) if joined.get(u, when) < when and keen.get(u)]
                if not authors:
                    continue
                author = rng.choices(authors, weights=[keen[u] ** 2 for u in authors])[0]
                text = rng.choice(TRIVIAL) if rng.random() < 0.2 else rng.choice(pool)
                messages.append(Message(chat=chat, author_id=author, text=text, created_at=when))
    return Message.objects.bulk_create(messages, batch_size=500)


def _presence(organisation: Organisation, start: date, now: datetime, joined, keen, rng: random.Random) -> int:
    tz = organisation.time_zone
    marks = []
    for day in days_between(start, local_day(now, tz) - timedelta(days=1)):
        end = day_start(day + timedelta(days=1), tz)
        for user_id, likelihood in keen.items():
            if joined.get(user_id, end) < end and rng.random() < likelihood * _school_day(day):
                marks.append(Presence(organisation=organisation, user_id=user_id, day=day))
    Presence.objects.bulk_create(marks, batch_size=1000, ignore_conflicts=True)
    return len(marks)


# Share of the parents and students who came by a join request (the others by their class's invite link), and of
# those whose first request named the wrong class and was turned down.
BY_REQUEST = {Role.PARENT: 0.35, Role.STUDENT: 0.15}
WRONG_CLASS = 0.1
# One message in this many was reported; reports older than two days have been decided.
REPORTED_ONE_IN = 150
REPORT_REASONS = [Report.Reason.SPAM, Report.Reason.INAPPROPRIATE, Report.Reason.OTHER, Report.Reason.PERSONAL_DATA]


def _admin_of(organisation: Organisation) -> int | None:
    return administrators(organisation).order_by("pk").values_list("user_id", flat=True).first()


def _join_requests(organisation: Organisation, joined, now: datetime, *, seed: str) -> int:
    """Some parents and students joined by a request the administrator approved a few hours later (the decision
    is the moment they joined); a few first asked for the wrong class and were turned down.

    Each person's draws are their own (seeded by the person), so who asked does not depend on how many others
    joined before `now` — the time of day the demo is loaded. At least one of each role asked on a day before
    today when anyone of that role joined then: the dashboard's section on requests has a figure to show."""
    admin = _admin_of(organisation)
    today = day_start(local_day(now, organisation.time_zone), organisation.time_zone)
    opened = organisation.created_at + timedelta(hours=9)
    classes = dict(
        Placement.objects.filter(organisation=organisation, valid_to__isnull=True).values_list("student_id", "group_id")
    )
    children = dict(
        ParentLink.objects.filter(organisation=organisation, valid_to__isnull=True)
        .order_by("parent_id", "child_id")
        .values_list("parent_id", "child_id")
    )
    requests = []
    members = Membership.objects.filter(
        organisation=organisation, valid_to__isnull=True, role__in=list(BY_REQUEST)
    ).order_by("pk")
    eligible = [
        (user_id, role, joined[user_id], random.Random(f"{seed}:{user_id}"))
        for user_id, role in members.values_list("user_id", "role")
        if user_id in joined and opened + timedelta(hours=6) < joined[user_id] < now
    ]
    chosen = [(u, role, decided, rng) for u, role, decided, rng in eligible if rng.random() < BY_REQUEST[role]]
    for role in BY_REQUEST:
        past = [e for e in eligible if e[1] == role and e[2] < today]
        if past and not any(c[1] == role and c[2] < today for c in chosen):
            chosen.append(min(past, key=lambda e: e[2]))
    for user_id, role, decided, rng in chosen:
        child = children.get(user_id) if role == Role.PARENT else None
        group = classes.get(child if role == Role.PARENT else user_id)
        asked = max(decided - timedelta(minutes=rng.randint(20, 60 * 30)), opened)
        common = {"organisation": organisation, "user_id": user_id, "role": role, "group_id": group, "child_id": child}
        if rng.random() < WRONG_CLASS and asked - timedelta(hours=3) > opened:
            requests.append(
                JoinRequest(
                    **common,
                    status=JoinRequest.Status.REJECTED,
                    created_at=asked - timedelta(hours=rng.randint(3, 20)),
                    decided_at=asked - timedelta(hours=1),
                    decided_by_id=admin,
                    reason="В заявке указан другой класс: подайте заявку ещё раз, выбрав класс ребёнка.",
                )
            )
        requests.append(
            JoinRequest(**common, status=JoinRequest.Status.APPROVED, created_at=asked, decided_at=decided,
                        decided_by_id=admin)
        )  # fmt: skip
    JoinRequest.objects.bulk_create(requests, batch_size=500)
    return len(requests)


def _reports(organisation: Organisation, messages: list[Message], now: datetime, rng: random.Random) -> int:
    """A few messages were reported by another member of the chat; the administrator decided those older than two
    days within hours (dismissed mostly, some messages deleted); the newest wait in the moderation queue."""
    admin = _admin_of(organisation)
    members = {}
    in_chats = ChatMember.objects.filter(chat__organisation=organisation, left_at__isnull=True)
    for chat_id, user_id in in_chats.values_list("chat_id", "user_id"):
        members.setdefault(chat_id, []).append(user_id)
    reports, deleted = [], []
    for message in messages:
        if rng.randrange(REPORTED_ONE_IN):
            continue
        others = [u for u in members.get(message.chat_id, []) if u != message.author_id]
        if not others:
            continue
        filed = message.created_at + timedelta(minutes=rng.randint(5, 300))
        report = Report(
            organisation=organisation,
            chat_id=message.chat_id,
            message=message,
            reporter_id=rng.choice(others),
            reason=rng.choice(REPORT_REASONS),
            created_at=filed,
        )
        if filed < now - timedelta(days=2):
            report.resolved_by_id = admin
            report.resolved_at = filed + timedelta(minutes=rng.randint(30, 60 * 20))
            if rng.random() < 0.3:
                report.status = Report.Status.MESSAGE_DELETED
                report.resolution_note = "Сообщение удалено: не относится к учёбе."
                deleted.append((message.pk, report.resolved_at))
            else:
                report.status = Report.Status.DISMISSED
                report.resolution_note = "Нарушения нет."
        reports.append(report)
    Report.objects.bulk_create(reports, batch_size=500)
    empty_shape, empty_digest = describe("")
    for pk, when in deleted:  # the row stays as a marker, the text is gone (as chats' own deletion leaves it)
        Message.objects.filter(pk=pk).update(
            text="", text_shape=empty_shape, text_digest=empty_digest, deleted_at=when, deleted_by_id=admin
        )
    if deleted:  # a copy of a deleted text written within a day after it is no longer a repeat
        since = min(m.created_at for m in messages)
        until = max(m.created_at for m in messages) + REPEAT_WINDOW
        repeats_recount(Message, organisation_id=organisation.pk, since=since, until=until)
    return len(reports)


# What the content rules refused on a school day, now and then: (rule, place) and its weight.
REFUSALS = (
    ((ContentRefusalCount.Rule.FORBIDDEN_SERVICE, ContentRefusalCount.Place.MESSAGE), 6),
    ((ContentRefusalCount.Rule.FORBIDDEN_SERVICE, ContentRefusalCount.Place.EDIT), 1),
    ((ContentRefusalCount.Rule.PROFANITY, ContentRefusalCount.Place.MESSAGE), 3),
    ((ContentRefusalCount.Rule.FORBIDDEN_SERVICE, ContentRefusalCount.Place.CHAT_TITLE), 1),
)


def _refusals(organisation: Organisation, start: date, now: datetime, *, seed: str) -> int:
    """On about one school day in four someone tried to post a link to a forbidden messenger or a swear word and
    was refused: the per-day counts the content rules keep (the texts themselves are never kept). Each day's draws
    are its own (seeded by the day), and the last school day before today has a forbidden messenger's link when no
    day drew one: the section on refusals has a figure to show whatever the moment the demo is loaded."""
    kinds, weights = zip(*REFUSALS, strict=True)
    counts: dict[tuple, int] = {}
    days = list(days_between(start, local_day(now, organisation.time_zone) - timedelta(days=1)))
    for day in days:
        rng = random.Random(f"{seed}:{day.isoformat()}")
        if rng.random() >= 0.25 * _school_day(day):
            continue
        for _ in range(rng.randint(1, 3)):
            key = (day, *rng.choices(kinds, weights)[0])
            counts[key] = counts.get(key, 0) + 1
    school_days = [day for day in days if _school_day(day) == 1.0]
    if school_days and not any(rule == kinds[0][0] for _day, rule, _place in counts):
        key = (school_days[-1], *kinds[0])
        counts[key] = counts.get(key, 0) + 1
    ContentRefusalCount.objects.bulk_create(
        ContentRefusalCount(organisation=organisation, day=day, rule=rule, place=place, count=n)
        for (day, rule, place), n in counts.items()
    )
    return sum(counts.values())
