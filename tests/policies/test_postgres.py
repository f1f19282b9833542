"""What only PostgreSQL proves: the document's row lock lets one draft and one approval through at a time."""

from functools import partial

import pytest

from policies.models import DocumentVersion
from policies.services.documents import version_create
from policies.services.workflow import version_agreement_add, version_approve
from portal.exceptions import Conflict
from tests.concurrency import at_once
from tests.factories import admin_of
from tests.postgres import POSTGRES_ONLY

from .helpers import PROTOCOL_DATE, office

pytestmark = POSTGRES_ONLY


@pytest.mark.django_db(transaction=True)
def test_two_administrators_starting_a_draft_at_once_make_one():
    o = office()
    second = admin_of(o.org)
    results = at_once(
        [partial(version_create, organisation=o.org, kind="procedure", actor=a) for a in (o.admin, second)]
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "DocumentVersion"]
    assert DocumentVersion.objects.filter(document__organisation=o.org).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_approval_sent_twice_at_once_approves_once():
    o = office()
    version = version_create(organisation=o.org, kind="regulation", actor=o.admin)
    version_agreement_add(
        version=version, actor=o.admin, body="Совет", protocol_number="1", protocol_date=PROTOCOL_DATE
    )
    results = at_once([partial(version_approve, version=version, actor=o.director, method="in_app")] * 2)
    assert sum(isinstance(r, Conflict) for r in results) == 1
    version.refresh_from_db()
    assert version.status == DocumentVersion.Status.IN_FORCE
