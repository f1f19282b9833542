"""The audience of an event: the members of a chat, or the people of a group of the structure.

- a class: its students and the parents of those students (its curator and the event's author see it too);
- the staff group: every member of staff (administrators and teachers not rejected), as in the staff channel;
- clubs and divisions have no members in the structure (a placement is a student's class), so an event for
  them is scheduled in a chat instead.

Who schedules for a group: administrators, the director and deputies (create_chats or create_management_chats on
the organisation) for any class and the staff group; a verified curator or a verified teacher of the class
(create_group_chats on the class) for that class.
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from orgs.models import CuratorAssignment, Group, Membership, Organisation, ParentLink, Placement
from orgs.rights import groups_with_right
from portal.accounts.models import User
from portal.exceptions import NotFound, PermissionDenied, RuleViolation

from ..models import Chat, ChatMember, Event

AUDIENCE_KINDS = (Group.Kind.CLASS, Group.Kind.STAFF)
STAFF_ROLES = (Membership.Role.ADMIN, Membership.Role.TEACHER)


def _staff(organisation_ids) -> QuerySet:
    return (
        Membership.objects.filter(organisation_id__in=organisation_ids, role__in=STAFF_ROLES, valid_to__isnull=True)
        .exclude(verification=Membership.Verification.REJECTED)
        .values("user_id")
    )


def is_staff_member(user, organisation: Organisation) -> bool:
    """Events are scheduled by staff (administrators and teachers not refused verification), never by students
    or parents."""
    return user.is_authenticated and user.is_active and _staff([organisation.pk]).filter(user_id=user.pk).exists()


def _schedules_anything(user, organisation: Organisation) -> bool:
    return user.has_perm("orgs.create_chats", organisation) or user.has_perm(
        "orgs.create_management_chats", organisation
    )


def groups_schedulable_by(user, organisation: Organisation) -> QuerySet[Group]:
    """The active classes and staff group the user may schedule events for, in the structure's order."""
    groups = Group.objects.filter(organisation=organisation, is_archived=False, kind__in=AUDIENCE_KINDS)
    if not (user.is_authenticated and user.is_active):
        return groups.none()
    if not _schedules_anything(user, organisation):
        groups = groups_with_right(user, "create_group_chats", groups.filter(kind=Group.Kind.CLASS))
    return groups.order_by("-kind", "grade", "name", "pk")  # the staff group first, then classes by grade


def chats_postable_by(user, organisation: Organisation) -> QuerySet[Chat]:
    """Active chats of the organisation a member of staff may post in (in the system channels: as an owner);
    none for students and parents."""
    if not is_staff_member(user, organisation):
        return Chat.objects.none()
    rows = ChatMember.objects.filter(user=user, left_at__isnull=True).filter(
        ~Q(chat__kind__in=Chat.CHANNEL_KINDS) | Q(role=ChatMember.Role.OWNER)
    )
    return Chat.objects.filter(organisation=organisation, is_archived=False, pk__in=rows.values("chat_id")).order_by(
        "kind", "title", "pk"
    )


def group_require_schedulable(user, organisation: Organisation, group: Group) -> None:
    """Raise unless the user may schedule an event for this group: another organisation's group is not found."""
    if group.organisation_id != organisation.pk:
        raise NotFound(_("Группа не найдена."))
    if group.kind not in AUDIENCE_KINDS:
        raise RuleViolation(
            _(
                "Событие можно назначить классу или всему коллективу; для объединения или подразделения "
                "назначьте его в чате."
            ),
            code="group_kind",
            fields={"group": [_("Выберите класс или весь коллектив.")]},
        )
    if group.is_archived:
        raise PermissionDenied(_("Группа в архиве: назначить для неё событие нельзя."))
    if _schedules_anything(user, organisation):
        return
    if group.kind == Group.Kind.CLASS and user.has_perm("orgs.create_group_chats", group):
        return
    if group.kind == Group.Kind.STAFF:
        raise PermissionDenied(_("Событие для всего коллектива назначают администраторы и руководитель."))
    raise PermissionDenied(
        _(
            "Событие для класса назначают администраторы, руководитель, классный руководитель (куратор) этого класса "
            "и подтверждённые педагоги, которые в нём преподают."
        )
    )


def group_people(group: Group, *, parents_only: bool = False) -> QuerySet[User]:
    """The people of a group as an event's audience: a class's students and their parents (only the parents when
    `parents_only`), the staff group's staff; nobody for other groups. Active accounts only."""
    if group.kind == Group.Kind.CLASS:
        students = Placement.objects.filter(group=group, valid_to__isnull=True).values("student_id")
        parents = ParentLink.objects.filter(
            organisation_id=group.organisation_id, child_id__in=students, valid_to__isnull=True
        ).values("parent_id")
        people = Q(pk__in=parents) if parents_only else Q(pk__in=students) | Q(pk__in=parents)
    elif group.kind == Group.Kind.STAFF:
        people = Q(pk__in=_staff([group.organisation_id]))
    else:
        return User.objects.none()
    return User.objects.filter(people, is_active=True)


def events_visible_q(user) -> Q:
    """Events the user sees: in a chat they are an active member of; for a class they are in, a child of theirs
    is in or they curate; for the staff group of an organisation they work in; every event of an organisation
    they administer; group events they scheduled themselves. Subqueries only: one query with the events."""
    my_chats = ChatMember.objects.filter(user=user, left_at__isnull=True).values("chat_id")
    administered = Membership.objects.filter(user=user, role=Membership.Role.ADMIN, valid_to__isnull=True).values(
        "organisation_id"
    )
    own_class = Placement.objects.filter(student=user, valid_to__isnull=True).values("group_id")
    children = ParentLink.objects.filter(parent=user, valid_to__isnull=True).values("child_id")
    children_class = Placement.objects.filter(student__in=children, valid_to__isnull=True).values("group_id")
    curated = CuratorAssignment.objects.filter(teacher=user, valid_to__isnull=True).values("group_id")
    works_in = Membership.objects.filter(user=user, role__in=STAFF_ROLES, valid_to__isnull=True).exclude(
        verification=Membership.Verification.REJECTED
    )
    staff_groups = Group.objects.filter(kind=Group.Kind.STAFF, organisation__in=works_in.values("organisation_id"))
    return (
        Q(chat__in=my_chats)
        | Q(organisation__in=administered)
        | Q(group__in=own_class)
        | Q(group__in=children_class)
        | Q(group__in=curated)
        | Q(group__in=staff_groups.values("pk"))
        | Q(group__isnull=False, created_by=user)
    )


def group_label(group: Group, organisation: Organisation) -> str:
    """A group as an audience: «5А — ученики и родители», «Учительская — все сотрудники»."""
    if group.kind == Group.Kind.STAFF:
        return _("%(group)s — все сотрудники") % {"group": group.name}
    if group.kind == Group.Kind.CLASS:
        return _("%(group)s — %(students)s и родители") % {
            "group": group.name,
            "students": organisation.vocabulary.students,
        }
    return group.name


def audience_label(event: Event, organisation: Organisation | None = None) -> str:
    """The chat's title for a chat audience, else the group as `group_label` says it."""
    if event.chat_id:
        return event.chat.title
    return group_label(event.group, organisation or event.organisation)


def reminder_chat(event: Event) -> Chat | None:
    """Where a group event's reminder is posted: the class chat (the parents' chat for a parents' meeting), the
    staff channel for the staff group; None when that chat does not exist or is archived."""
    group = event.group
    if group.kind == Group.Kind.STAFF:
        chats = Chat.objects.filter(organisation_id=group.organisation_id, kind=Chat.Kind.STAFF_CHANNEL)
    elif group.kind == Group.Kind.CLASS:
        kind = Chat.Kind.CLASS_PARENTS if event.kind == Event.Kind.PARENTS_MEETING else Chat.Kind.CLASS
        chats = Chat.objects.filter(group=group, kind=kind)
    else:
        return None
    return chats.filter(is_archived=False).first()
