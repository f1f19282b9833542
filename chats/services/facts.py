"""What the structure says, loaded in a fixed number of queries: the input of the chat sync."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import FilteredRelation, OuterRef, Q, Subquery

from orgs.models import CuratorAssignment, Group, Membership, Organisation, ParentLink, Placement, TeachingAssignment

Role = Membership.Role


@dataclass
class People:
    """Active memberships of the users the sync looks at (all of them, or some plus every administrator)."""

    roles: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    directors: set[int] = field(default_factory=set)
    rejected_teachers: set[int] = field(default_factory=set)
    admins: list[int] = field(default_factory=list)  # in the order they became administrators

    def is_member(self, user_id: int) -> bool:
        return bool(self.roles.get(user_id))

    def is_leader(self, user_id: int) -> bool:
        return Role.ADMIN in self.roles.get(user_id, ()) or user_id in self.directors

    def is_staff(self, user_id: int) -> bool:
        roles = self.roles.get(user_id, ())
        return Role.ADMIN in roles or (Role.TEACHER in roles and user_id not in self.rejected_teachers)


def people_load(organisation: Organisation, user_ids=None) -> People:
    """All active members (user_ids=None), or those users and the administrators."""
    memberships = Membership.objects.filter(organisation=organisation, valid_to__isnull=True)
    if user_ids is not None:
        memberships = memberships.filter(Q(user_id__in=list(user_ids)) | Q(role=Role.ADMIN))
    return people_from_rows(memberships.order_by("pk").values_list("user_id", "role", "position", "verification"))


def people_from_rows(rows) -> People:
    """People from their active memberships' (user_id, role, position, verification), in the order they were made."""
    people = People()
    for user_id, role, position, verification in rows:
        people.roles[user_id].add(role)
        if role == Role.ADMIN:
            people.admins.append(user_id)
        elif role == Role.TEACHER:
            if position == Membership.Position.DIRECTOR:
                people.directors.add(user_id)
            if verification == Membership.Verification.REJECTED:
                people.rejected_teachers.add(user_id)
    return people


@dataclass
class Classes:
    """Classes in scope with their curator, students, students' parents, teachers and teaching assignments."""

    groups: dict[int, Group] = field(default_factory=dict)
    curator: dict[int, int] = field(default_factory=dict)
    students: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    parents: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    teachers: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    # (group, subject, teacher) -> the active assignment's id
    teaching: dict[tuple[int, str, int], int] = field(default_factory=dict)


def classes_load(organisation: Organisation, group_ids=None) -> Classes:
    """The classes given (group_ids), or every class that is active or still has an active chat."""
    groups = Group.objects.filter(organisation=organisation, kind=Group.Kind.CLASS)
    if group_ids is None:
        groups = groups.filter(Q(is_archived=False) | Q(chats__is_archived=False)).distinct()
    else:
        groups = groups.filter(pk__in=list(group_ids))
    # The class's curator (one at most: a unique constraint) read with the class.
    curator = CuratorAssignment.objects.filter(group_id=OuterRef("pk"), valid_to__isnull=True).values("teacher_id")
    groups = {g.pk: g for g in groups.annotate(curator_id=Subquery(curator[:1]))}
    ids = list(groups)
    if not ids:
        return Classes()
    placements = Placement.objects.filter(organisation=organisation, group_id__in=ids, valid_to__isnull=True)
    # Each student with their parents' active links (a row per parent, one with no parent), in one query.
    links = FilteredRelation(
        "student__parent_links",
        condition=Q(student__parent_links__organisation=organisation, student__parent_links__valid_to__isnull=True),
    )
    placed = placements.annotate(link=links).values_list("group_id", "student_id", "link__parent_id")
    teaching = TeachingAssignment.objects.filter(group_id__in=ids, valid_to__isnull=True).values_list(
        "pk", "group_id", "teacher_id", "subject"
    )
    return classes_from_rows(groups, placed, teaching)


def classes_from_rows(groups: dict, placed, teaching) -> Classes:
    """Classes from their groups (by id, each with its `curator_id`), their active placements' (group_id,
    student_id, parent_id: a row per active parent's link, one with None for a student with none) and their active
    teaching assignments' (id, group_id, teacher_id, subject)."""
    facts = Classes(groups=groups)
    facts.curator = {pk: g.curator_id for pk, g in groups.items() if g.curator_id is not None}
    for group_id, student_id, parent_id in placed:
        facts.students[group_id].add(student_id)
        if parent_id is not None:
            facts.parents[group_id].add(parent_id)
    for pk, group_id, teacher_id, subject in teaching:
        facts.teachers[group_id].add(teacher_id)
        facts.teaching[(group_id, subject, teacher_id)] = pk
    return facts


def groups_of_users(organisation: Organisation, user_ids) -> set[int]:
    """The classes whose chats a change to these people can touch: theirs now, and those of the chats they are in."""
    from ..models import ChatMember

    user_ids = list(user_ids)
    if not user_ids:
        return set()
    children = ParentLink.objects.filter(organisation=organisation, parent_id__in=user_ids, valid_to__isnull=True)
    placements = Placement.objects.filter(organisation=organisation, valid_to__isnull=True).filter(
        Q(student_id__in=user_ids) | Q(student_id__in=children.values("child_id"))
    )
    # One query for the four sources (a UNION), not four round trips.
    sources = [
        placements.values_list("group_id", flat=True),
        CuratorAssignment.objects.filter(
            organisation=organisation, teacher_id__in=user_ids, valid_to__isnull=True
        ).values_list("group_id", flat=True),
        TeachingAssignment.objects.filter(
            organisation=organisation, teacher_id__in=user_ids, valid_to__isnull=True
        ).values_list("group_id", flat=True),
        ChatMember.objects.filter(
            chat__organisation=organisation, user_id__in=user_ids, left_at__isnull=True, chat__group__isnull=False
        ).values_list("chat__group_id", flat=True),
    ]
    sources = [q.order_by() for q in sources]
    return set(sources[0].union(*sources[1:]))
