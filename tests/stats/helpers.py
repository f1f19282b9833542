"""A small organisation with a past: people, a class, its chats, dated as of chosen local days."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from chats.models import Chat, ChatMember
from orgs.models import Group, Membership, Organisation, ParentLink, Placement
from stats.days import day_start, local_day
from stats.models import ClassDayCount, OrgDayCount, UserDay
from stats.tasks import build_monthly_reports
from tests.factories import ClassFactory, OrganisationFactory, UserFactory

Role = Membership.Role


def first_day(time_zone: str, days_back: int = 8) -> date:
    return local_day(timezone.now(), time_zone) - timedelta(days=days_back)


def at(organisation: Organisation, day: date, minute: int = 0) -> datetime:
    """The instant `minute` minutes after the organisation's local midnight of `day`."""
    return day_start(day, organisation.time_zone) + timedelta(minutes=minute)


@dataclass
class World:
    organisation: Organisation
    start: date
    group: Group
    class_chat: Chat
    parents_chat: Chat
    teacher: object
    students: list = field(default_factory=list)
    parents: list = field(default_factory=list)


def organisation_since(time_zone: str, start: date, **fields) -> Organisation:
    organisation = OrganisationFactory(time_zone=time_zone, **fields)
    organisation.created_at = day_start(start, time_zone)
    Organisation.objects.filter(pk=organisation.pk).update(created_at=organisation.created_at)
    return organisation


def join(organisation, user, role, since: datetime, **fields) -> Membership:
    return Membership.objects.create(organisation=organisation, user=user, role=role, valid_from=since, **fields)


def world(time_zone: str = "Asia/Irkutsk", *, students: int = 3, start: date | None = None) -> World:
    """A class with a verified curator, `students` students (each with a parent) and its two chats, all in place
    from the local midnight of `start` (eight days ago by default)."""
    start = start or first_day(time_zone)
    organisation = organisation_since(time_zone, start)
    since = day_start(start, time_zone)
    group = ClassFactory(organisation=organisation, expected_size=25)
    Group.objects.filter(pk=group.pk).update(created_at=since)
    teacher = UserFactory()
    join(organisation, teacher, Role.TEACHER, since, position="teacher", verification="verified", verified_at=since)
    class_chat = Chat.objects.create(organisation=organisation, kind="class", title="5А", group=group, created_at=since)
    parents_chat = Chat.objects.create(
        organisation=organisation, kind="class_parents", title="5А родители", group=group, created_at=since
    )
    w = World(organisation, start, group, class_chat, parents_chat, teacher)
    for chat in (class_chat, parents_chat):
        ChatMember.objects.create(chat=chat, user=teacher, role="owner", joined_at=since)
    for _ in range(students):
        add_student(w, since)
    return w


def add_student(w: World, since: datetime, *, parent=True):
    student = UserFactory()
    join(w.organisation, student, Role.STUDENT, since)
    Placement.objects.create(organisation=w.organisation, student=student, group=w.group, valid_from=since)
    ChatMember.objects.create(chat=w.class_chat, user=student, joined_at=since)
    w.students.append(student)
    if parent:
        grown_up = UserFactory()
        join(w.organisation, grown_up, Role.PARENT, since)
        ParentLink.objects.create(organisation=w.organisation, parent=grown_up, child=student, valid_from=since)
        ChatMember.objects.create(chat=w.parents_chat, user=grown_up, joined_at=since)
        w.parents.append(grown_up)
    return student


def table_state(organisation_ids=None) -> dict:
    """Everything the statistics tables hold, as comparable sets."""
    org_rows = OrgDayCount.objects.all()
    class_rows = ClassDayCount.objects.all()
    user_rows = UserDay.objects.all()
    if organisation_ids is not None:
        org_rows = org_rows.filter(organisation_id__in=organisation_ids)
        class_rows = class_rows.filter(organisation_id__in=organisation_ids)
        user_rows = user_rows.filter(organisation_id__in=organisation_ids)
    return {
        "org": set(org_rows.values_list("organisation_id", "indicator", "day", "subgroup", "value")),
        "class": set(class_rows.values_list("group_id", "indicator", "day", "subgroup", "value")),
        "users": set(user_rows.values_list("organisation_id", "user_id", "day", "roles", "present", "took_part")),
    }


def value(organisation, indicator: str, day: date, subgroup: str) -> int:
    row = OrgDayCount.objects.filter(organisation=organisation, indicator=indicator, day=day, subgroup=subgroup).first()
    return row.value if row else 0


def stored_bytes(report) -> bytes:
    """The bytes of a stored monthly report's file."""
    with report.file.storage.open(report.file.name, "rb") as handle:
        return handle.read()


def run_job_at(monkeypatch, instant: datetime, capture) -> int:
    """The monthly reports job run through Celery as if the clock said `instant`; what it returns."""
    monkeypatch.setattr(timezone, "now", lambda: instant)
    with capture(execute=True):
        return build_monthly_reports.delay().get()
