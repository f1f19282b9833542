"""The demo organisations have their «Положение» and «Порядок» in force, approved by their directors, with some
staff acknowledgements done (one on paper) and some pending — the demo teacher's among them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from orgs.demo_data import SCHOOL_DIRECTOR, SCHOOL_TEACHER
from orgs.models import Organisation
from policies.models import Acknowledgement, DocumentVersion
from policies.selectors import version_in_force
from policies.selectors_ack import campaign_for_version, gate_for, progress
from portal.accounts.models import User

pytestmark = pytest.mark.django_db


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_each_demo_organisation_has_its_documents_in_force_and_part_of_the_staff_has_read_them():
    call_command("load_demo", stdout=StringIO())
    organisations = Organisation.objects.order_by("pk")
    assert organisations.count() == 2
    for organisation in organisations:
        for kind in ("regulation", "procedure"):
            version = version_in_force(organisation, kind)
            assert version is not None, (organisation, kind)
            assert version.approved_by is not None and version.agreements.exists()
            p = progress(campaign_for_version(version))
            assert p.done and p.pending, (organisation, kind)
    school = Organisation.objects.get(kind="school")
    assert version_in_force(school, "regulation").approved_by.phone == SCHOOL_DIRECTOR.phone
    assert gate_for(User.objects.get(phone=SCHOOL_TEACHER.phone)).has_pending_acknowledgements
    assert Acknowledgement.objects.filter(method="paper").exists()

    counts = (DocumentVersion.objects.count(), Acknowledgement.objects.count())
    call_command("load_demo_policies", stdout=StringIO())
    assert (DocumentVersion.objects.count(), Acknowledgement.objects.count()) == counts
