"""Reads of invites and join requests, filtered to what the user may see, in a fixed number of queries."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import CuratorAssignment, Group, Membership, Organisation, Placement
from orgs.rights import groups_with_right, rights_of
from portal.exceptions import NotFound

from .models import Invite, JoinRequest, Redemption


def _managed_group_ids(user, organisation: Organisation, perm: str) -> list[int]:
    codename = perm.rpartition(".")[2]
    if not user.is_superuser and not rights_of(user).group_ids(codename):
        return []  # the right on no group at all (most people): no query to build
    return list(
        groups_with_right(user, codename, Group.objects.filter(organisation=organisation)).values_list("pk", flat=True)
    )


def invites_for_user(user, organisation: Organisation) -> QuerySet[Invite]:
    """Administrators see every link of the organisation; others see the links they created."""
    qs = Invite.objects.filter(organisation=organisation)
    if not user.has_perm("orgs.invite_members", organisation):
        qs = qs.filter(created_by=user)
    return qs.select_related("target_group", "target_chat", "created_by", "bound_student", "relayed_from").annotate(
        redemption_count=Count("redemptions")
    )


def chat_invites_active(user, organisation: Organisation, chat) -> QuerySet[Invite]:
    """The chat's working links the user sees (administrators: all; others: their own), newest first."""
    return (
        invites_for_user(user, organisation)
        .filter(target_chat=chat, status=Invite.Status.ACTIVE, expires_at__gt=timezone.now())
        .order_by("-created_at", "-id")
    )


def invite_get(user, organisation: Organisation, pk) -> Invite:
    try:
        return invites_for_user(user, organisation).get(pk=int(pk))
    except (Invite.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Ссылка-приглашение не найдена.")) from None


def redemptions_of(invite: Invite, *, include_relays: bool = False):
    """Who joined by this link (and, with include_relays, by the links relayed from it), newest first."""
    qs = Redemption.objects.filter(
        Q(invite=invite) | Q(invite__relayed_from=invite) if include_relays else Q(invite=invite)
    )
    return qs.select_related("user", "invite", "invite__created_by").order_by("-created_at", "-id")


def invite_get_for_relay(user, organisation: Organisation, pk) -> Invite:
    """A link the user may relay: one they see, or a class link of a class they may invite to."""
    try:
        return invite_get(user, organisation, pk)
    except NotFound:
        pass
    if not str(pk).isdigit():
        raise NotFound(_("Ссылка-приглашение не найдена."))
    groups = _managed_group_ids(user, organisation, "orgs.invite_to_group")
    invite = (
        Invite.objects.filter(organisation=organisation, target_group_id__in=groups, relayed_from=None)
        .exclude(role="teacher")
        .select_related("organisation", "target_group", "bound_student")
        .filter(pk=int(pk))
        .first()
    )
    if invite is None:
        raise NotFound(_("Ссылка-приглашение не найдена."))
    return invite


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
        raise NotFound(_("Заявка не найдена.")) from None


def parent_link_to_empty_class(invite: Invite) -> bool:
    """A parents' class link (no child named) into a class with nobody on its list: parents will type names."""
    return (
        invite.role == "parent"
        and invite.bound_student_id is None
        and invite.target_group_id is not None
        and not Placement.objects.filter(group_id=invite.target_group_id, valid_to__isnull=True).exists()
    )


def children_to_choose(requests) -> dict[int, list]:
    """For parents' pending requests without a child: the pupils of each such class, by class id (one query)."""
    group_ids = {r.group_id for r in requests if r.role == "parent" and r.child_id is None and r.status == "pending"}
    group_ids.discard(None)
    children: dict[int, list] = {group_id: [] for group_id in group_ids}
    if group_ids:
        placements = (
            Placement.objects.filter(group_id__in=group_ids, valid_to__isnull=True)
            .select_related("student")
            .order_by("student__last_name", "student__first_name", "student_id")
        )
        for placement in placements:
            children[placement.group_id].append(placement.student)
    return children


def may_decide_join_requests(user, organisation: Organisation) -> bool:
    """Administrators decide every request; curators those for their classes."""
    return user.has_perm("orgs.verify_teachers", organisation) or bool(
        _managed_group_ids(user, organisation, "orgs.approve_group_joins")
    )


def pending_join_request_count(user, organisation: Organisation) -> int:
    """The number shown beside «Заявки» in the navigation."""
    if not may_decide_join_requests(user, organisation):
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


def invites_to_relay(user, organisation: Organisation) -> QuerySet[Invite]:
    """Administrators' live class links for the classes this user (a curator or teacher) may invite into."""
    if user.has_perm("orgs.invite_members", organisation):
        return Invite.objects.none()
    groups = _managed_group_ids(user, organisation, "orgs.invite_to_group")
    admins = Membership.objects.filter(
        organisation=organisation, role=Membership.Role.ADMIN, valid_to__isnull=True
    ).values("user_id")
    return (
        Invite.objects.filter(
            organisation=organisation,
            target_group_id__in=groups,
            status=Invite.Status.ACTIVE,
            relayed_from__isnull=True,
            expires_at__gt=timezone.now(),
            created_by_id__in=admins,
        )
        .exclude(created_by=user)
        .select_related("target_group", "created_by")
        .order_by("-created_at")
    )


def join_requests_of_applicant(user) -> list[JoinRequest]:
    """The person's own pending requests, oldest first, each with `deciders`: who decides it, in words."""
    if not user.is_authenticated:
        return []
    curators = CuratorAssignment.objects.filter(valid_to__isnull=True).select_related("teacher")
    requests = list(
        JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING)
        .select_related("organisation", "group", "child")
        .prefetch_related(Prefetch("group__curatorships", queryset=curators, to_attr="current_curators"))
        .order_by("created_at", "id")
    )
    for request in requests:
        request.deciders = _deciders(request)
    return requests


def _deciders(request: JoinRequest) -> str:
    vocab = request.organisation.vocabulary
    if request.group_id is None or request.role == "teacher":
        return _("администратор организации")
    curator = next(iter(request.group.current_curators), None)
    if curator is None:
        return _("администратор организации (%(curator)s %(group)s пока не назначен)") % {
            "curator": vocab.curator,
            "group": vocab.group_genitive,
        }
    return _("%(curator)s %(name)s или администратор организации") % {
        "curator": vocab.curator,
        "name": curator.teacher.short_name,
    }


def join_origins(organisation, user_ids) -> dict:
    """How each of these people joined the organisation: the last invite they used there and who created it
    (orgs.hooks; the verification queue shows it). Two queries, whatever the number of people."""
    from orgs.hooks import JoinOrigin

    redemptions = (
        Redemption.objects.filter(invite__organisation=organisation, user_id__in=list(user_ids))
        .select_related("invite__created_by")
        .order_by("user_id", "-created_at", "-pk")
    )
    found = {}
    for redemption in redemptions:
        if redemption.user_id in found:
            continue
        invite = redemption.invite
        label = f"№ {invite.pk}" + (f" — {invite.recipient_name}" if invite.recipient_name else "")
        found[redemption.user_id] = JoinOrigin(
            invite_id=invite.pk, label=label, invited_by=invite.created_by.full_name if invite.created_by else ""
        )
    return found
