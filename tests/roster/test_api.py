import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from roster.models import RosterEntry
from tests.factories import ClassFactory, OrganisationFactory, admin_of, teacher_of

from .helpers import csv_bytes, pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    org = OrganisationFactory()
    ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    client = APIClient()
    client.force_authenticate(admin_of(org))
    return org, client


def test_upload_preview_fix_confirm_status_errors(api, django_capture_on_commit_callbacks):
    org, client = api
    base = f"/api/v1/orgs/{org.pk}/roster/imports/"
    data = csv_bytes([pupil("Петров", "Пётр", "5А"), pupil("Котова", "Ольга", "5Г"), pupil("", "Без", "5А")])
    resp = client.post(base, {"kind": "students", "file": SimpleUploadedFile("a.csv", data)}, format="multipart")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["totals"]["accepted"] == 1 and body["totals"]["error"] == 2
    assert body["rows"][1]["messages"] == ["Строка 3, столбец «Класс»: класс «5Г» не найден — создать?"]
    assert body["missing_classes"] == {"5Г": [3]}
    url = f"{base}{body['id']}/"
    resp = client.post(url + "classes/", {"classes": ["5Г"]}, format="json")
    assert resp.json()["totals"]["accepted"] == 2
    resp = client.post(url + "fix/", {"row": 4, "values": {"last_name": "Белов"}}, format="json")
    assert resp.json()["totals"]["accepted"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(url + "confirm/")
    assert resp.status_code == 202
    status = client.get(url + "status/").json()
    assert status["status"] == "done" and status["progress"] == {
        "status": "done",
        "done": 3,
        "total": 3,
        "finished": True,
    }
    assert status["result"]["new"] == 3 and status["result"]["classes_created"] == ["5Г"]
    assert RosterEntry.objects.filter(organisation=org).count() == 3
    resp = client.post(url + "confirm/")
    assert resp.status_code == 409
    assert client.get(url + "errors/").status_code == 200


def test_bad_file_and_rights(api):
    org, client = api
    base = f"/api/v1/orgs/{org.pk}/roster/imports/"
    resp = client.post(base, {"kind": "students", "file": SimpleUploadedFile("a.csv", b"")}, format="multipart")
    assert resp.status_code == 400 and resp.json()["error"]["message"]
    client.force_authenticate(teacher_of(org))
    resp = client.post(
        base, {"kind": "students", "file": SimpleUploadedFile("a.csv", csv_bytes([]))}, format="multipart"
    )
    assert resp.status_code == 403
