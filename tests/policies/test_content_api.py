"""The content-rules API: the organisation's administrators list, add, change and remove forbidden services; other
members get 403; another organisation's are 404; bad input gets a Russian 400."""

import pytest
from rest_framework.test import APIClient

from chats.models import Chat
from chats.services.sync import chats_sync_organisation
from orgs.models import AuditEntry
from tests.factories import ClassFactory, OrganisationFactory, admin_of, curator_of, student_in, teacher_of

pytestmark = pytest.mark.django_db


def url(org, pk=None):
    base = f"/api/v1/orgs/{org.pk}/content-rules/"
    return f"{base}{pk}/" if pk else base


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def org():
    return OrganisationFactory()


def test_the_list_is_seeded_with_the_regulations_services(org):
    resp = client_for(admin_of(org)).get(url(org))
    assert resp.status_code == 200, resp.content
    names = [row["name"] for row in resp.json()["results"]]
    assert names == sorted(
        ["Discord", "Microsoft Teams", "Skype for Business", "Snapchat", "Telegram", "Threema", "Viber", "WhatsApp"]
        + ["WeChat"],
        key=str.casefold,
    )
    telegram = next(row for row in resp.json()["results"] if row["name"] == "Telegram")
    assert "t.me" in telegram["domains"] and "телеграм" in telegram["name_forms"] and telegram["enabled"]


def test_an_administrator_adds_changes_and_removes_a_service_and_the_chats_follow(org):
    admin = admin_of(org)
    group = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    kid = student_in(group)
    curator_of(group)
    chats_sync_organisation(organisation=org)
    chat = Chat.objects.get(group=group, kind="class")
    api, kid_api = client_for(admin), client_for(kid)
    posted = kid_api.post(f"/api/v1/chats/{chat.pk}/messages/", {"text": "Пишите в ICQ"}, format="json")
    assert posted.status_code == 201, posted.content

    resp = api.post(
        url(org), {"name": "ICQ", "domains": ["https://icq.im/"], "name_forms": ["ICQ", "аська"]}, format="json"
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["domains"] == ["icq.im"] and body["name_forms"] == ["icq", "аська"] and body["enabled"]
    refused = kid_api.post(f"/api/v1/chats/{chat.pk}/messages/", {"text": "Пишите в аську"}, format="json")
    assert refused.status_code == 400
    assert "«ICQ»" in refused.json()["error"]["message"] and "п. 4.3" in refused.json()["error"]["message"]
    link = kid_api.post(f"/api/v1/chats/{chat.pk}/messages/", {"text": "icq.im/vasya"}, format="json")
    assert link.status_code == 400

    resp = api.patch(url(org, body["id"]), {"enabled": False}, format="json")
    assert resp.status_code == 200 and resp.json()["enabled"] is False
    again = kid_api.post(f"/api/v1/chats/{chat.pk}/messages/", {"text": "Пишите в аську"}, format="json")
    assert again.status_code == 201, again.content

    assert api.delete(url(org, body["id"])).status_code == 204
    assert api.get(url(org, body["id"])).status_code == 404
    actions = list(
        AuditEntry.objects.filter(organisation=org, action__startswith="content").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        ["content.refused", "content.refused", "content_rule.created", "content_rule.updated", "content_rule.deleted"]
    )


def test_bad_input_gets_a_russian_400(org):
    api = client_for(admin_of(org))
    resp = api.post(url(org), {"name": "X", "domains": ["не домен!"]}, format="json")
    assert resp.status_code == 400 and "не домен" in resp.json()["error"]["message"]
    assert "domains" in resp.json()["error"]["fields"]
    resp = api.post(url(org), {"name": "Пусто"}, format="json")
    assert resp.status_code == 400 and "хотя бы один домен" in resp.json()["error"]["message"]
    resp = api.post(url(org), {"name": "telegram", "domains": ["tg.example"]}, format="json")
    assert resp.status_code == 400 and "уже есть" in resp.json()["error"]["message"]
    resp = api.post(url(org), {"domains": ["a.b"]}, format="json")
    assert resp.status_code == 400 and "name" in resp.json()["error"]["fields"]
    resp = api.post(url(org), {"name": "Y", "name_forms": ["1"]}, format="json")
    assert resp.status_code == 400 and "из букв" in resp.json()["error"]["message"]


def test_other_members_get_403_and_other_organisations_404(org):
    teacher, director = teacher_of(org), teacher_of(org, position="director")
    student = student_in(ClassFactory(organisation=org))
    admin_of(org)
    some = client_for(admin_of(org)).get(url(org)).json()["results"][0]["id"]
    for user in (teacher, director, student):
        api = client_for(user)
        assert api.get(url(org)).status_code == 403
        assert api.post(url(org), {"name": "X", "domains": ["x.example"]}, format="json").status_code == 403
        assert api.patch(url(org, some), {"enabled": False}, format="json").status_code == 403
        assert api.delete(url(org, some)).status_code == 403
    other = OrganisationFactory()
    outsider = client_for(admin_of(other))
    assert outsider.get(url(org)).status_code == 404
    assert outsider.patch(url(org, some), {"enabled": False}, format="json").status_code == 404
    assert outsider.delete(url(org, some)).status_code == 404
    # Another organisation's service through one's own organisation: not found either.
    assert outsider.patch(url(other, some), {"enabled": False}, format="json").status_code == 404
    assert client_for(admin_of(org)).get(url(org, some)).json()["enabled"] is True


def test_the_schema_lists_the_operations():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert set(paths["/api/v1/orgs/{org_pk}/content-rules/"]) >= {"get", "post"}
    assert set(paths["/api/v1/orgs/{org_pk}/content-rules/{id}/"]) >= {"get", "patch", "delete"}
