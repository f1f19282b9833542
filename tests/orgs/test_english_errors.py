"""A member who chose English in the footer reads the organisation's errors in English: in the API's error shape
and in the pages' messages, with the organisation's own words (class, staff room) in English too."""

import pytest
from django.urls import reverse

from orgs.models import Group, Membership
from tests.clients import api_of, page_of
from tests.factories import ClassFactory, OrganisationFactory, admin_of

pytestmark = pytest.mark.django_db


def english_api(user):
    return api_of(user, "en")


def english_page(user):
    return page_of(user, "en")


def test_a_duplicate_class_and_the_staff_room_are_refused_in_english_over_the_api():
    org = OrganisationFactory()
    ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    api = english_api(admin_of(org))
    dup = api.post(f"/api/v1/orgs/{org.pk}/groups/", {"kind": "class", "grade": 5, "letter": "а"}, format="json")
    assert dup.status_code == 409
    assert dup.json()["error"]["message"] == "“5А” is already in the structure."
    staff = Group.objects.get(organisation=org, kind="staff")
    archive = api.post(f"/api/v1/orgs/{org.pk}/groups/{staff.pk}/archive/")
    assert archive.status_code == 400
    assert archive.json()["error"]["message"] == "The group “Staff room” cannot be deleted or archived."


def test_the_last_administrator_cannot_be_removed_and_the_english_page_says_why():
    org = OrganisationFactory()
    admin = admin_of(org)
    response = english_page(admin).post(
        reverse("orgs:person_action", args=[org.pk, admin.pk, "remove-admin"]), follow=True
    )
    html = response.content.decode()
    assert "The organisation’s last administrator cannot be removed: appoint another one first." in html
    assert "Нельзя снять последнего администратора" not in html
    assert Membership.objects.filter(organisation=org, user=admin, role="admin", valid_to__isnull=True).exists()
