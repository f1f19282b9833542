"""Demo documents: each demo organisation's «Положение» and «Порядок» written from its data by its administrator,
agreed by the pedagogical council and approved by its director through the real services, then read by part of
the staff (one of them signed on paper), so that the banner and the progress «N из M» have something to show.
A second run changes nothing."""

import datetime

from django.db import transaction
from django.utils import timezone

from orgs.demo_data import SCHOOL_CURATOR, SCHOOL_TEACHER
from orgs.models import Membership, Organisation
from orgs.selectors import administrators

from .models import Document, DocumentVersion
from .selectors import version_in_force
from .selectors_ack import campaign_for_version, progress
from .services.acknowledgements import acknowledgement_record, acknowledgement_record_paper
from .services.documents import version_create
from .services.workflow import version_agreement_add, version_approve

KINDS = (Document.Kind.REGULATION, Document.Kind.PROCEDURE)
# The demo teacher and curator still have the documents to read: they see the banner on signing in.
STILL_READING = {SCHOOL_TEACHER.phone, SCHOOL_CURATOR.phone}


def _director(organisation: Organisation):
    membership = (
        Membership.objects.filter(
            organisation=organisation,
            role=Membership.Role.TEACHER,
            position=Membership.Position.DIRECTOR,
            valid_to__isnull=True,
        )
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def _in_force(organisation: Organisation, kind: str, admin, director) -> DocumentVersion:
    version = version_in_force(organisation, kind)
    if version is not None:
        return version
    version = DocumentVersion.objects.filter(
        document__organisation=organisation, document__kind=kind, status__in=DocumentVersion.OPEN
    ).first() or version_create(organisation=organisation, kind=kind, actor=admin)
    if version.status == DocumentVersion.Status.DRAFT:
        version_agreement_add(
            version=version,
            actor=admin,
            body="Педагогический совет",
            protocol_number="1",
            protocol_date=timezone.localdate() - datetime.timedelta(days=3),
        )
    return version_approve(version=version, actor=director, method=DocumentVersion.ApprovalMethod.IN_APP)


def _acknowledge_some(version: DocumentVersion, admin) -> int:
    """Two of every three staff members read it (one of them signed on paper); the rest, with the demo teacher and
    curator, have it pending. Nothing when someone has already acknowledged."""
    campaign = campaign_for_version(version)
    if campaign is None or campaign.acknowledgements.exists():
        return 0
    done = 0
    for index, row in enumerate(progress(campaign).pending):
        if row.person.phone in STILL_READING or index % 3 == 2:
            continue
        if done == 1:
            acknowledgement_record_paper(campaign=campaign, actor=admin, person=row.person, day=timezone.localdate())
        else:
            acknowledgement_record(campaign=campaign, actor=row.person)
        done += 1
    return done


def demo_policies_load(*, organisation: Organisation) -> list[DocumentVersion]:
    """Bring the organisation's «Положение» and «Порядок» into force where they are not; returns those approved."""
    admin_membership = administrators(organisation).order_by("pk").first()
    director = _director(organisation)
    if admin_membership is None or director is None:
        return []
    approved = []
    with transaction.atomic():
        for kind in KINDS:
            was = version_in_force(organisation, kind)
            version = _in_force(organisation, kind, admin_membership.user, director)
            if was is None:
                approved.append(version)
            _acknowledge_some(version, admin_membership.user)
    return approved
