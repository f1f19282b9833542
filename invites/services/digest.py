"""The daily digest of pending join requests: one letter per approver per organisation per day.

Who gets which requests follows the queue itself (`join_requests_for_user`): administrators every request,
class curators the student and parent requests of their classes. Requests waiting longer than
JOIN_REQUEST_STALE_DAYS days are flagged. A `JoinRequestDigest` row per (approver, organisation, local day)
makes the job safe to re-run, also by two workers at once: whoever inserts the row sends the letter.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from orgs.models import CuratorAssignment, Membership, Organisation
from portal.accounts.models import User
from portal.mail import email_after_commit, letter_render, site_url

from ..models import InviteRole, JoinRequest, JoinRequestDigest
from ..selectors import join_requests_for_user

Status = JoinRequest.Status


def stale_days() -> int:
    return getattr(settings, "JOIN_REQUEST_STALE_DAYS", 3)


def _approvers(organisation: Organisation, pending: list[JoinRequest]):
    """Administrators, and the curators of the classes that pending student or parent requests name."""
    admins = Membership.objects.filter(
        organisation=organisation, role=Membership.Role.ADMIN, valid_to__isnull=True
    ).values_list("user_id", flat=True)
    group_ids = {r.group_id for r in pending if r.group_id and r.role != InviteRole.TEACHER}
    curators = CuratorAssignment.objects.filter(
        organisation=organisation, group_id__in=group_ids, valid_to__isnull=True
    ).values_list("teacher_id", flat=True)
    ids = set(admins) | set(curators)
    return User.objects.filter(pk__in=ids, is_active=True).exclude(email__isnull=True).exclude(email="").order_by("pk")


def _line(request: JoinRequest, organisation: Organisation, now: datetime.datetime, zone: ZoneInfo) -> str:
    waited = (now - request.created_at).days
    parts = [request.user.full_name, request.get_role_display()]
    if request.group_id:
        parts.append(f"{organisation.vocabulary.group} {request.group.name}")
    if request.child_id:
        parts.append(f"ребёнок: {request.child.full_name}")
    line = f"— {', '.join(parts)}; подана {timezone.localtime(request.created_at, zone):%d.%m.%Y}"
    if request.created_at <= now - datetime.timedelta(days=stale_days()):
        line += f" — ДОЛГО ЖДЁТ РЕШЕНИЯ (дней: {waited})"
    return line


def _letter(approver, organisation: Organisation, requests: list[JoinRequest], now: datetime.datetime) -> dict:
    zone = ZoneInfo(organisation.time_zone)
    limit = now - datetime.timedelta(days=stale_days())
    stale = sum(1 for r in requests if r.created_at <= limit)
    letter = letter_render(
        "join_requests_digest",
        {
            "approver": approver,
            "organisation": organisation,
            "count": len(requests),
            "stale": stale,
            "stale_days": stale_days(),
            "lines": [_line(r, organisation, now, zone) for r in requests],
            "link": site_url("invites:join_requests", organisation.pk),
        },
    )
    return {**letter, "recipients": [approver.email]}


def join_requests_send_digest(now: datetime.datetime | None = None) -> int:
    """Send each approver one letter of their pending join requests, once a day; returns the number of letters."""
    now = now or timezone.now()
    sent = 0
    org_ids = JoinRequest.objects.filter(status=Status.PENDING).values_list("organisation_id", flat=True).distinct()
    for organisation in Organisation.objects.filter(pk__in=org_ids).order_by("pk"):
        day = timezone.localtime(now, ZoneInfo(organisation.time_zone)).date()
        pending = list(JoinRequest.objects.filter(organisation=organisation, status=Status.PENDING))
        for approver in _approvers(organisation, pending):
            requests = list(
                join_requests_for_user(approver, organisation)
                .filter(status=Status.PENDING)
                .order_by("created_at", "pk")
            )
            if not requests:
                continue
            try:
                with transaction.atomic():
                    JoinRequestDigest.objects.create(
                        user=approver, organisation=organisation, day=day, request_count=len(requests)
                    )
                    email_after_commit(**_letter(approver, organisation, requests, now))
            except IntegrityError:
                continue  # already sent today (by an earlier run, or by a worker running at the same time)
            sent += 1
    return sent
