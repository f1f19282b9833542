"""The interface language: Russian by default, English only when chosen with the switch in the footer."""

import re

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from tests.factories import OrganisationFactory, admin_of, teacher_of

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@pytest.fixture(autouse=True)
def _portal_locale(settings):
    # A no-op once portal.middleware.PortalLocaleMiddleware is in settings.MIDDLEWARE.
    settings.MIDDLEWARE = [
        "portal.middleware.PortalLocaleMiddleware" if m == "django.middleware.locale.LocaleMiddleware" else m
        for m in settings.MIDDLEWARE
    ]
    language = translation.get_language()
    yield
    # The middleware activates the language for the thread; later tests expect the default again.
    translation.activate(language)


@pytest.fixture
def english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _block(html: str, tag: str) -> str:
    found = re.search(rf"<{tag}\b[^>]*>(.*?)</{tag}>", html, re.S)
    assert found, f"no <{tag}> on the page"
    return found.group(1)


def _people_page(client):
    org = OrganisationFactory()
    admin = admin_of(org)
    teacher_of(org, verified=False)
    client.force_login(admin)
    return org, client.get(reverse("orgs:people", args=[org.pk]))


def test_sign_in_page_is_english_with_the_language_cookie(english):
    response = english.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert _block(html, "h1") == "Sign in to the portal"
    assert "<title>Sign in — Portal</title>" in html
    for text in ("Phone or e-mail", "Password", "Sign in with a one-time code", "Apply for registration", "Language"):
        assert text in html
    for part in ("title", "header", "h1", "form", "label"):
        assert not CYRILLIC.search(_block(html, part)), part
    assert response["Content-Language"] == "en"


def test_people_page_is_english_with_the_language_cookie(english):
    org, response = _people_page(english)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert _block(html, "h1") == "People"
    nav = _block(html, "nav")
    for text in ("Profile", "Structure", "People", "Administrators"):
        assert f">{text}</a>" in nav
    assert '>Verification <span class="nav-count">1 waiting</span></a>' in nav  # the unverified teacher waits
    # The organisation's own name is data, not interface: it stays as it was registered.
    assert not CYRILLIC.search(nav.replace(org.short_name, ""))
    thead = _block(html, "thead")
    assert "Full name" in thead and "Role" in thead and "Verification" in thead
    # The class column is named by the organisation's vocabulary (orgs/vocabulary.py), not by a catalogue entry.
    assert not CYRILLIC.search(thead.replace(org.vocabulary.group.capitalize(), ""))
    assert "Sign out" in _block(html, "header")
    assert "2 members found." in html
    assert ">Search by name:</label>" in html and ">Show</button>" in html
    assert "<td>administrator</td>" in html and "not verified" in html


def _assert_russian(response, heading: str) -> None:
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ru">' in html
    assert _block(html, "h1") == heading
    assert "Sign in" not in html and "Language" not in html
    assert response["Content-Language"] == "ru"
    assert "Accept-Language" not in response.get("Vary", "")


def test_an_english_browser_without_the_cookie_gets_the_russian_sign_in_page(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    _assert_russian(response, "Вход на портал")


def test_an_english_browser_without_the_cookie_gets_the_russian_people_page(client):
    org = OrganisationFactory()
    client.force_login(admin_of(org))
    response = client.get(reverse("orgs:people", args=[org.pk]), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    _assert_russian(response, "Люди")
    assert ">Структура</a>" in _block(response.content.decode(), "nav")


def test_the_footer_switch_turns_english_on_and_back_off(client):
    login = reverse("accounts:login")
    response = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert response.status_code == 302 and response["Location"] == login
    assert "Sign in to the portal" in client.get(login).content.decode()

    client.post(reverse("set_language"), {"language": "ru", "next": login})
    html = client.get(login, HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert '<html lang="ru">' in html and "Вход на портал" in html


def test_an_unknown_language_in_the_cookie_falls_back_to_russian(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "de"
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert '<html lang="ru">' in html and "Вход на портал" in html
