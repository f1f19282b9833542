"""Sending invite links by e-mail where the recipient's address is known, as a background job with progress.

The job records every invite it has handled on the mailing row, under a row lock, so that running it again
(after a crash, or twice at once) never sends the same invite twice; invites whose letter failed are tried again.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Organisation
from orgs.services.audit import audit_record
from portal.dispatch import queue_after_commit
from portal.exceptions import NotFound, RuleViolation
from portal.mail import letter_render

from ..models import Invite, InviteMailing, InviteRole
from ..permissions import require_manage_invite
from .links import invite_url
from .redeem import invite_state

logger = logging.getLogger("invites.sending")
Status = InviteMailing.Status


def invite_mailing_start(*, organisation: Organisation, actor, invites) -> InviteMailing:
    """Queue a mailing of the given invites (the actor must manage each); the job starts after commit."""
    invites = list(invites)
    if not invites:
        raise RuleViolation(_("Выберите приглашения для рассылки."), code="mailing_empty")
    for invite in invites:
        if invite.organisation_id != organisation.pk:
            raise NotFound(_("Ссылка-приглашение не найдена."))
        require_manage_invite(actor, invite)
    if not any(invite.recipient_email for invite in invites):
        raise RuleViolation(
            _("Ни у одного из выбранных приглашений нет адреса e-mail: отправлять некому."), code="mailing_no_addresses"
        )
    ids = list(dict.fromkeys(invite.pk for invite in invites))
    with transaction.atomic():
        mailing = InviteMailing.objects.create(
            organisation=organisation, invite_ids=ids, total=len(ids), created_by=actor
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="invite.mailing_started",
            obj=mailing,
            details={"total": len(ids)},
        )
        from ..tasks import send_invite_emails

        # With the broker down the mailing stays «в очереди» and `invite_mailings_stalled` finds it.
        queue_after_commit(send_invite_emails, mailing.pk)
    return mailing


def invite_mailings_stalled() -> list[int]:
    """Mailings still queued a sweep interval after they were started: their job never reached a worker."""
    older = timezone.now() - timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS)
    return list(
        InviteMailing.objects.filter(status=Status.QUEUED, created_at__lte=older)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def invite_mailing_progress(mailing: InviteMailing) -> dict:
    """What a page shows: «отправлено 12 из 30», the failures and skips, and whether the job has finished."""
    mailing.refresh_from_db()
    handled = mailing.sent + mailing.failed + mailing.skipped
    text = f"отправлено {mailing.sent} из {mailing.total}"
    if mailing.failed:
        text += f", не удалось отправить: {mailing.failed}"
    if mailing.skipped:
        text += f", пропущено (нет e-mail или ссылка не действует): {mailing.skipped}"
    return {
        "status": mailing.status,
        "status_display": str(mailing.get_status_display()),
        "total": mailing.total,
        "sent": mailing.sent,
        "failed": mailing.failed,
        "skipped": mailing.skipped,
        "handled": handled,
        "percent": round(100 * handled / mailing.total) if mailing.total else 100,
        "finished": mailing.status == Status.DONE,
        "text": text,
        "last_error": mailing.last_error,
    }


def invite_mailing_get(user, organisation: Organisation, pk) -> InviteMailing:
    """A mailing of the organisation that the user started, or any of them for an administrator."""
    qs = InviteMailing.objects.filter(organisation=organisation)
    if not user.has_perm("orgs.invite_members", organisation):
        qs = qs.filter(created_by=user)
    try:
        return qs.get(pk=int(pk))
    except (InviteMailing.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Рассылка не найдена.")) from None


def invite_email(invite: Invite, url: str) -> EmailMessage:
    """The letter for one invite: who invites, where, the link, until when; a parent is warned off the child's data."""
    from ..kits import expiry_text, group_label, role_label

    organisation = invite.organisation
    group = group_label(invite)
    letter = letter_render(
        "invite",
        {
            "recipient_name": invite.recipient_name,
            "inviter_name": invite.created_by.full_name,
            "place": f"{organisation.short_name}, {group}" if group else organisation.short_name,
            "role": role_label(invite, organisation),
            "url": url,
            "expiry": expiry_text(invite, organisation),
            "personal": invite.max_uses == 1,
            "parent": invite.role == InviteRole.PARENT,
        },
    )
    return EmailMessage(**letter, to=[invite.recipient_email])


def _skip_reason(invite: Invite | None) -> str:
    if invite is None:
        return "deleted"
    if not invite.recipient_email:
        return "no_email"
    if invite_state(invite) != Invite.Status.ACTIVE:
        return "not_active"
    return ""


def _recount(mailing: InviteMailing) -> None:
    mailing.sent, mailing.failed, mailing.skipped = (
        len(mailing.sent_ids),
        len(mailing.failed_ids),
        len(mailing.skipped_ids),
    )


def _handle_one(mailing_id: int, invite: Invite | None, invite_id: int, connection) -> bool:
    """Send or skip one invite of the mailing; True when a letter went out."""
    sent = False
    # Lock the mailing row so that two runs of the job cannot both send the same invite.
    with transaction.atomic():
        mailing = InviteMailing.objects.select_for_update().get(pk=mailing_id)
        if invite_id in mailing.sent_ids or invite_id in mailing.skipped_ids:
            return False
        url = invite_url(invite) if invite is not None else None
        reason = _skip_reason(invite) or ("" if url else "link_unavailable")
        if reason:
            mailing.skipped_ids.append(invite_id)
        else:
            try:
                message = invite_email(invite, url)
                message.connection = connection
                message.send()
            except (OSError, ValueError) as error:  # SMTP errors, a refused address, a bad header: go on
                logger.warning("Invite %s: letter not sent: %s", invite_id, error)
                if invite_id not in mailing.failed_ids:
                    mailing.failed_ids.append(invite_id)
                mailing.last_error = f"{type(error).__name__}: {error}"[:500]
            else:
                sent = True
                mailing.sent_ids.append(invite_id)
                if invite_id in mailing.failed_ids:
                    mailing.failed_ids.remove(invite_id)
        _recount(mailing)
        mailing.save(update_fields=["sent_ids", "failed_ids", "skipped_ids", "sent", "failed", "skipped", "last_error"])
    return sent


def invite_mailing_run(mailing_id: int) -> InviteMailing | None:
    """Send the letters of a mailing that are not yet sent; idempotent, safe to re-run after a crash."""
    mailing = InviteMailing.objects.filter(pk=mailing_id).first()
    if mailing is None:
        return None
    InviteMailing.objects.filter(pk=mailing_id).exclude(status=Status.RUNNING).update(status=Status.RUNNING)
    invites = {
        invite.pk: invite
        for invite in Invite.objects.filter(pk__in=mailing.invite_ids).select_related(
            "organisation", "target_group", "bound_student", "created_by"
        )
    }
    connection = get_connection()
    pause = settings.INVITE_MAILING_PAUSE_SECONDS
    try:
        for invite_id in mailing.invite_ids:
            if _handle_one(mailing_id, invites.get(invite_id), invite_id, connection) and pause:
                time.sleep(pause)
    finally:
        connection.close()
    InviteMailing.objects.filter(pk=mailing_id).update(status=Status.DONE, finished_at=timezone.now())
    mailing.refresh_from_db()
    return mailing
