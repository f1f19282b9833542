"""While the cache (Redis) is down, pages and the API answer; the guards against guessing refuse with 503
(tests/ratelimit)."""

import pytest
from rest_framework.test import APIClient

from tests.factories import OrganisationFactory, admin_of

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1: connection refused
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = DEAD_REDIS


def test_pages_and_api_lists_answer_without_the_cache(cache_down, client):
    org = OrganisationFactory()
    admin = admin_of(org)
    client.force_login(admin)
    api = APIClient()
    api.force_authenticate(admin)

    assert client.get(f"/orgs/{org.pk}/invites/").status_code == 200
    assert api.get(f"/api/v1/orgs/{org.pk}/invites/").status_code == 200


# What the guards against guessing answer without their counter: tests/ratelimit/test_limiter.py.
