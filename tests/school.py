"""One school with one of everything, for the tests that walk every page or every API operation."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from chats.services.events import event_create
from chats.services.sync import chats_sync_organisation
from invites.models import Invite, InviteMailing, JoinRequest
from invites.services.join_requests import join_request_create
from invites.services.links import invite_create
from orgs.models import Group, Organisation, RegistrationApplication
from portal.accounts.models import User
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    UserFactory,
    admin_of,
    curator_of,
    parent_of,
    student_in,
    teacher_of,
    teaches,
)


@dataclass
class School:
    org: Organisation
    cls: Group
    admin: User
    teacher: User  # the curator of 5А, who also teaches there
    kid: User
    parent: User
    invite: Invite
    token: str
    join_request: JoinRequest


def school(kind: str = "school") -> School:
    """A school with class 5А, its curator, a pupil and a parent, a student invite, a pending join request and
    the chats built from its structure; with kind="college", a college with the study group ЭС-21."""
    org = OrganisationFactory(kind=kind)
    if kind == "school":
        cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    else:
        cls = ClassFactory(organisation=org, grade=2, letter="ЭС-21", name="ЭС-21")
    admin = admin_of(org)
    teacher = teacher_of(org)
    curator_of(cls, teacher)
    teaches(cls, teacher)
    kid = student_in(cls)
    parent = parent_of(kid, org)
    invite, token = invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    join_request = join_request_create(organisation=org, user=UserFactory(), role="student", group=cls)
    chats_sync_organisation(organisation=org)
    return School(org, cls, admin, teacher, kid, parent, invite, token, join_request)


def meeting(s: School, chat):
    """A meeting in `chat` tomorrow."""
    return event_create(
        organisation=s.org,
        chat=chat,
        actor=s.admin,
        kind="meeting",
        title="Совещание",
        starts_at=timezone.now() + timedelta(days=1),
    )


def mailing(s: School) -> InviteMailing:
    return InviteMailing.objects.create(organisation=s.org, invite_ids=[s.invite.pk], total=1, created_by=s.admin)


def application(*, short_name: str = "Школа", organisation=None) -> RegistrationApplication:
    """A registration application as the form would leave it."""
    return RegistrationApplication.objects.create(
        kind="school",
        full_name="Школа",
        short_name=short_name,
        address="x",
        region="x",
        municipality="x",
        admin_last_name="x",
        admin_first_name="x",
        admin_email="x@example.org",
        admin_phone="+79140000000",
        order_file="x.pdf",
        organisation=organisation,
    )
