"""The settings page, the administrator's link page and the settings API, as administrators and others use them."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from chats.models import Chat
from chats.services.channels import system_channels_ensure
from invites.models import Invite
from invites.services.policy import policy_for
from orgs.models import AuditEntry
from tests.factories import ClassFactory, admin_of, curator_of, teacher_of
from tests.orgs.test_registration import order

pytestmark = pytest.mark.django_db

LIMITS = {
    "teacher_days": 3,
    "student_days": 14,
    "parent_days": 30,
    "max_days": 90,
    "unused_days": 7,
    "leak_margin": 5,
    "leak_spike_uses": 40,
    "leak_spike_minutes": 10,
    "admin_hours": 24,
}


def test_the_settings_page_saves_and_shows_errors_beside_the_fields(client, org):
    admin = admin_of(org)
    client.force_login(admin)
    url = reverse("invites:settings", args=[org.pk])
    page = client.get(url).content.decode()
    assert "Настройки организации" in page and 'value="14"' in page
    refused = client.post(url, {"section": "limits", **LIMITS, "student_days": 120, "staff_headcount": ""})
    text = refused.content.decode()
    assert "Срок ссылки для обучающихся не может быть больше наибольшего срока (90 дн.)." in text
    assert policy_for(org).student_days == 14
    done = client.post(url, {"section": "limits", **LIMITS, "student_days": 21, "staff_headcount": 60}, follow=True)
    assert "Настройки сохранены." in done.content.decode()
    assert policy_for(org).student_days == 21
    org.refresh_from_db()
    assert org.staff_headcount == 60
    audit = client.get(reverse("orgs:audit", args=[org.pk]), {"group": "settings"}).content.decode()
    assert "срок ссылки для обучающихся, дней: 14 → 21" in audit


def test_the_settings_page_renames_channels_and_adds_one(client, org):
    admin = admin_of(org)
    general, staff = system_channels_ensure(organisation=org)[0]
    client.force_login(admin)
    url = reverse("invites:settings", args=[org.pk])
    page = client.get(url).content.decode()
    assert 'value="Общешкольный канал"' in page and 'value="Учительская"' in page
    client.post(url, {"section": "channels", f"title_{general.pk}": "Общий канал Лицея", f"title_{staff.pk}": ""})
    general.refresh_from_db()
    assert general.title == "Общешкольный канал"  # nothing saved: the staff channel's title was empty
    client.post(
        url, {"section": "channels", f"title_{general.pk}": "Общий канал Лицея", f"title_{staff.pk}": "Учительская"}
    )
    general.refresh_from_db()
    assert general.title == "Общий канал Лицея"
    client.post(url, {"section": "new_channel", "title": "Канал олимпиад"})
    assert Chat.objects.filter(organisation=org, kind="extra_channel", title="Канал олимпиад").exists()


def test_only_administrators_open_the_settings(client, org):
    client.force_login(teacher_of(org))
    assert client.get(reverse("invites:settings", args=[org.pk])).status_code == 403
    client.force_login(admin_of(org))
    home = client.get(reverse("orgs:org_home", args=[org.pk])).content.decode()
    assert reverse("invites:settings", args=[org.pk]) in home


def test_the_administrator_link_page_makes_a_link_with_its_order(client, org):
    admin = admin_of(org)
    client.force_login(admin)
    url = reverse("invites:admin_link", args=[org.pk])
    assert (
        reverse("invites:admin_link", args=[org.pk])
        in client.get(reverse("orgs:administrators", args=[org.pk])).content.decode()
    )
    refused = client.post(url, {"recipient_name": "Петрова Анна"})
    assert refused.status_code == 400 and "Укажите номер приказа." in refused.content.decode()
    done = client.post(
        url,
        {"recipient_name": "Петрова Анна", "order_number": "3-к", "order_date": "2026-09-01", "order_file": order()},
    )
    invite = Invite.objects.get(role="admin")
    assert done.url == reverse("invites:detail", args=[org.pk, invite.pk])
    assert invite.max_uses == 1 and invite.admin_order.number == "3-к"
    client.force_login(teacher_of(org))
    assert client.get(url).status_code == 403


def test_the_invite_form_offers_a_curator_link_to_administrators(client, org):
    cls = ClassFactory(organisation=org)
    client.force_login(admin_of(org))
    url = reverse("invites:create", args=[org.pk])
    # The role comes first: the administrator is offered a curator's link among the roles.
    assert 'href="?role=curator"' in client.get(url).content.decode()
    assert client.get(url, {"role": "curator"}).status_code == 200
    client.post(url, {"role": "curator", "target_group": cls.pk, "uses": "many", "max_uses": 30})
    invite = Invite.objects.get(role="curator")
    assert (invite.target_group, invite.max_uses) == (cls, 1)
    client.force_login(curator_of(cls))
    assert 'href="?role=curator"' not in client.get(url).content.decode()


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_settings_api_reads_changes_and_refuses_with_messages(org):
    admin = admin_of(org)
    system_channels_ensure(organisation=org)
    api = api_for(admin)
    url = f"/api/v1/orgs/{org.pk}/settings/"
    body = api.get(url).json()
    assert {k: body[k] for k in LIMITS} == LIMITS and body["staff_headcount"] is None
    assert [(c["kind"], c["title"]) for c in body["channels"]] == [
        ("general_channel", "Общешкольный канал"),
        ("staff_channel", "Учительская"),
    ]
    refused = api.patch(url, {"admin_hours": 73, "leak_spike_minutes": 0}, format="json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["fields"] == {
        "leak_spike_minutes": ["Окно всплеска — целое число от 1 до 1440 мин."],
        "admin_hours": ["Срок ссылки для администратора — целое число от 1 до 72 ч."],
    }
    changed = api.patch(url, {"unused_days": 5, "staff_headcount": 70}, format="json")
    assert changed.status_code == 200 and changed.json()["unused_days"] == 5
    assert changed.json()["staff_headcount"] == 70
    assert AuditEntry.objects.filter(action="settings.changed").count() == 2
    assert api_for(teacher_of(org)).get(url).status_code == 403


def test_channels_api_renames_and_creates(org):
    admin = admin_of(org)
    general, _staff = system_channels_ensure(organisation=org)[0]
    api = api_for(admin)
    renamed = api.patch(
        f"/api/v1/orgs/{org.pk}/settings/channels/{general.pk}/", {"title": "Общий канал Лицея"}, format="json"
    )
    assert renamed.status_code == 200 and renamed.json()["title"] == "Общий канал Лицея"
    created = api.post(f"/api/v1/orgs/{org.pk}/settings/channels/", {"title": "Канал олимпиад"}, format="json")
    assert created.status_code == 201 and created.json()["kind"] == "extra_channel"
    refused = api.post(f"/api/v1/orgs/{org.pk}/settings/channels/", {"title": "   "}, format="json")
    assert refused.status_code == 400
    assert (
        api_for(teacher_of(org))
        .post(f"/api/v1/orgs/{org.pk}/settings/channels/", {"title": "Мой канал"}, format="json")
        .status_code
        == 403
    )


def test_administrator_link_api_takes_the_order_file(org):
    admin = admin_of(org)
    url = f"/api/v1/orgs/{org.pk}/invites/admin-link/"
    created = api_for(admin).post(
        url, {"order_number": "5-к", "order_date": "2026-09-01", "order_file": order()}, format="multipart"
    )
    assert created.status_code == 201, created.content
    assert created.json()["role"] == "admin" and created.json()["max_uses"] == 1
    assert Invite.objects.get(role="admin").admin_order.file.name.endswith(".pdf")
    refused = api_for(teacher_of(org)).post(url, {"order_number": "6", "order_date": "2026-09-01"}, format="json")
    assert refused.status_code == 403


def test_the_join_pages_of_curator_and_administrator_links_name_the_role(client, org):
    import datetime

    from invites.services import links

    admin = admin_of(org)
    cls = ClassFactory(organisation=org, name="7Б")
    _curator, curator_token = links.invite_create(organisation=org, actor=admin, role="curator", target_group=cls)
    _admin, admin_token = links.invite_create(
        organisation=org,
        actor=admin,
        role="admin",
        admin_order={"number": "1", "date": datetime.date(2026, 9, 1)},
    )
    curator_page = client.get(reverse("invites:join", args=[curator_token]))
    assert curator_page.status_code == 200
    assert "классный руководитель (куратор)" in curator_page.content.decode() and "7Б" in curator_page.content.decode()
    admin_page = client.get(reverse("invites:join", args=[admin_token]))
    assert admin_page.status_code == 200 and "администратор" in admin_page.content.decode()
