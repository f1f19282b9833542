"""Reads shared by the pages, the API and the jobs: filtered to what the user may see, prefetched."""

from django.db.models import Count, Prefetch, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from portal.exceptions import NotFound

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


def organisations_for_user(user) -> QuerySet[Organisation]:
    """Organisations where the user holds any active membership (operators see every one)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return get_objects_for_user(user, "orgs.view_org", klass=Organisation, accept_global_perms=False)


def organisation_get(user, pk) -> Organisation:
    """The organisation if the user may see it; NotFound otherwise, so that its existence is not revealed."""
    try:
        return organisations_for_user(user).get(pk=int(pk))
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound("Организация не найдена.") from None


def groups_for_user(user, organisation: Organisation, *, include_archived=False) -> QuerySet[Group]:
    """The organisation's structure with curator, year and head-counts in a fixed number of queries."""
    qs = Group.objects.filter(organisation=organisation)
    if not include_archived:
        qs = qs.filter(is_archived=False)
    return (
        qs.select_related("academic_year", "parent")
        .annotate(
            student_count=Count("placements", filter=Q(placements__valid_to__isnull=True), distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "curatorships",
                queryset=CuratorAssignment.objects.filter(valid_to__isnull=True).select_related("teacher"),
                to_attr="active_curatorships",
            )
        )
        .order_by("kind", "grade", "name", "id")
    )


def group_get(user, organisation: Organisation, pk) -> Group:
    try:
        return Group.objects.select_related("organisation", "academic_year").get(organisation=organisation, pk=int(pk))
    except (Group.DoesNotExist, ValueError, TypeError):
        raise NotFound("Группа не найдена.") from None


def visible_group_ids(user, organisation: Organisation) -> set[int] | None:
    """None when the user sees every member; otherwise the classes whose rosters they may see."""
    if user.has_perm("orgs.view_members", organisation):
        return None
    return set(
        get_objects_for_user(
            user,
            "orgs.view_group_roster",
            klass=Group.objects.filter(organisation=organisation),
            accept_global_perms=False,
        ).values_list("pk", flat=True)
    )


def members_for_user(user, organisation: Organisation, *, include_ended=False) -> QuerySet[Membership]:
    """Memberships the user may see: everyone for administrators and leaders, own classes for teachers."""
    qs = Membership.objects.filter(organisation=organisation)
    if not include_ended:
        qs = qs.filter(valid_to__isnull=True)
    group_ids = visible_group_ids(user, organisation)
    if group_ids is not None:
        student_ids = Placement.objects.filter(group_id__in=group_ids, valid_to__isnull=True).values("student_id")
        parent_ids = ParentLink.objects.filter(
            organisation=organisation, valid_to__isnull=True, child_id__in=student_ids
        ).values("parent_id")
        qs = qs.filter(
            # Staff see one another: the administrators too, who may hold no teacher role.
            Q(user=user)
            | Q(role__in=[Membership.Role.TEACHER, Membership.Role.ADMIN])
            | Q(role=Membership.Role.STUDENT, user_id__in=student_ids)
            | Q(role=Membership.Role.PARENT, user_id__in=parent_ids)
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
        raise NotFound("Участник не найден.") from None


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


def administrators(organisation: Organisation) -> QuerySet[Membership]:
    return Membership.objects.filter(
        organisation=organisation, role=Membership.Role.ADMIN, valid_to__isnull=True
    ).select_related("user")


def verified_teacher_ids(organisation: Organisation) -> set[int]:
    """User ids of verified teachers, for the badge shown beside names, in one query."""
    return set(
        Membership.objects.filter(
            organisation=organisation,
            role=Membership.Role.TEACHER,
            valid_to__isnull=True,
            verification=Membership.Verification.VERIFIED,
        ).values_list("user_id", flat=True)
    )


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
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(organisation=organisation, user=user, valid_to__isnull=True).values_list(
            "role", flat=True
        )
    )
