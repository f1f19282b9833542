"""Signed-in test clients, optionally as after picking a language in the footer (the language cookie)."""

from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient


def _in_language(client, language: str | None):
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def api_of(user, language: str | None = None) -> APIClient:
    """An API client authenticated as the user; with a language, reading the answers in it."""
    client = _in_language(APIClient(), language)
    client.force_authenticate(user)
    return client


def page_of(user, language: str | None = None) -> Client:
    """A browser-like client signed in as the user; with a language, reading the pages in it."""
    client = _in_language(Client(), language)
    client.force_login(user)
    return client
