"""When a person leaves an organisation (dismissed, expelled, graduated, transferred), their links stop admitting
anyone and the join requests they would have decided go to the administrators."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from orgs.models import CuratorAssignment, Membership, Organisation
from orgs.permissions import is_member
from orgs.services.audit import audit_record
from portal.accounts.models import User
from portal.mail import email_letter_after_commit, site_url

from ..models import Invite, JoinRequest

Status = Invite.Status
STAFF_ROLES = (Membership.Role.TEACHER, Membership.Role.ADMIN)


def invites_stop_for_leaver(*, organisation: Organisation, user_id: int, actor_id: int | None = None) -> dict:
    """Revoke the leaver's active links here (and the links relayed from them) unless they still work here, and
    hand the pending join requests of their classes and links to the administrators. Safe to run twice."""
    still_staff = is_member(user_id, organisation, *STAFF_ROLES)
    revoked = handed = 0
    with transaction.atomic():
        if not still_staff:
            own = list(
                Invite.objects.filter(organisation=organisation, created_by_id=user_id).values_list("pk", flat=True)
            )
            revoked = Invite.objects.filter(
                Q(pk__in=own) | Q(relayed_from__in=own), status__in=[Status.ACTIVE, Status.PAUSED]
            ).update(
                status=Status.REVOKED,
                status_changed_at=timezone.now(),
                status_note="автор ссылки покинул организацию",
            )
            # Their classes now have no curator who could decide: the administrators do.
            curated = CuratorAssignment.objects.filter(organisation=organisation, teacher_id=user_id).values("group_id")
            uncurated = curated.exclude(
                group_id__in=CuratorAssignment.objects.filter(valid_to__isnull=True).values("group_id")
            )
            pending = JoinRequest.objects.filter(organisation=organisation, status=JoinRequest.Status.PENDING).filter(
                Q(invite__created_by_id=user_id) | Q(group_id__in=uncurated)
            )
            handed = pending.count()
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
        if revoked:
            audit_record(
                organisation=organisation,
                actor=actor,
                action="invite.revoked_on_leaving",
                obj=None,
                details={"member": user_id, "count": revoked},
            )
        if handed:
            audit_record(
                organisation=organisation,
                actor=actor,
                action="join_request.handed_over",
                obj=None,
                details={"member": user_id, "count": handed},
            )
            admins = Membership.objects.filter(
                organisation=organisation, role=Membership.Role.ADMIN, valid_to__isnull=True
            ).values_list("user__email", flat=True)
            email_letter_after_commit(
                "join_requests_handed_over",
                {"count": handed, "link": site_url("invites:join_requests", organisation.pk)},
                recipients=sorted({e for e in admins if e}),
            )
    return {"revoked": revoked, "handed_over": handed}
