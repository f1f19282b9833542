"""Reads of invites and join requests, filtered to what the user may see, in a fixed number of queries."""

from django.db.models import Count, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from orgs.models import Group, Organisation
from portal.exceptions import NotFound

from .models import Invite, JoinRequest


def _managed_group_ids(user, organisation: Organisation, perm: str) -> list[int]:
    return list(get_objects_for_user(user, perm, klass=Group.objects.filter(organisation=organisation),
                                     accept_global_perms=False).values_list("pk", flat=True))


def invites_for_user(user, organisation: Organisation) -> QuerySet[Invite]:
    """Administrators see every link of the organisation; others see the links they created."""
    qs = Invite.objects.filter(organisation=organisation)
    if not user.has_perm("orgs.invite_members", organisation):
        qs = qs.filter(created_by=user)
    return qs.select_related("target_group", "created_by", "bound_student", "relayed_from").annotate(
        redemption_count=Count("redemptions"))


def invite_get(user, organisation: Organisation, pk) -> Invite:
    try:
        return invites_for_user(user, organisation).get(pk=int(pk))
    except (Invite.DoesNotExist, ValueError, TypeError):
        raise NotFound("Ссылка-приглашение не найдена.") from None


def redemptions_of(invite: Invite):
    return invite.redemptions.select_related("user", "invite").order_by("-created_at")


def join_requests_for_user(user, organisation: Organisation) -> QuerySet[JoinRequest]:
    """Administrators see all requests; curators see those for their classes (not staff requests)."""
    qs = JoinRequest.objects.filter(organisation=organisation)
    if not user.has_perm("orgs.verify_teachers", organisation):
        groups = _managed_group_ids(user, organisation, "orgs.approve_group_joins")
        qs = qs.filter(group_id__in=groups).exclude(role="teacher")
    return qs.select_related("user", "group", "child", "decided_by", "invite")


def join_request_get(user, organisation: Organisation, pk) -> JoinRequest:
    try:
        return join_requests_for_user(user, organisation).get(pk=int(pk))
    except (JoinRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound("Заявка не найдена.") from None


def pending_join_request_count(user, organisation: Organisation) -> int:
    """The number shown beside «Заявки» in the navigation."""
    if not (user.has_perm("orgs.verify_teachers", organisation)
            or _managed_group_ids(user, organisation, "orgs.approve_group_joins")):
        return 0
    return join_requests_for_user(user, organisation).filter(status=JoinRequest.Status.PENDING).count()


def organisations_search(query: str = "", municipality: str = "") -> QuerySet[Organisation]:
    """The public search for «подать заявку на вступление»: active organisations by name or municipality."""
    qs = Organisation.objects.filter(is_active=True)
    if query:
        qs = qs.filter(Q(short_name__icontains=query) | Q(full_name__icontains=query))
    if municipality:
        qs = qs.filter(municipality__icontains=municipality)
    return qs.order_by("short_name", "id")
