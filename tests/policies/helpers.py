"""An organisation with an administrator, a director and a teacher, for the policies tests."""

import datetime
from dataclasses import dataclass

from orgs.models import Membership, Organisation
from portal.accounts.models import User
from tests.factories import OrganisationFactory, admin_of, teacher_of


@dataclass
class Office:
    org: Organisation
    admin: User
    director: User
    teacher: User


def office(**org_fields) -> Office:
    org = OrganisationFactory(**org_fields)
    return Office(
        org=org,
        admin=admin_of(org),
        director=teacher_of(org, position=Membership.Position.DIRECTOR),
        teacher=teacher_of(org),
    )


PROTOCOL_DATE = datetime.date(2026, 8, 28)
