"""Acknowledgement of the documents («Подтверждаю ознакомление»): a campaign opens when a major version enters into
force; people acknowledge in the portal (a parent for their child), the administrator records paper signatures, and a
daily job reminds those who have not read it yet."""

import datetime
import logging
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Membership, ParentLink
from orgs.permissions import is_member
from orgs.services.audit import audit_record
from portal.exceptions import Conflict, PermissionDenied, RuleViolation
from portal.mail import email_after_commit, letter_render, site_url

from ..models import Acknowledgement, AcknowledgementCampaign, AcknowledgementReminder, Document, DocumentVersion
from ..permissions import require_manage_documents
from ..selectors_ack import audience, progress, version_in_force_of

logger = logging.getLogger(__name__)

# Days after the start of a campaign on which those who have not read the document are reminded.
REMINDER_DAYS = (3, 7)


def campaign_open(version: DocumentVersion, now: datetime.datetime) -> AcknowledgementCampaign | None:
    """Inside the transaction that brings the version into force: the first version of a major number asks its
    audience to acknowledge it and closes the campaign of the previous major; a minor version asks nobody again.
    The user agreement is accepted, not acknowledged: it opens no campaign."""
    document = version.document
    if document.kind == Document.Kind.USER_TERMS:
        return None
    if AcknowledgementCampaign.objects.filter(document=document, major=version.major).exists():
        return None
    AcknowledgementCampaign.objects.filter(document=document, closed_at__isnull=True).update(closed_at=now)
    return AcknowledgementCampaign.objects.create(
        document=document,
        major=version.major,
        version=version,
        students=document.ask_students,
        parents=document.ask_parents,
        started_at=now,
    )


def document_audience_set(*, document: Document, actor, ask_students: bool, ask_parents: bool) -> Document:
    """Who besides the staff is asked to acknowledge the document; the open campaign asks them from now on."""
    organisation = document.organisation
    require_manage_documents(actor, organisation)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        document.ask_students, document.ask_parents = bool(ask_students), bool(ask_parents)
        document.save(update_fields=["ask_students", "ask_parents"])
        document.campaigns.filter(closed_at__isnull=True).update(
            students=document.ask_students, parents=document.ask_parents
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="policy.audience_changed",
            obj=document,
            details={"students": document.ask_students, "parents": document.ask_parents},
        )
    return document


def _in_audience(campaign: AcknowledgementCampaign, person) -> bool:
    return audience(campaign).filter(user=person).exists()


def _require_open(campaign: AcknowledgementCampaign) -> None:
    if campaign.closed_at is not None:
        raise Conflict(_("Эта версия утратила силу: ознакомьтесь с действующей."), code="campaign_closed")


def _record(campaign, person, *, method, day, actor) -> Acknowledgement:
    """Write the acknowledgement once: a second one (a double click, two tabs) is refused by the unique key."""
    try:
        with transaction.atomic():
            return Acknowledgement.objects.create(
                campaign=campaign,
                person=person,
                version=version_in_force_of(campaign),
                method=method,
                acknowledged_on=day,
                recorded_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("Ознакомление уже отмечено."), code="already_acknowledged") from None


def acknowledgement_record(*, campaign: AcknowledgementCampaign, actor, child=None) -> Acknowledgement:
    """«Подтверждаю ознакомление» in the portal, by the person in the audience, or by a parent for their child when the
    campaign asks students."""
    _require_open(campaign)
    organisation_id = campaign.document.organisation_id
    if child is None:
        if not _in_audience(campaign, actor):
            raise PermissionDenied(_("Этот документ вам на ознакомление не направлялся."), code="not_in_audience")
        return _record(campaign, actor, method=Acknowledgement.Method.PORTAL, day=timezone.localdate(), actor=actor)
    linked = ParentLink.objects.filter(
        organisation_id=organisation_id, parent=actor, child=child, valid_to__isnull=True
    ).exists()
    if not linked:
        raise PermissionDenied(_("Отметить ознакомление можно только за своего ребёнка."), code="not_your_child")
    is_student = is_member(child, organisation_id, Membership.Role.STUDENT)
    if not (campaign.students and is_student):
        raise PermissionDenied(_("Обучающихся с этим документом не знакомят."), code="not_in_audience")
    return _record(campaign, child, method=Acknowledgement.Method.PARENT, day=timezone.localdate(), actor=actor)


def acknowledgement_record_paper(
    *, campaign: AcknowledgementCampaign, actor, person, day: datetime.date
) -> Acknowledgement:
    """The administrator records that the person signed the paper sheet on that day («на бумаге»)."""
    organisation = campaign.document.organisation
    require_manage_documents(actor, organisation)
    _require_open(campaign)
    if not isinstance(day, datetime.date):
        raise RuleViolation(_("Укажите дату подписи."), code="invalid", fields={"day": [_("Укажите дату.")]})
    if day > timezone.localdate():
        raise RuleViolation(
            _("Дата подписи не может быть в будущем."), code="invalid", fields={"day": [_("Дата в будущем.")]}
        )
    if not _in_audience(campaign, person):
        raise RuleViolation(
            _("Этого человека с документом не знакомят."),
            code="not_in_audience",
            fields={"person": [_("Не из списка.")]},
        )
    acknowledgement = _record(campaign, person, method=Acknowledgement.Method.PAPER, day=day, actor=actor)
    audit_record(
        organisation=organisation,
        actor=actor,
        action="policy.paper_acknowledgement",
        obj=acknowledgement.version,
        details={"person": person.full_name, "date": day.isoformat()},
    )
    return acknowledgement


def _reminder_letter(campaign: AcknowledgementCampaign, person) -> dict:
    version = version_in_force_of(campaign)
    letter = letter_render(
        "acknowledgement_reminder",
        {
            "person": person,
            "organisation": campaign.document.organisation,
            "version": version,
            "started": timezone.localtime(campaign.started_at).date(),
            "link": site_url("policies:acknowledge"),
        },
    )
    return {**letter, "recipients": [person.email]}


def acknowledgement_reminders_send(now: datetime.datetime | None = None) -> int:
    """Remind each person who has not acknowledged an open campaign, once per reminder day (REMINDER_DAYS after
    the start). The reminder rows are unique per campaign, person and day: a second run, or a worker running at
    the same time, finds them taken and sends nothing. Someone who joined late and is due for both days gets one
    letter. Returns how many people were reminded."""
    now = now or timezone.now()
    first = now - datetime.timedelta(days=min(REMINDER_DAYS))
    campaigns = AcknowledgementCampaign.objects.filter(closed_at__isnull=True, started_at__lte=first)
    reminded = 0
    for campaign in campaigns.select_related("document__organisation").order_by("pk"):
        due = [d for d in REMINDER_DAYS if campaign.started_at + datetime.timedelta(days=d) <= now]
        sent = defaultdict(set)
        for person_id, step in AcknowledgementReminder.objects.filter(campaign=campaign).values_list(
            "person_id", "step"
        ):
            sent[person_id].add(step)
        for row in progress(campaign).pending:
            person = row.person
            missing = [d for d in due if d not in sent[person.pk]]
            if not missing:
                continue
            try:
                with transaction.atomic():
                    AcknowledgementReminder.objects.bulk_create(
                        [
                            AcknowledgementReminder(campaign=campaign, person=person, step=d, sent_at=now)
                            for d in missing
                        ]
                    )
                    if person.email:
                        email_after_commit(**_reminder_letter(campaign, person))
            except IntegrityError:
                continue  # reminded by another run at the same time
            reminded += 1
    return reminded
