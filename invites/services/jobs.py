"""The periodic jobs of invites: set-based, idempotent, safe to re-run after a crash."""

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from orgs.services.audit import audit_record
from portal.mail import email_letter_after_commit, site_url

from ..models import Invite, InvitePolicy


def invites_mark_expired(*, now=None) -> int:
    """Mark active and paused links past their expiry as expired: one UPDATE; running it twice changes nothing."""
    now = now or timezone.now()
    return Invite.objects.filter(status__in=[Invite.Status.ACTIVE, Invite.Status.PAUSED], expires_at__lte=now).update(
        status=Invite.Status.EXPIRED, status_changed_at=now
    )


def invites_annul_unused(*, now=None) -> int:
    """«Аннулирует невостребованные ссылки-приглашения»: revoke links never used within the organisation's limit,
    record it and tell each creator.

    One transaction per creator revokes their links (conditional UPDATEs), writes the audit entries and queues
    their letter. A crash leaves every creator either fully done and told, or untouched for the next run:
    nobody is told twice and nobody is left untold."""
    now = now or timezone.now()
    default_days = InvitePolicy._meta.get_field("unused_days").default
    limit = Subquery(InvitePolicy.objects.filter(organisation=OuterRef("organisation")).values("unused_days")[:1])
    candidates = (
        Invite.objects.filter(status=Invite.Status.ACTIVE, use_count=0)
        .annotate(limit_days=limit)
        .select_related("organisation", "created_by", "target_group", "target_chat")
        .order_by("created_by_id", "id")
    )
    by_creator = defaultdict(list)
    for invite in candidates.iterator():
        days = invite.limit_days if invite.limit_days is not None else default_days
        if invite.created_at <= now - timedelta(days=days):
            by_creator[invite.created_by].append((invite, days))
    total = 0
    for creator, items in by_creator.items():
        with transaction.atomic():
            annulled = []
            for invite, days in items:
                changed = Invite.objects.filter(pk=invite.pk, status=Invite.Status.ACTIVE, use_count=0).update(
                    status=Invite.Status.REVOKED,
                    status_changed_at=now,
                    status_note=f"аннулирована: не использована за {days} дн.",
                )
                if changed:
                    audit_record(
                        organisation=invite.organisation,
                        actor=None,
                        action="invite.annulled",
                        obj=invite,
                        details={"days": days},
                    )
                    annulled.append(invite)
            if annulled:
                items = [
                    {
                        "role": i.get_role_display(),
                        "target": i.target_chat or i.target_group,
                        "created": f"{i.created_at:%d.%m.%Y}",
                    }
                    for i in annulled
                ]
                letter = {"items": items, "link": site_url()}
                email_letter_after_commit("invites_annulled", letter, recipients=[creator.email])
            total += len(annulled)
    return total
