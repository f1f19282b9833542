"""A member who chose English in the footer reads the policies' refusals in English through the API's error shape;
without the choice they stay Russian."""

import pytest

from tests.clients import api_of as client_of

from .helpers import office

pytestmark = pytest.mark.django_db


def base(o) -> str:
    return f"/api/v1/orgs/{o.org.pk}/policies/"


def test_an_unknown_clause_and_an_approval_by_the_administrator_are_refused_in_english():
    o = office()
    admin = client_of(o.admin, "en")
    version = admin.post(base(o), {"kind": "regulation"}, format="json").json()
    r = admin.post(f"{base(o)}versions/{version['id']}/clauses/", {"key": "nope", "text": "x"}, format="json")
    assert r.status_code == 400
    assert r.json()["error"] == {
        "code": "no_clause",
        "message": "There is no such clause in the document.",
        "fields": {"key": ["No such clause."]},
    }
    r = admin.post(f"{base(o)}versions/{version['id']}/approve/", {"method": "in_app"}, format="json")
    assert r.status_code == 403
    assert r.json()["error"]["message"] == "Only the head of the organisation approves a document."


def test_a_wrong_protocol_is_explained_field_by_field_in_english_and_in_russian_without_the_choice():
    o = office()
    version = client_of(o.admin).post(base(o), {"kind": "regulation"}, format="json").json()
    url = f"{base(o)}versions/{version['id']}/agreement/"
    data = {"body": "Совет", "protocol_number": "1", "protocol_date": "2999-01-01"}

    error = client_of(o.admin, "en").post(url, data, format="json").json()["error"]
    assert error["message"] == "Check the review details."
    assert error["fields"] == {"protocol_date": ["The minutes date cannot be in the future."]}

    error = client_of(o.admin).post(url, data, format="json").json()["error"]
    assert error["message"] == "Проверьте сведения о согласовании."
    assert error["fields"]["protocol_date"] == ["Дата протокола не может быть в будущем."]
