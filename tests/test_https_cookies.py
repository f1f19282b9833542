"""Behind HTTPS (DJANGO_SECURE=1, a proxy passing X-Forwarded-Proto: https) every cookie of the portal is
Secure, HttpOnly and SameSite=Lax: the session, the CSRF token (no script of the portal reads it) and the
language the person chose."""

import runpy

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
# What a browser behind the TLS proxy sends; a POST over HTTPS must also name its origin.
HTTPS = {
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_HOST": "testserver",
    "HTTP_ORIGIN": "https://testserver",
    "HTTP_REFERER": "https://testserver/",
}


@pytest.fixture
def production(settings, monkeypatch):
    """The security settings that portal/settings.py derives from DJANGO_SECURE=1."""
    monkeypatch.setenv("DJANGO_SECURE", "1")
    derived = runpy.run_path(str(django_settings.BASE_DIR / "portal" / "settings.py"))
    prefixes = ("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_", "LANGUAGE_COOKIE_")
    for name, value in derived.items():
        if name.startswith(prefixes):
            setattr(settings, name, value)
    return settings


def assert_locked(cookie):
    assert cookie["secure"] is True, f"{cookie.key} is not Secure"
    assert cookie["httponly"] is True, f"{cookie.key} is not HttpOnly"
    assert cookie["samesite"] == "Lax", f"{cookie.key} has SameSite={cookie['samesite']!r}"


def test_cookies_of_sign_in_and_language_switch_are_secure_httponly_and_samesite(production):
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    # Plain HTTP is sent to HTTPS; the proxy's header is trusted.
    assert client.get("/accounts/login/").status_code == 301
    page = client.get("/accounts/login/", **HTTPS)
    assert page.status_code == 200
    csrf = page.cookies[production.CSRF_COOKIE_NAME]
    assert_locked(csrf)

    signed_in = client.post(
        "/accounts/login/",
        {"identifier": user.phone, "password": "pass-Word-123", "csrfmiddlewaretoken": page.context["csrf_token"]},
        **HTTPS,
    )
    assert signed_in.status_code == 302
    assert_locked(signed_in.cookies[production.SESSION_COOKIE_NAME])
    assert_locked(signed_in.cookies[production.CSRF_COOKIE_NAME])  # rotated at sign-in

    home = client.get("/", **HTTPS)
    switched = client.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/", "csrfmiddlewaretoken": home.context["csrf_token"]},
        **HTTPS,
    )
    assert switched.status_code == 302
    assert_locked(switched.cookies[production.LANGUAGE_COOKIE_NAME])
    assert client.get("/", **HTTPS).headers["Content-Language"] == "en"
    assert "Strict-Transport-Security" in client.get("/accounts/login/", **HTTPS).headers
