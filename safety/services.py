"""Writes of account safety inside organisations: incidents from reports of unauthorised access, an administrator
ending a member's sessions, an incident marked reviewed."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Membership, Organisation
from orgs.services.audit import audit_record
from portal.accounts.devices import describe_device
from portal.accounts.models import AccessReport, User, UserSession
from portal.accounts.sessions import account_sessions_end_all
from portal.exceptions import Conflict
from portal.mail import email_after_commit, letter_render, site_url
from portal.quotes import inner_quotes

from .models import Incident
from .permissions import require_manage_incidents


def _counts(ended: dict) -> dict:
    return {
        "sessions": len(ended.get("sessions", [])),
        "tokens": ended.get("tokens", 0),
        "codes": ended.get("codes", 0),
    }


def _letter(incident: Incident, report: AccessReport) -> dict:
    person = report.user
    return letter_render(
        "access_reported",
        {
            "person": person.short_name,
            "full_name": person.full_name,
            "contact": person.phone or person.email,
            "organisation_name": inner_quotes(incident.organisation.short_name),
            "sessions": len(report.ended.get("sessions", [])),
            "tokens": report.ended.get("tokens", 0),
            "codes": report.ended.get("codes", 0),
            "devices": report.ended.get("sessions", []),
            "comment": report.comment,
            "link": site_url("safety:incidents", incident.organisation_id),
        },
    )


def incidents_open_for_report(report: AccessReport) -> list[Incident]:
    """An incident, an audit entry and a letter to the administrators in each organisation of the person who
    reported; called inside the report's transaction (portal.accounts.hooks)."""
    org_ids = Membership.objects.filter(user=report.user, valid_to__isnull=True).values_list(
        "organisation_id", flat=True
    )
    incidents = []
    for organisation in Organisation.objects.filter(pk__in=org_ids, is_active=True):
        incident = Incident.objects.create(organisation=organisation, report=report, person=report.user)
        audit_record(
            organisation=organisation,
            actor=report.user,
            action="account.access_reported",
            obj=report.user,
            details={**_counts(report.ended), "incident": incident.pk},
        )
        admins = (
            User.objects.filter(
                memberships__organisation=organisation,
                memberships__role=Membership.Role.ADMIN,
                memberships__valid_to__isnull=True,
                is_active=True,
                email__isnull=False,
            )
            .exclude(pk=report.user_id)
            .values_list("email", flat=True)
            .distinct()
        )
        email_after_commit(**_letter(incident, report), recipients=sorted(admins))
        incidents.append(incident)
    return incidents


def member_sessions_end(*, actor: User, organisation: Organisation, person: User) -> dict:
    """An administrator ends every session and API token of a member of their organisation (and their pending
    codes); the password keeps working. Returns the counts of what was ended."""
    require_manage_incidents(actor, organisation)
    with transaction.atomic():
        ended = account_sessions_end_all(user=person, reason=UserSession.EndReason.BY_ADMIN)
        counts = {"sessions": len(ended["sessions"]), "tokens": ended["tokens"], "codes": ended["codes"]}
        audit_record(
            organisation=organisation,
            actor=actor,
            action="account.sessions_ended",
            obj=person,
            details={
                **counts,
                "devices": [f"{describe_device(r.user_agent)}, {r.ip_address or '—'}" for r in ended["sessions"]],
            },
        )
    return counts


def incident_review(*, actor: User, incident: Incident) -> Incident:
    """Mark an incident reviewed; once only."""
    require_manage_incidents(actor, incident.organisation)
    with transaction.atomic():
        updated = Incident.objects.filter(pk=incident.pk, status=Incident.Status.OPEN).update(
            status=Incident.Status.REVIEWED, reviewed_by=actor, reviewed_at=timezone.now()
        )
        if not updated:
            raise Conflict(_("Инцидент уже рассмотрен."), code="incident_reviewed")
        audit_record(
            organisation=incident.organisation,
            actor=actor,
            action="incident.reviewed",
            obj=incident.person,
            details={"incident": incident.pk},
        )
    incident.refresh_from_db()
    return incident
