"""A person's own sessions: seen with device and address, ended one by one or all others; nobody else's."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from orgs.models import AuditEntry
from portal.accounts.devices import describe_device
from portal.accounts.models import UserSession
from portal.accounts.sessions import SEEN_KEY
from portal.ratelimit.limiter import ScopedRateThrottle
from tests.factories import OrganisationFactory, UserFactory, admin_of, teacher_of
from tests.safety.test_access_report import CHROME_WINDOWS, FIREFOX_ANDROID, PASSWORD, api_client, browser, signed_in

pytestmark = pytest.mark.django_db

SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)
YANDEX = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 "
    "YaBrowser/24.10.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    ("agent", "words"),
    [
        (CHROME_WINDOWS, "Chrome, Windows"),
        (FIREFOX_ANDROID, "Firefox, Android"),
        (SAFARI_IPHONE, "Safari, iPhone"),
        (YANDEX, "Яндекс Браузер, Windows"),
        ("curl/8.5.0", "Программа: curl"),
        ("", "Неизвестное устройство"),
    ],
)
def test_devices_are_named_in_plain_words(agent, words):
    assert describe_device(agent) == words


def test_the_sessions_page_shows_device_address_and_times_and_ends_another_session(django_capture_on_commit_callbacks):
    person = UserFactory()
    here = browser(person, CHROME_WINDOWS, "198.51.100.7")
    there = browser(person, SAFARI_IPHONE, "203.0.113.9")
    page = here.get(reverse("accounts:sessions")).content.decode()
    assert "Chrome, Windows" in page and "198.51.100.7" in page
    assert "Safari, iPhone" in page and "203.0.113.9" in page
    assert "этот сеанс" in page and "Сообщить о несанкционированном доступе" in page
    other = UserSession.objects.get(user=person, user_agent=SAFARI_IPHONE)
    with django_capture_on_commit_callbacks(execute=True):
        response = here.post(reverse("accounts:session_end", args=[other.pk]), follow=True)
    assert "Сеанс завершён: Safari, iPhone." in response.content.decode()
    assert not signed_in(there) and signed_in(here)
    current = UserSession.objects.get(user=person, user_agent=CHROME_WINDOWS)
    response = here.post(reverse("accounts:session_end", args=[current.pk]), follow=True)
    assert "Это текущий сеанс" in response.content.decode() and signed_in(here)


def test_end_all_others_keeps_this_one_and_revokes_the_token(django_capture_on_commit_callbacks):
    person = UserFactory()
    here, there = browser(person), browser(person, FIREFOX_ANDROID)
    api = api_client(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = here.post(reverse("accounts:session_end_others"), follow=True)
    assert "Завершены все остальные сеансы и API-токены: 2." in response.content.decode()
    assert signed_in(here) and not signed_in(there)
    assert api.get("/api/v1/auth/sessions/").status_code == 401


def test_over_the_api_a_token_lists_marks_itself_and_ends_the_others(django_capture_on_commit_callbacks):
    person = UserFactory()
    other = browser(person)
    api = api_client(person)
    rows = api.get("/api/v1/auth/sessions/").json()["results"]
    assert {(row["kind"], row["current"]) for row in rows} == {("browser", False), ("token", True)}
    browser_row = next(row for row in rows if row["kind"] == "browser")
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/auth/sessions/{browser_row['id']}/").status_code == 204
    assert not signed_in(other)
    assert api.delete(f"/api/v1/auth/sessions/{browser_row['id']}/").status_code == 404
    assert api.post("/api/v1/auth/sessions/end-others/").json() == {"ended": 0}
    token_row = next(row for row in rows if row["kind"] == "token")
    assert api.delete(f"/api/v1/auth/sessions/{token_row['id']}/").status_code == 204
    assert api.get("/api/v1/auth/sessions/").status_code == 401


def test_nobody_sees_or_ends_another_persons_sessions():
    anna, boris = UserFactory(), UserFactory()
    anna_browser = browser(anna)
    boris_api = api_client(boris)
    boris_browser = browser(boris)
    annas = UserSession.objects.get(user=anna)
    listed = {row["id"] for row in boris_api.get("/api/v1/auth/sessions/").json()["results"]}
    assert annas.pk not in listed and len(listed) == 2
    assert boris_api.delete(f"/api/v1/auth/sessions/{annas.pk}/").status_code == 404
    assert boris_browser.post(reverse("accounts:session_end", args=[annas.pk])).status_code == 404
    assert anna.full_name not in boris_browser.get(reverse("accounts:sessions")).content.decode()
    assert signed_in(anna_browser)
    assert UserSession.objects.get(pk=annas.pk).ended_at is None


def test_last_seen_is_written_at_most_once_every_few_minutes(settings):
    settings.SESSION_TOUCH_SECONDS = 300
    person = UserFactory()
    client = browser(person)
    row = UserSession.objects.get(user=person)
    first = row.last_seen_at
    client.get(reverse("accounts:sessions"))
    assert UserSession.objects.get(pk=row.pk).last_seen_at == first
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 301
    session.save()
    client.get(reverse("accounts:sessions"), REMOTE_ADDR="192.0.2.200")
    row.refresh_from_db()
    assert row.last_seen_at > first and row.ip_address == "192.0.2.200"


def test_the_api_needs_a_sign_in_and_is_rate_limited(monkeypatch):
    assert APIClient().get("/api/v1/auth/sessions/").status_code == 401
    assert APIClient().post("/api/v1/auth/unauthorised-access/").status_code == 401
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"account": "2/hour"})
    api = APIClient()
    api.force_authenticate(UserFactory())
    statuses = [api.get("/api/v1/auth/sessions/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


# --- Administrators -------------------------------------------------------------------------------------------


def test_an_administrator_ends_every_session_of_a_member(django_capture_on_commit_callbacks):
    org = OrganisationFactory()
    admin = admin_of(org)
    person = teacher_of(org)
    their_browser, their_api = browser(person), api_client(person)
    page = Client()
    page.force_login(admin)
    assert "Завершить все сеансы" in page.get(reverse("orgs:person", args=[org.pk, person.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(reverse("safety:member_sessions_end", args=[org.pk, person.pk]), follow=True)
    assert "Сеансы завершены: 2, API-токенов отозвано: 1." in response.content.decode()
    assert not signed_in(their_browser)
    assert their_api.get("/api/v1/auth/sessions/").status_code == 401
    entry = AuditEntry.objects.get(organisation=org, action="account.sessions_ended")
    assert entry.actor == admin and entry.object_id == str(person.pk) and entry.details["tokens"] == 1
    # The password still works.
    assert signed_in(browser(person))


def test_an_administrator_of_another_organisation_cannot_end_them():
    org, other_org = OrganisationFactory(), OrganisationFactory()
    person = teacher_of(org)
    their_browser = browser(person)
    stranger = admin_of(other_org)
    page = Client()
    page.force_login(stranger)
    assert page.post(reverse("safety:member_sessions_end", args=[org.pk, person.pk])).status_code == 404
    assert page.post(reverse("safety:member_sessions_end", args=[other_org.pk, person.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(stranger)
    assert api.post(f"/api/v1/orgs/{org.pk}/people/{person.pk}/end-sessions/").status_code == 404
    assert api.post(f"/api/v1/orgs/{other_org.pk}/people/{person.pk}/end-sessions/").status_code == 404
    colleague = APIClient()
    colleague.force_authenticate(teacher_of(org))
    assert colleague.post(f"/api/v1/orgs/{org.pk}/people/{person.pk}/end-sessions/").status_code == 403
    assert signed_in(their_browser)
    assert not AuditEntry.objects.filter(action="account.sessions_ended").exists()


def test_an_administrator_ends_them_over_the_api(django_capture_on_commit_callbacks):
    org = OrganisationFactory()
    person = teacher_of(org)
    their_api = api_client(person)
    api = APIClient()
    api.force_authenticate(admin_of(org))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/orgs/{org.pk}/people/{person.pk}/end-sessions/")
    assert response.status_code == 200 and response.json() == {"sessions": 1, "tokens": 1, "codes": 0}
    assert their_api.get("/api/v1/auth/sessions/").status_code == 401


# --- Password -------------------------------------------------------------------------------------------------


def test_changing_the_password_needs_the_current_one_and_says_what_is_wrong_in_russian(
    django_capture_on_commit_callbacks,
):
    person = UserFactory()
    here, there = browser(person), browser(person, FIREFOX_ANDROID)
    url = reverse("accounts:password_change")
    wrong = here.post(
        url, {"old_password": "nope", "new_password1": "Nov-Parol-2026", "new_password2": "Nov-Parol-2026"}
    )
    assert "Ваш старый пароль введен неправильно" in wrong.content.decode()
    weak = here.post(url, {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    text = weak.content.decode()
    assert "Введённый пароль слишком широко распространён." in text or "слишком" in text
    with django_capture_on_commit_callbacks(execute=True):
        done = here.post(
            url,
            {"old_password": PASSWORD, "new_password1": "Nov-Parol-2026", "new_password2": "Nov-Parol-2026"},
            follow=True,
        )
    assert "Пароль изменён." in done.content.decode()
    assert signed_in(here) and not signed_in(there)
    person.refresh_from_db()
    assert person.check_password("Nov-Parol-2026")
    assert UserSession.objects.filter(user=person, ended_at__isnull=True).count() == 1


def test_the_help_page_names_the_contacts_the_administrators_and_where_documents_will_be():
    org = OrganisationFactory(contact_phone="+7 (3012) 00-11-22", contact_email="school@example.org")
    admin = admin_of(org)
    student_view = Client()
    student_view.force_login(teacher_of(org))
    page = student_view.get(reverse("safety:help", args=[org.pk])).content.decode()
    assert "+7 (3012) 00-11-22" in page and "school@example.org" in page and admin.full_name in page
    assert "Документы появятся здесь после утверждения." in page
    stranger = Client()
    stranger.force_login(admin_of(OrganisationFactory()))
    assert stranger.get(reverse("safety:help", args=[org.pk])).status_code == 404


def test_sessions_not_seen_for_longer_than_a_session_lives_are_marked_expired(settings):
    from datetime import timedelta

    from django.utils import timezone

    from portal.accounts.tasks import mark_expired_sessions

    person = UserFactory()
    old = UserSession.objects.create(
        user=person,
        session_key="old",
        last_seen_at=timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 60),
    )
    fresh = UserSession.objects.create(user=person, session_key="fresh")
    assert mark_expired_sessions() == 1
    assert mark_expired_sessions() == 0
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.end_reason == UserSession.EndReason.EXPIRED and fresh.ended_at is None


def test_the_help_page_lists_the_documents_in_force_for_every_member():
    from policies.services.workflow import version_approve
    from tests.policies.helpers import office
    from tests.policies.test_workflow import PROTOCOL_DATE, agreed

    o = office()
    version = version_approve(
        version=agreed(o, "procedure"), actor=o.director, method="order", order_number="12", order_date=PROTOCOL_DATE
    )
    parent = Client()
    parent.force_login(teacher_of(o.org))
    page = parent.get(reverse("safety:help", args=[o.org.pk])).content.decode()
    link = reverse("policies:version", args=[o.org.pk, version.pk])
    assert f'href="{link}"' in page and "версия 1.0 — утв. приказом от 28.08.2026 № 12" in page
    assert "Документы появятся здесь после утверждения." not in page
    assert parent.get(link).status_code == 200
