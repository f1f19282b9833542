"""A member who chose English in the footer (the language cookie) reads the roster import's errors in English, in
the API's error shape."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.clients import api_of
from tests.factories import ClassFactory, OrganisationFactory, admin_of

from .helpers import csv_bytes, pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def english():
    org = OrganisationFactory()
    ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    return org, api_of(admin_of(org), "en")


def test_import_errors_come_back_in_english(english):
    org, client = english
    base = f"/api/v1/orgs/{org.pk}/roster/imports/"
    data = csv_bytes([pupil("Петров", "Пётр", "5А")])
    resp = client.post(base, {"kind": "students", "file": SimpleUploadedFile("a.csv", data)}, format="multipart")
    assert resp.status_code == 201, resp.content
    url = f"{base}{resp.json()['id']}/"

    resp = client.post(url + "fix/", {"row": 99, "values": {"last_name": "Белов"}}, format="json")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "row_not_found"
    assert resp.json()["error"]["message"] == "The file has no row 99."

    resp = client.get(f"{base}999999/")
    assert resp.status_code == 404 and resp.json()["error"]["message"] == "Import not found."
