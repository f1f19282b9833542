"""Reads of account safety: an organisation's incidents, its help page's people."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from orgs.models import Membership, Organisation
from portal.accounts.models import User
from portal.accounts.sessions import sessions_active
from portal.exceptions import NotFound

from .models import Incident
from .permissions import require_manage_incidents


def incidents_for_admin(user, organisation: Organisation) -> QuerySet[Incident]:
    """The organisation's incidents, newest first, for its administrators only."""
    require_manage_incidents(user, organisation)
    return Incident.objects.filter(organisation=organisation).select_related("person", "report", "reviewed_by")


def incident_get(user, organisation: Organisation, pk) -> Incident:
    try:
        return incidents_for_admin(user, organisation).get(pk=int(pk))
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Инцидент не найден.")) from None


def open_incident_count(organisation: Organisation) -> int:
    return Incident.objects.filter(organisation=organisation, status=Incident.Status.OPEN).count()


def org_member_get(organisation: Organisation, user_id) -> User:
    """A person with an active membership in the organisation; anyone else is not found (another organisation's
    people included)."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        raise NotFound(_("Участник не найден.")) from None
    member = (
        Membership.objects.filter(organisation=organisation, user_id=user_id, valid_to__isnull=True)
        .select_related("user")
        .first()
    )
    if member is None:
        raise NotFound(_("Участник не найден."))
    return member.user


def member_session_count(person: User) -> int:
    return sessions_active(person).count()


def support_people(organisation: Organisation) -> dict:
    """Who answers for the portal in the organisation: its administrators and its leaders (director, deputies)."""
    active = Membership.objects.filter(organisation=organisation, valid_to__isnull=True).select_related("user")
    return {
        "admins": [m.user for m in active.filter(role=Membership.Role.ADMIN).order_by("user__last_name")],
        "leaders": list(
            active.filter(
                role=Membership.Role.TEACHER,
                position__in=[Membership.Position.DIRECTOR, Membership.Position.DEPUTY],
            ).order_by("position", "user__last_name")
        ),
    }


def viewer_roles(user, organisation: Organisation) -> set[str]:
    return set(
        Membership.objects.filter(organisation=organisation, user=user, valid_to__isnull=True).values_list(
            "role", flat=True
        )
    )
