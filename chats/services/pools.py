"""Who a chat created by hand may hold, by its kind (and class), and the student-safety rules.

- a class's chat: the class's students, their parents and its teachers (the curator and those teaching in it);
- the director's chats: with deputies — the director and deputies; with teachers — the staff; with the parents'
  committee — the leaders, administrators and parents; with the student council — the staff and students;
- another chat without a class: staff and parents, never students;
- never one student alone with one adult: that would be a private conversation outside the class's chats.
"""

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import CuratorAssignment, Group, Membership, Organisation, ParentLink, Placement, TeachingAssignment
from orgs.permissions import LEADER_POSITIONS
from portal.exceptions import RuleViolation

from ..models import Chat

Kind = Chat.Kind
MAX_MEMBERS_AT_ONCE = 2000

# Who a chat may hold, by category: the director and deputies, administrators, other staff, parents, students.
LEADER, ADMIN, TEACHER, PARENT, STUDENT = "leader", "admin", "teacher", "parent", "student"
CATEGORY_ORDER = (LEADER, ADMIN, TEACHER, PARENT, STUDENT)
STAFF = {LEADER, ADMIN, TEACHER}
POOLS = {
    Kind.MGMT_DEPUTIES: {LEADER},
    Kind.MGMT_TEACHERS: STAFF,
    Kind.MGMT_PARENTS_COMMITTEE: {LEADER, ADMIN, PARENT},
    Kind.MGMT_STUDENT_COUNCIL: {*STAFF, STUDENT},
    Kind.OTHER: {*STAFF, PARENT},  # without a class; with a class the class decides
}
# Pre-selected when the creator picks nobody: the director with the deputies; the whole staff.
DEFAULTS = {Kind.MGMT_DEPUTIES: {LEADER}, Kind.MGMT_TEACHERS: STAFF}

PRIVATE_WITH_STUDENT = gettext_lazy(
    "Личная переписка педагога с обучающимся вне чатов класса не допускается. "
    "Добавьте в чат других участников класса или пишите в чате класса."
)


def _roles(organisation: Organisation, user_ids=None) -> dict[int, set[str]]:
    """Categories of the organisation's active members (those given, or everyone); rejected teachers have none."""
    rows = Membership.objects.filter(organisation=organisation, valid_to__isnull=True)
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role, position, verification in rows.values_list("user_id", "role", "position", "verification"):
        if role == Membership.Role.TEACHER:
            if verification != Membership.Verification.REJECTED:
                roles[user_id].add(LEADER if position in LEADER_POSITIONS else TEACHER)
        elif role == Membership.Role.ADMIN:
            roles[user_id].add(ADMIN)
        elif role in (PARENT, STUDENT):
            roles[user_id].add(role)
        roles.setdefault(user_id, set())
    return roles


def _class_people(group: Group) -> dict[int, set[str]]:
    """The class's students, their parents and its teachers (the curator and those teaching in it)."""
    people: dict[int, set[str]] = defaultdict(set)
    students = list(Placement.objects.filter(group=group, valid_to__isnull=True).values_list("student_id", flat=True))
    for user_id in students:
        people[user_id].add(STUDENT)
    for user_id in ParentLink.objects.filter(
        organisation_id=group.organisation_id, child_id__in=students, valid_to__isnull=True
    ).values_list("parent_id", flat=True):
        people[user_id].add(PARENT)
    teachers = set(
        TeachingAssignment.objects.filter(group=group, valid_to__isnull=True).values_list("teacher_id", flat=True)
    )
    teachers |= set(
        CuratorAssignment.objects.filter(group=group, valid_to__isnull=True).values_list("teacher_id", flat=True)
    )
    for user_id in teachers:
        people[user_id] |= {LEADER, TEACHER}
    return people


def member_pool(*, organisation: Organisation, kind: str, group: Group | None = None, user_ids=None) -> dict[int, str]:
    """Who a chat of this kind (for this class) may hold, as {user id: category}; only `user_ids` when given."""
    roles = _roles(organisation, user_ids)
    if group is not None:
        allowed = _class_people(group)
    else:
        wanted = POOLS.get(kind, set())
        allowed = {user_id: wanted for user_id in roles}
    pool = {}
    for user_id, user_roles in roles.items():
        usable = user_roles & allowed.get(user_id, set())
        if group is None and kind != Kind.MGMT_STUDENT_COUNCIL and STUDENT in user_roles:
            continue  # students are only in a class's chats and the student council
        category = next((c for c in CATEGORY_ORDER if c in usable), None)
        if category:
            pool[user_id] = category
    return pool


def default_member_ids(*, organisation: Organisation, kind: str) -> set[int]:
    """Who a management chat holds when the creator picks nobody: the director and deputies; the whole staff."""
    wanted = DEFAULTS.get(kind)
    if not wanted:
        return set()
    return {u for u, category in member_pool(organisation=organisation, kind=kind).items() if category in wanted}


def clean_ids(user_ids) -> list[int]:
    try:
        ids = list(dict.fromkeys(int(u) for u in user_ids or ()))
    except (TypeError, ValueError):
        raise RuleViolation(
            _("Участники указываются номерами."),
            code="invalid",
            fields={"members": [_("Ожидаются номера участников.")]},
        ) from None
    if len(ids) > MAX_MEMBERS_AT_ONCE:
        msg = _("За один раз можно добавить не больше %(limit)s участников.") % {"limit": MAX_MEMBERS_AT_ONCE}
        raise RuleViolation(msg, code="too_many", fields={"members": [msg]})
    return ids


def check_members(organisation: Organisation, kind: str, group: Group | None, ids: list[int]) -> None:
    """Raise unless every id is a member of the organisation whom this chat may hold."""
    if not ids:
        return
    pool = member_pool(organisation=organisation, kind=kind, group=group, user_ids=ids)
    known = set(_roles(organisation, ids))
    outsiders = [u for u in ids if u not in known]
    if outsiders:
        msg = _("Среди выбранных есть люди, которые не состоят в организации: № %(ids)s.") % {
            "ids": ", ".join(map(str, outsiders))
        }
        raise RuleViolation(msg, code="member_not_found", fields={"members": [msg]})
    refused = [u for u in ids if u not in pool]
    if refused:
        if group is not None:
            why = _("в чат класса добавляются только его обучающиеся, их родители и педагоги класса")
        elif kind in (Kind.OTHER, Kind.MGMT_DEPUTIES, Kind.MGMT_TEACHERS, Kind.MGMT_PARENTS_COMMITTEE):
            why = {
                Kind.OTHER: _("обучающихся можно добавить только в чат класса или совета обучающихся"),
                Kind.MGMT_DEPUTIES: _("в этот чат входят руководитель и его заместители"),
                Kind.MGMT_TEACHERS: _("в этот чат входят сотрудники организации"),
                Kind.MGMT_PARENTS_COMMITTEE: _("в этот чат входят руководство и родители"),
            }[kind]
        else:
            why = _("в этот чат входят руководство, педагоги и обучающиеся")
        msg = _("Этих людей нельзя добавить в этот чат (%(why)s): № %(ids)s.") % {
            "why": why,
            "ids": ", ".join(map(str, refused)),
        }
        raise RuleViolation(msg, code="member_not_allowed", fields={"members": [msg]})


def check_safety(organisation: Organisation, kind: str, group: Group | None, member_ids) -> None:
    """Students only in a class's chats and the student council, and never one student alone with one adult."""
    roles = _roles(organisation, member_ids)
    students = [u for u in member_ids if STUDENT in roles.get(u, ())]
    if not students:
        return
    if group is None and kind != Kind.MGMT_STUDENT_COUNCIL:
        msg = _("Обучающихся можно добавить только в чат класса или в чат совета обучающихся.")
        raise RuleViolation(msg, code="student_not_allowed", fields={"members": [msg]})
    if len(students) == 1 and len(set(member_ids)) == 2:
        raise RuleViolation(
            str(PRIVATE_WITH_STUDENT), code="private_with_student", fields={"members": [str(PRIVATE_WITH_STUDENT)]}
        )
