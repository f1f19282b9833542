"""Reads of the acknowledgement campaigns and the user agreement: who is asked, who has read, what a person still
has to read or accept. Shared by the pages, the API, the jobs and the middleware."""

from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from orgs.models import Membership, Organisation, ParentLink
from portal.exceptions import NotFound

from .models import Acknowledgement, AcknowledgementCampaign, Document, DocumentVersion, TermsAcceptance

Role = Membership.Role
STAFF_ROLES = (Role.ADMIN, Role.TEACHER)


def audience_roles(campaign: AcknowledgementCampaign) -> list[str]:
    roles = list(STAFF_ROLES) if campaign.staff else []
    if campaign.students:
        roles.append(Role.STUDENT)
    if campaign.parents:
        roles.append(Role.PARENT)
    return roles


def _active_members(organisation_id) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation_id=organisation_id, valid_to__isnull=True).exclude(
        verification=Membership.Verification.REJECTED
    )


def audience(campaign: AcknowledgementCampaign) -> QuerySet[Membership]:
    """The memberships that make their holders the campaign's audience (a person may hold two: admin and teacher)."""
    return _active_members(campaign.document.organisation_id).filter(role__in=audience_roles(campaign))


def _member_of_campaign_org(user, roles) -> Exists:
    return Exists(
        Membership.objects.filter(
            user=user, organisation=OuterRef("document__organisation"), valid_to__isnull=True, role__in=roles
        ).exclude(verification=Membership.Verification.REJECTED)
    )


def campaigns_pending_for(user) -> QuerySet[AcknowledgementCampaign]:
    """The open campaigns whose audience the user is in and that they have not acknowledged."""
    in_audience = (
        Q(_member_of_campaign_org(user, STAFF_ROLES), staff=True)
        | Q(_member_of_campaign_org(user, [Role.STUDENT]), students=True)
        | Q(_member_of_campaign_org(user, [Role.PARENT]), parents=True)
    )
    done = Acknowledgement.objects.filter(campaign=OuterRef("pk"), person=user)
    return AcknowledgementCampaign.objects.filter(in_audience, closed_at__isnull=True).exclude(Exists(done))


def terms_pending_for(user) -> QuerySet[DocumentVersion]:
    """The user agreements in force, in the user's organisations, whose major version the user has not accepted."""
    member = Membership.objects.filter(
        user=user, organisation=OuterRef("document__organisation"), valid_to__isnull=True
    ).exclude(verification=Membership.Verification.REJECTED)
    accepted = TermsAcceptance.objects.filter(
        user=user, version__document=OuterRef("document"), version__major=OuterRef("major")
    )
    return (
        DocumentVersion.objects.filter(
            Exists(member), document__kind=Document.Kind.USER_TERMS, status=DocumentVersion.Status.IN_FORCE
        )
        .exclude(Exists(accepted))
        .select_related("document__organisation")
    )


@dataclass(frozen=True)
class Gate:
    must_accept_terms: bool = False
    has_pending_acknowledgements: bool = False


def gate_for(user) -> Gate:
    """What stands between the person and the portal, in one query: an unaccepted user agreement (every page sends
    them to accept it) and documents to acknowledge (a banner on every page).

    The same rules as terms_pending_for and campaigns_pending_for, written once as SQL: it runs on every page, and
    the ORM's version cost ~2.5 ms of Python to build and ~1.2 ms of planning (three EXISTS joined by OR over every
    open campaign) against ~0.3 ms for this one, which starts from the person's own memberships."""
    if not user.is_authenticated:
        return Gate()
    with connection.cursor() as cursor:
        cursor.execute(_gate_sql(), _gate_params(user.pk))
        row = cursor.fetchone()
    return Gate(bool(row[0]), bool(row[1])) if row else Gate()


def terms_pending_exists(user) -> bool:
    """Whether terms_pending_for(user) has any row, in the gate's hand-written query (the API asks it on every
    request: the ORM's version cost ~1.5 ms of Python to build, more than the rest of a trivial request)."""
    if not user.is_authenticated:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_terms_exists_sql()}", _gate_params(user.pk))
        return bool(cursor.fetchone()[0])


def _tables() -> dict:
    return {
        "membership": Membership._meta.db_table,
        "document": Document._meta.db_table,
        "version": DocumentVersion._meta.db_table,
        "acceptance": TermsAcceptance._meta.db_table,
        "campaign": AcknowledgementCampaign._meta.db_table,
        "ack": Acknowledgement._meta.db_table,
    }


def _member_join() -> str:
    return f"""{_tables()["membership"]} m ON m.organisation_id = d.organisation_id
            AND m.user_id = %(user)s AND m.valid_to IS NULL AND m.verification <> %(rejected)s"""


@cache
def _terms_exists_sql() -> str:
    t = _tables()
    return f"""EXISTS (
            SELECT 1 FROM {t["version"]} v
            JOIN {t["document"]} d ON d.id = v.document_id
            JOIN {_member_join()}
            WHERE d.kind = %(user_terms)s AND v.status = %(in_force)s
              AND NOT EXISTS (
                SELECT 1 FROM {t["acceptance"]} a JOIN {t["version"]} av ON av.id = a.version_id
                WHERE a.user_id = %(user)s AND av.document_id = v.document_id AND av.major = v.major)
        )"""


@cache
def _gate_sql() -> str:
    t = _tables()
    return f"""
        SELECT {_terms_exists_sql()}, EXISTS (
            SELECT 1 FROM {t["campaign"]} c
            JOIN {t["document"]} d ON d.id = c.document_id
            JOIN {_member_join()}
            WHERE c.closed_at IS NULL
              AND ((c.staff AND m.role IN (%(admin)s, %(teacher)s)) OR (c.students AND m.role = %(student)s)
                   OR (c.parents AND m.role = %(parent)s))
              AND NOT EXISTS (SELECT 1 FROM {t["ack"]} k WHERE k.campaign_id = c.id AND k.person_id = %(user)s)
        )"""


def _gate_params(user_id) -> dict:
    return {
        "user": user_id,
        "rejected": Membership.Verification.REJECTED.value,
        "user_terms": Document.Kind.USER_TERMS.value,
        "in_force": DocumentVersion.Status.IN_FORCE.value,
        "admin": Role.ADMIN.value,
        "teacher": Role.TEACHER.value,
        "student": Role.STUDENT.value,
        "parent": Role.PARENT.value,
    }


def campaign_for_version(version: DocumentVersion) -> AcknowledgementCampaign | None:
    """The campaign a version belongs to: the one of its major number (a minor version asks nobody again)."""
    return (
        AcknowledgementCampaign.objects.filter(document_id=version.document_id, major=version.major)
        .select_related("document__organisation", "version")
        .first()
    )


def campaign_get(organisation: Organisation, version_id) -> AcknowledgementCampaign:
    """The campaign of a version of this organisation (by the id of any of its versions); NotFound otherwise."""
    try:
        version = DocumentVersion.objects.get(pk=int(version_id), document__organisation=organisation)
    except (DocumentVersion.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Версия документа не найдена.")) from None
    campaign = campaign_for_version(version)
    if campaign is None:
        raise NotFound(_("По этой версии ознакомление не проводилось."), code="no_campaign")
    campaign.asked_version = version
    return campaign


def version_in_force_of(campaign: AcknowledgementCampaign) -> DocumentVersion:
    """The version of the campaign's major number people read now: the one in force, else its last approved one."""
    versions = DocumentVersion.objects.filter(
        document_id=campaign.document_id, major=campaign.major, status__in=DocumentVersion.FROZEN
    ).select_related("document__organisation", "approved_by")
    return versions.filter(status=DocumentVersion.Status.IN_FORCE).first() or versions.order_by("-minor").first()


@dataclass
class ProgressRow:
    person: object
    position: str
    acknowledgement: Acknowledgement | None = None
    left: bool = False  # no longer in the audience (left the organisation)


@dataclass
class Progress:
    campaign: AcknowledgementCampaign
    done: list[ProgressRow] = field(default_factory=list)
    pending: list[ProgressRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.done) + len(self.pending)

    @property
    def rows(self) -> list[ProgressRow]:
        return self.done + self.pending


def _position(membership: Membership) -> str:
    if membership.role == Role.TEACHER and membership.position:
        return membership.get_position_display()
    return membership.get_role_display()


def progress(campaign: AcknowledgementCampaign) -> Progress:
    """Who of the audience has acknowledged (by date) and who has not (by name): three queries whatever the size.

    An acknowledgement of someone who has since left stays in the list: the sheet is a record."""
    rank = {Role.TEACHER: 0, Role.ADMIN: 1, Role.STUDENT: 2, Role.PARENT: 3}
    people: dict[int, tuple] = {}
    for m in audience(campaign).select_related("user"):
        if m.user_id not in people or rank[m.role] < rank[people[m.user_id][0].role]:
            people[m.user_id] = (m, m.user)
    acks = {
        a.person_id: a
        for a in Acknowledgement.objects.filter(campaign=campaign).select_related("person", "recorded_by", "version")
    }
    result = Progress(campaign=campaign)
    for user_id, ack in acks.items():
        membership = people.get(user_id)
        position = _position(membership[0]) if membership else ""
        result.done.append(
            ProgressRow(person=ack.person, position=position, acknowledgement=ack, left=membership is None)
        )
    for user_id, (membership, user) in people.items():
        if user_id not in acks:
            result.pending.append(ProgressRow(person=user, position=_position(membership)))
    result.done.sort(key=lambda r: (r.acknowledgement.acknowledged_on, r.person.full_name.lower(), r.person.pk))
    result.pending.sort(key=lambda r: (r.person.full_name.lower(), r.person.pk))
    return result


@dataclass
class Summary:
    campaign: AcknowledgementCampaign
    version: DocumentVersion
    done: int
    total: int


def progress_summaries(organisation: Organisation) -> list[Summary]:
    """Each campaign of the organisation, open ones first, with «N из M» for the audience as it is now."""
    campaigns = (
        AcknowledgementCampaign.objects.filter(document__organisation=organisation)
        .select_related("document", "version")
        .order_by(F("closed_at").desc(nulls_first=True), "document__kind", "-major")
    )
    summaries = []
    for campaign in campaigns:
        p = progress(campaign)
        done_now = sum(1 for r in p.done if not r.left)
        summaries.append(Summary(campaign, version_in_force_of(campaign), done_now, len(p.pending) + done_now))
    return summaries


def pending_for_user(user) -> list[AcknowledgementCampaign]:
    """The campaigns the user must acknowledge, each with `version` (the text to read) and its organisation."""
    campaigns = list(campaigns_pending_for(user).select_related("document__organisation").order_by("started_at"))
    for campaign in campaigns:
        campaign.current = version_in_force_of(campaign)
    return campaigns


@dataclass
class ChildPending:
    child: object
    organisation: Organisation
    campaigns: list[AcknowledgementCampaign]


def children_pending_for(user) -> list[ChildPending]:
    """For a parent: each child (a student now) with the open campaigns that ask students and the child has not
    acknowledged; the parent may acknowledge for them."""
    links = ParentLink.objects.filter(parent=user, valid_to__isnull=True).select_related("child", "organisation")
    found = []
    for link in links.order_by("organisation_id", "child__last_name", "child_id"):
        campaigns = list(
            campaigns_pending_for(link.child)
            .filter(document__organisation=link.organisation, students=True)
            .select_related("document__organisation")
            .order_by("started_at")
        )
        if campaigns:
            for campaign in campaigns:
                campaign.current = version_in_force_of(campaign)
            found.append(ChildPending(link.child, link.organisation, campaigns))
    return found


def acknowledgements_of(user, organisation: Organisation) -> QuerySet[Acknowledgement]:
    """What the person has acknowledged in the organisation (themselves, by a parent or on paper), latest first."""
    return (
        Acknowledgement.objects.filter(person=user, campaign__document__organisation=organisation)
        .select_related("campaign__document", "version", "recorded_by")
        .order_by("-recorded_at")
    )
