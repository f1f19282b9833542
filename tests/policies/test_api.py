"""The policies API: the workflow through it, 403 where the role does not allow, 404 across organisations."""

import pytest

from policies.models import DocumentVersion

from .helpers import PROTOCOL_DATE, office

pytestmark = pytest.mark.django_db


def base(o):
    return f"/api/v1/orgs/{o.org.pk}/policies/"


def as_user(api, user):
    api.force_authenticate(user)
    return api


def test_the_workflow_through_the_api(api):
    o = office()
    r = as_user(api, o.admin).post(base(o), {"kind": "procedure", "major": True}, format="json")
    assert r.status_code == 201, r.json()
    version = r.json()
    assert version["number"] == "1.0" and version["status"] == "draft"
    clause = next(c for s in version["sections"] for c in s["clauses"] if c["key"] == "forbidden_services")
    assert clause["number"] == "4.3" and "WhatsApp" in clause["text"] and clause["differs"] is False
    url = f"{base(o)}versions/{version['id']}/"

    r = api.post(url + "clauses/", {"key": "purpose", "text": "Только по учёбе."}, format="json")
    assert r.status_code == 200
    purpose = next(c for s in r.json()["sections"] for c in s["clauses"] if c["key"] == "purpose")
    assert purpose["differs"] and purpose["text"] == "Только по учёбе."

    agreement = {"body": "Совет родителей", "protocol_number": "3", "protocol_date": PROTOCOL_DATE.isoformat()}
    r = api.post(url + "agreement/", agreement, format="json")
    assert r.status_code == 200 and r.json()["status"] == "agreement"
    assert r.json()["agreements"] == [agreement]

    r = api.post(url + "approve/", {"method": "in_app"}, format="json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    r = as_user(api, o.director).post(url + "approve/", {"method": "in_app"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "in_force"

    r = as_user(api, o.admin).post(url + "clauses/", {"key": "purpose", "text": "Иначе."}, format="json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "version_frozen"

    documents = as_user(api, o.teacher).get(base(o)).json()["results"]
    procedure = next(d for d in documents if d["kind"] == "procedure")
    assert [v["status"] for v in procedure["versions"]] == ["in_force"]


def test_a_teacher_may_read_but_not_write(api):
    o = office()
    as_user(api, o.teacher)
    assert api.post(base(o), {"kind": "regulation"}, format="json").status_code == 403
    assert api.get(base(o) + "responsible/").status_code == 200
    data = {"person": o.teacher.pk, "duty": "platform", "position": "учитель", "valid_from": "2026-09-01"}
    assert api.post(base(o) + "responsible/", data, format="json").status_code == 403


def test_drafts_are_hidden_from_teachers(api):
    o = office()
    r = as_user(api, o.admin).post(base(o), {"kind": "regulation"}, format="json")
    url = f"{base(o)}versions/{r.json()['id']}/"
    assert as_user(api, o.teacher).get(url).status_code == 404
    listed = api.get(base(o) + "versions/").json()
    assert (listed["results"] if isinstance(listed, dict) else listed) == []
    assert as_user(api, o.director).get(url).status_code == 200


def test_nothing_crosses_organisations(api):
    o, other = office(), office()
    r = as_user(api, o.admin).post(base(o), {"kind": "regulation"}, format="json")
    vid = r.json()["id"]
    as_user(api, other.admin)
    assert api.get(base(o)).status_code == 404
    assert api.get(f"{base(o)}versions/{vid}/").status_code == 404
    assert api.get(f"{base(other)}versions/{vid}/").status_code == 404
    r = api.post(f"{base(other)}versions/{vid}/clauses/", {"key": "access", "text": "x"}, format="json")
    assert r.status_code == 404
    assert DocumentVersion.objects.get(pk=vid).content == DocumentVersion.objects.get(pk=vid).template_content
    data = {"person": o.teacher.pk, "duty": "platform", "position": "учитель", "valid_from": "2026-09-01"}
    r = api.post(base(other) + "responsible/", data, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "member_not_found"


def test_responsible_persons_through_the_api(api):
    o = office()
    data = {
        "person": o.teacher.pk,
        "duty": "personal_data",
        "position": "заместитель директора",
        "valid_from": "2026-09-01",
    }
    r = as_user(api, o.admin).post(base(o) + "responsible/", data, format="json")
    assert r.status_code == 201 and r.json()["person"]["id"] == o.teacher.pk
    r = api.post(f"{base(o)}responsible/{r.json()['id']}/end/", {"valid_to": "2026-08-01"}, format="json")
    assert r.status_code == 400 and "valid_to" in r.json()["error"]["fields"]


def test_bad_input_is_a_400_with_the_error_shape(api):
    o = office()
    as_user(api, o.admin)
    assert api.post(base(o), {"kind": "nothing"}, format="json").status_code == 400
    r = api.post(base(o), {"kind": "regulation"}, format="json")
    url = f"{base(o)}versions/{r.json()['id']}/"
    r = api.post(
        url + "agreement/", {"body": "Совет", "protocol_number": "1", "protocol_date": "2999-01-01"}, format="json"
    )
    assert r.status_code == 400 and "protocol_date" in r.json()["error"]["fields"]
    r = api.post(url + "clauses/", {"key": "nope", "text": "x"}, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "no_clause"
