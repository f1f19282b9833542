"""Reads shared by the pages, the API and the jobs: filtered to what the user may see, prefetched."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from portal.exceptions import NotFound

from .hooks import JoinOrigin, join_origins
from .models import (
    AuditEntry,
    CuratorAssignment,
    Group,
    Membership,
    Organisation,
    ParentLink,
    Placement,
    RegistrationApplication,
    TeachingAssignment,
)
from .movement_models import Movement, OrgTransfer, Promotion
from .rights import groups_with_right, rights_of


def organisations_for_user(user) -> QuerySet[Organisation]:
    """Organisations where the user holds any active membership (operators see every one)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    # «view_org» is exactly an active membership (orgs.permissions.MEMBER_ORG_PERMS): asked of the memberships in
    # the list's own query, by integer ids, instead of guardian's rows cast to text.
    mine = Membership.objects.filter(user_id=user.pk, valid_to__isnull=True).values("organisation_id")
    return Organisation.objects.filter(pk__in=mine)


def organisation_get(user, pk) -> Organisation:
    """The organisation if the user may see it; NotFound otherwise, so that its existence is not revealed."""
    try:
        return organisations_for_user(user).get(pk=int(pk))
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Организация не найдена.")) from None


def _holds_staff_role(user, organisation: Organisation) -> Exists:
    """Whether the user is a teacher or an administrator here, as an SQL condition (no query of its own)."""
    return Exists(
        Membership.objects.filter(
            organisation=organisation,
            user_id=user.pk,
            role__in=[Membership.Role.TEACHER, Membership.Role.ADMIN],
            valid_to__isnull=True,
        )
    )


def _own_classes(user, organisation: Organisation) -> QuerySet:
    """The ids of the classes of the user and of their children, as a subquery."""
    children = ParentLink.objects.filter(organisation=organisation, parent_id=user.pk, valid_to__isnull=True)
    return (
        Placement.objects.filter(organisation=organisation, valid_to__isnull=True)
        .filter(Q(student_id=user.pk) | Q(student_id__in=children.values("child_id")))
        .values("group_id")
    )


def groups_for_user(user, organisation: Organisation, *, include_archived=False) -> QuerySet[Group]:
    """The organisation's structure with curator, year and head-counts in a fixed number of queries. A student or a
    parent is shown the curators of their own (their children's) classes only (student safety: members_for_user)."""
    qs = Group.objects.filter(organisation=organisation)
    if not include_archived:
        qs = qs.filter(is_archived=False)
    curators = CuratorAssignment.objects.filter(valid_to__isnull=True).select_related("teacher")
    if not user.is_superuser:
        curators = curators.filter(
            Q(_holds_staff_role(user, organisation)) | Q(group_id__in=_own_classes(user, organisation))
        )
    return (
        qs.select_related("academic_year", "parent")
        .annotate(
            student_count=Count("placements", filter=Q(placements__valid_to__isnull=True), distinct=True),
        )
        .prefetch_related(Prefetch("curatorships", queryset=curators, to_attr="active_curatorships"))
        .order_by("kind", "grade", "name", "id")
    )


def group_get(user, organisation: Organisation, pk) -> Group:
    try:
        return Group.objects.select_related("organisation", "academic_year").get(organisation=organisation, pk=int(pk))
    except (Group.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Группа не найдена.")) from None


def visible_group_ids(user, organisation: Organisation) -> set[int] | None:
    """None when the user sees every member; otherwise the classes whose rosters they may see."""
    if user.has_perm("orgs.view_members", organisation):
        return None
    return set(
        groups_with_right(user, "view_group_roster", Group.objects.filter(organisation=organisation)).values_list(
            "pk", flat=True
        )
    )


def members_for_user(user, organisation: Organisation, *, include_ended=False) -> QuerySet[Membership]:
    """Memberships the user may see: everyone for administrators and leaders, the staff and their own classes for
    teachers; for a student only themselves, for a parent themselves and their children.

    Student safety (SPEC: «the list of people a student can see is limited to their own chats»): orgs knows nothing
    of chats, so the organisation's people lists give a student (and a parent) no one else; they meet the people
    they share a chat with in that chat's member list (chats.selectors.chat_members).
    """
    qs = Membership.objects.filter(organisation=organisation)
    if not include_ended:
        qs = qs.filter(valid_to__isnull=True)
    group_ids = visible_group_ids(user, organisation)
    if group_ids is not None:
        student_ids = Placement.objects.filter(group_id__in=group_ids, valid_to__isnull=True).values("student_id")
        parent_ids = ParentLink.objects.filter(
            organisation=organisation, valid_to__isnull=True, child_id__in=student_ids
        ).values("parent_id")
        children = ParentLink.objects.filter(organisation=organisation, parent_id=user.pk, valid_to__isnull=True)
        staff = Q(_holds_staff_role(user, organisation))
        qs = qs.filter(
            Q(user=user)
            # Staff see one another (the administrators too, who may hold no teacher role) and their classes.
            | staff & Q(role__in=[Membership.Role.TEACHER, Membership.Role.ADMIN])
            | staff & Q(role=Membership.Role.STUDENT, user_id__in=student_ids)
            | staff & Q(role=Membership.Role.PARENT, user_id__in=parent_ids)
            # A parent sees their own children.
            | Q(role=Membership.Role.STUDENT, user_id__in=children.values("child_id"))
        )
    return (
        qs.select_related("user", "verified_by")
        .prefetch_related(
            Prefetch(
                "user__placements",
                queryset=Placement.objects.filter(organisation=organisation, valid_to__isnull=True).select_related(
                    "group"
                ),
                to_attr="current_placements",
            ),
        )
        .order_by("user__last_name", "user__first_name", "role", "id")
    )


def member_get(user, organisation: Organisation, pk) -> Membership:
    try:
        return members_for_user(user, organisation, include_ended=True).get(pk=int(pk))
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Участник не найден.")) from None


def verification_queue(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(
            organisation=organisation,
            role=Membership.Role.TEACHER,
            valid_to__isnull=True,
            verification=Membership.Verification.PENDING,
        )
        .select_related("user")
        .order_by("valid_from")
    )


def verification_pending_count(organisation: Organisation) -> int:
    """How many teachers wait for an administrator to confirm them (the navigation and the home page show it)."""
    return verification_queue(organisation).count()


@dataclass(frozen=True)
class QueueEntry:
    membership: Membership
    origin: JoinOrigin | None  # the invite they joined by and who created it, when an invite app knows it
    teaching: list[str]  # «ЭС-21 — Математика», «ЭС-21 — куратор»


def verification_queue_entries(organisation: Organisation) -> list[QueueEntry]:
    """The queue with what an administrator needs to decide: contact, the invite and its creator, classes taught.

    A fixed number of queries, whatever the length of the queue."""
    queue = list(verification_queue(organisation))
    user_ids = [m.user_id for m in queue]
    teaching = defaultdict(list)
    for a in curator_assignments(organisation).filter(teacher_id__in=user_ids).order_by("group__name"):
        teaching[a.teacher_id].append(f"{a.group.name} — {organisation.vocabulary.curator}")
    for a in teaching_assignments(organisation).filter(teacher_id__in=user_ids).order_by("group__name", "subject"):
        teaching[a.teacher_id].append(f"{a.group.name} — {a.subject}")
    origins = join_origins(organisation, user_ids)
    return [QueueEntry(m, origins.get(m.user_id), teaching[m.user_id]) for m in queue]


def administrators(organisation: Organisation) -> QuerySet[Membership]:
    """The organisation's administrators with the orders that appointed them (where recorded)."""
    return Membership.objects.filter(
        organisation=organisation, role=Membership.Role.ADMIN, valid_to__isnull=True
    ).select_related("user", "appointment_order")


def is_unverified_teacher(organisation: Organisation, user) -> bool:
    """A teacher of the organisation whose status the administrator has not confirmed (yet, or refused): such a
    teacher may not invite anyone and is told what comes next."""
    return (
        Membership.objects.filter(
            organisation=organisation, user=user, role=Membership.Role.TEACHER, valid_to__isnull=True
        )
        .exclude(verification=Membership.Verification.VERIFIED)
        .exists()
    )


def verified_teacher_ids(organisation: Organisation) -> set[int]:
    """User ids of verified teachers, for the badge shown beside names, in one query."""
    # Unordered: the model's default ordering (by organisation) joined the organisations' table for nothing.
    return set(
        Membership.objects.filter(
            organisation=organisation,
            role=Membership.Role.TEACHER,
            valid_to__isnull=True,
            verification=Membership.Verification.VERIFIED,
        )
        .order_by()
        .values_list("user_id", flat=True)
    )


def verified_teacher_ids_sql(organisation_id: int, vendor: str) -> tuple[str, list]:
    """`verified_teacher_ids` as a scalar subquery with its parameters, for a page that reads it
    with its own facts in one query: the ids joined by commas (NULL for none), read back by
    `verified_teacher_ids_parse`. The same rows as the selector's, held to it by a test."""
    joined = "string_agg(CAST(v.user_id AS TEXT), ',')" if vendor == "postgresql" else "group_concat(v.user_id, ',')"
    sql = f"""(SELECT {joined} FROM {Membership._meta.db_table} v WHERE v.organisation_id = %s AND v.role = %s
        AND v.valid_to IS NULL AND v.verification = %s)"""  # noqa: S608  (the table's name from the model)
    return sql, [organisation_id, Membership.Role.TEACHER.value, Membership.Verification.VERIFIED.value]


def verified_teacher_ids_parse(joined: str | None) -> frozenset[int]:
    return frozenset(int(pk) for pk in joined.split(",")) if joined else frozenset()


def curator_assignments(organisation: Organisation) -> QuerySet[CuratorAssignment]:
    return CuratorAssignment.objects.filter(organisation=organisation, valid_to__isnull=True).select_related(
        "group", "teacher"
    )


def teaching_assignments(organisation: Organisation) -> QuerySet[TeachingAssignment]:
    return TeachingAssignment.objects.filter(organisation=organisation, valid_to__isnull=True).select_related(
        "group", "teacher"
    )


def parent_links(organisation: Organisation) -> QuerySet[ParentLink]:
    return ParentLink.objects.filter(organisation=organisation, valid_to__isnull=True).select_related("parent", "child")


def placements(organisation: Organisation) -> QuerySet[Placement]:
    return Placement.objects.filter(organisation=organisation, valid_to__isnull=True).select_related("group", "student")


def audit_entries(organisation: Organisation) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(organisation=organisation).select_related("actor")


def pending_applications() -> QuerySet[RegistrationApplication]:
    return RegistrationApplication.objects.filter(status=RegistrationApplication.Status.PENDING)


def roles_in(user, organisation: Organisation) -> set[str]:
    """The person's active roles in the organisation: for an active person, read with their rights once per request
    (orgs.rights)."""
    if not user.is_authenticated:
        return set()
    if user.is_active:
        return set(rights_of(user).roles.get(organisation.pk, ()))
    return set(
        Membership.objects.filter(organisation=organisation, user=user, valid_to__isnull=True)
        .order_by()  # a set: no join of the organisations' table for the default ordering
        .values_list("role", flat=True)
    )


def onboarding_facts(organisation: Organisation) -> dict[str, int]:
    """What the set-up steps of the home page are judged by, in four queries whatever the size of the school."""
    classes = Group.objects.filter(organisation=organisation, kind=Group.Kind.CLASS, is_archived=False)
    class_counts = classes.aggregate(
        classes=Count("pk", distinct=True),
        with_students=Count("pk", filter=Q(placements__isnull=False, placements__valid_to__isnull=True), distinct=True),
    )
    staff = Membership.objects.filter(organisation=organisation, valid_to__isnull=True).aggregate(
        teachers=Count("pk", filter=Q(role=Membership.Role.TEACHER)),
        students=Count("pk", filter=Q(role=Membership.Role.STUDENT)),
        parents=Count("pk", filter=Q(role=Membership.Role.PARENT)),
    )
    with_parents = (
        Placement.objects.filter(organisation=organisation, valid_to__isnull=True, group__in=classes)
        .filter(
            Exists(
                ParentLink.objects.filter(
                    organisation=organisation, child_id=OuterRef("student_id"), valid_to__isnull=True
                )
            )
        )
        .values("group_id")
        .distinct()
        .count()
    )
    curated = CuratorAssignment.objects.filter(group__in=classes, valid_to__isnull=True).count()
    return {**class_counts, **staff, "classes_with_parents": with_parents, "curated": curated}


def person_history(organisation: Organisation, user_id: int):
    """The person's movements in the organisation, newest first, with who made them."""
    return (
        Movement.objects.filter(organisation=organisation, user_id=user_id)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def transfers_incoming(organisation: Organisation):
    """Transfers other organisations asked this one to accept, pending first."""
    return (
        OrgTransfer.objects.filter(target=organisation)
        .select_related("source", "user", "to_group")
        .order_by("status", "-created_at")
    )


def transfers_outgoing(organisation: Organisation):
    return OrgTransfer.objects.filter(source=organisation).select_related("target", "user").order_by("-created_at")


def promotions(organisation: Organisation):
    return Promotion.objects.filter(organisation=organisation).select_related("from_year", "to_year")


# ---- the people of a class --------------------------------------------------------------------------------------


@dataclass
class ClassPeople:
    """A class as SPEC has it: its curator, the teachers who teach it, its students and their parents."""

    curator: CuratorAssignment | None
    teaching: QuerySet[TeachingAssignment]
    roster: list[tuple]  # (student, [their parents]) by the student's name


def _class_sources(group: Group) -> tuple[QuerySet, QuerySet, QuerySet, QuerySet]:
    """Where the people of a class come from: the class's placements, its students' parent links, its curator's
    assignment and its teaching assignments, all current."""
    organisation = group.organisation_id
    roster = placements(organisation).filter(group=group)
    parents = parent_links(organisation).filter(child_id__in=roster.values("student_id"))
    curators = curator_assignments(organisation).filter(group=group)
    teaching = teaching_assignments(organisation).filter(group=group)
    return roster, parents, curators, teaching


def class_people(group: Group) -> ClassPeople:
    """The people of a class as its page lists them; `class_members` gives the same people as memberships."""
    roster, parents, curators, teaching = _class_sources(group)
    roster = list(roster.order_by("student__last_name", "student__first_name"))
    by_child = defaultdict(list)
    for link in parents.filter(child_id__in=[p.student_id for p in roster]):
        by_child[link.child_id].append(link.parent)
    return ClassPeople(
        curator=curators.first(),
        teaching=teaching.order_by("subject"),
        roster=[(p.student, by_child.get(p.student_id, [])) for p in roster],
    )


def class_members(group: Group) -> Q:
    """The memberships of the people `class_people` lists (a filter of Membership): the class's students, their
    parents, and the curator and the teachers of the class in their teacher's role."""
    roster, parents, curators, teaching = _class_sources(group)
    Role = Membership.Role
    return (
        Q(role=Role.STUDENT, user_id__in=roster.values("student_id"))
        | Q(role=Role.PARENT, user_id__in=parents.values("parent_id"))
        | Q(role=Role.TEACHER, user_id__in=curators.values("teacher_id"))
        | Q(role=Role.TEACHER, user_id__in=teaching.values("teacher_id"))
    )
