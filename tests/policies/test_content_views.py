"""The «Правила для чатов» page of the organisation's settings: administrators keep the list; nobody else sees it;
a refused message in the browser shows the clause."""

import pytest
from django.urls import reverse

from chats.models import Chat, Message
from chats.services.sync import chats_sync_organisation
from policies.models import ForbiddenService
from tests.factories import ClassFactory, OrganisationFactory, admin_of, curator_of, student_in, teacher_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory()


def test_the_administrator_sees_adds_suspends_edits_and_removes_services(client, org):
    client.force_login(admin_of(org))
    page = client.get(reverse("policies:content_rules", args=[org.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Правила для чатов" in text and "WhatsApp" in text and "chat.whatsapp.com" in text
    assert (
        reverse("policies:content_rules", args=[org.pk])
        in client.get(reverse("orgs:profile", args=[org.pk])).content.decode()
    )

    resp = client.post(
        reverse("policies:content_rules", args=[org.pk]),
        {"name": "ICQ", "domains": "icq.im\nhttps://icq.com/", "name_forms": "аська, icq", "enabled": "on"},
    )
    assert resp.status_code == 302
    icq = ForbiddenService.objects.get(organisation=org, name="ICQ")
    assert icq.domains == ["icq.im", "icq.com"] and icq.name_forms == ["аська", "icq"] and icq.enabled

    bad = client.post(reverse("policies:content_rules", args=[org.pk]), {"name": "Telegram", "domains": "tg.example"})
    assert bad.status_code == 200 and "уже есть в списке" in bad.content.decode()

    client.post(reverse("policies:content_rule_toggle", args=[org.pk, icq.pk]))
    icq.refresh_from_db()
    assert not icq.enabled
    resp = client.post(
        reverse("policies:content_rule_edit", args=[org.pk, icq.pk]),
        {"name": "ICQ New", "domains": "icq.im", "name_forms": "аська", "enabled": "on"},
    )
    assert resp.status_code == 302
    icq.refresh_from_db()
    assert icq.name == "ICQ New" and icq.enabled and icq.domains == ["icq.im"]
    client.post(reverse("policies:content_rule_delete", args=[org.pk, icq.pk]))
    assert not ForbiddenService.objects.filter(pk=icq.pk).exists()


def test_other_members_get_403_and_other_organisations_404(client, org):
    service_id = ForbiddenService.objects.create(organisation=org, name="X", domains=["x.example"]).pk
    for user in (teacher_of(org, position="director"), teacher_of(org)):
        client.force_login(user)
        assert client.get(reverse("policies:content_rules", args=[org.pk])).status_code == 403
        assert client.post(reverse("policies:content_rule_delete", args=[org.pk, service_id])).status_code == 403
    other = OrganisationFactory()
    client.force_login(admin_of(other))
    assert client.get(reverse("policies:content_rules", args=[org.pk])).status_code == 404
    assert client.post(reverse("policies:content_rule_delete", args=[other.pk, service_id])).status_code == 404
    assert ForbiddenService.objects.filter(pk=service_id).exists()


def test_a_refused_message_in_the_browser_shows_the_clause(client, org):
    group = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    kid = student_in(group)
    curator_of(group)
    chats_sync_organisation(organisation=org)
    chat = Chat.objects.get(group=group, kind="class")
    client.force_login(kid)
    resp = client.post(reverse("chats:post", args=[chat.pk]), {"text": "https://chat.whatsapp.com/AbC"}, follow=True)
    text = resp.content.decode()
    assert "«WhatsApp»" in text and "п. 4.3 Порядка использования платформы" in text
    assert not Message.objects.filter(chat=chat).exists()
