"""Limits on tries hold exactly when the tries come at once, on the database counter and on Redis; and when the
counter cannot be reached, guessing is refused while pages keep working."""

import os
import uuid
from functools import partial

import pytest
from django.test import Client
from rest_framework.throttling import ScopedRateThrottle

from portal.accounts.models import OneTimeCode
from portal.accounts.services import otp_request, otp_verify, password_login
from portal.exceptions import RateLimited
from tests.concurrency import at_once
from tests.factories import UserFactory
from tests.postgres import NEEDS_POSTGRES

PARALLEL = 12
LIMIT = 5
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


@pytest.fixture(
    params=[
        "database",
        pytest.param("redis", marks=pytest.mark.skipif(not _redis_up(), reason=f"no Redis at {REDIS_URL}")),
    ]
)
def store(request, settings):
    """Where the counters live: the database (any cache but Redis, here the local-memory one) or Redis."""
    if request.param == "redis":
        # A prefix of its own: the test shares the Redis database with nothing it could clear.
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            }
        }
    return request.param


def _count(results, kind) -> int:
    return sum(isinstance(result, kind) for result in results)


pytestmark = pytest.mark.django_db(transaction=True)


def concurrent(test):
    """Parallel writers need a database that lets them wait for each other: the shared in-memory SQLite of the
    tests refuses a locked table at once instead of waiting."""
    return pytest.mark.postgres(NEEDS_POSTGRES(test))


@concurrent
def test_parallel_guessers_of_invite_tokens_get_exactly_the_limit(store, settings):
    settings.INVITE_LOOKUP_FAILURES_PER_HOUR = LIMIT

    def guess(n):
        return Client().get(f"/api/v1/invites/guess{n:020d}/", REMOTE_ADDR="10.0.0.7").status_code

    statuses = at_once([partial(guess, n) for n in range(PARALLEL)])
    assert sorted(statuses) == [404] * LIMIT + [429] * (PARALLEL - LIMIT)
    assert Client().get("/api/v1/invites/guess-late0000000000000/", REMOTE_ADDR="10.0.0.7").status_code == 429


@concurrent
def test_parallel_wrong_passwords_are_checked_exactly_the_limit_of_times(store, settings, rf):
    settings.LOGIN_MAX_FAILURES = LIMIT
    UserFactory(phone="+79123450001")
    results = at_once([partial(password_login, rf.post("/"), identifier="89123450001", password="wrong")] * PARALLEL)
    assert _count(results, type(None)) == LIMIT
    assert _count(results, RateLimited) == PARALLEL - LIMIT


@concurrent
def test_parallel_code_requests_send_exactly_the_hourly_limit(store, settings, sms_outbox):
    settings.OTP_MAX_PER_HOUR = LIMIT
    results = at_once([partial(otp_request, identifier="+79123456789")] * PARALLEL)
    assert _count(results, RateLimited) == PARALLEL - LIMIT
    assert OneTimeCode.objects.filter(destination="+79123456789").count() == LIMIT


@concurrent
def test_parallel_wrong_codes_are_compared_exactly_the_limit_of_times(store, settings):
    settings.OTP_MAX_ATTEMPTS = LIMIT
    otp_request(identifier="+79123456789")
    results = at_once([partial(otp_verify, identifier="+79123456789", code="not-it")] * PARALLEL)
    assert [r.message for r in results if not isinstance(r, RateLimited)] == ["Неверный код."] * LIMIT
    assert _count(results, RateLimited) == PARALLEL - LIMIT
    assert OneTimeCode.objects.get().attempts == LIMIT


@concurrent
@pytest.mark.parametrize(
    ("scope", "url", "body"),
    [
        ("login", "/api/v1/auth/token/", {"login": "+79123450001", "password": "wrong"}),
        ("otp", "/api/v1/auth/code/", {"login": "nobody@example.org"}),
        ("registration", "/api/v1/registrations/", {}),
    ],
)
def test_parallel_api_requests_pass_a_throttle_exactly_the_rate(store, monkeypatch, scope, url, body):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {scope: f"{LIMIT}/hour"})

    def post():
        return Client().post(url, body, content_type="application/json", REMOTE_ADDR="10.0.0.9").status_code

    statuses = at_once([post] * PARALLEL)
    assert statuses.count(429) == PARALLEL - LIMIT
    assert len([s for s in statuses if s != 429]) == LIMIT


def test_a_right_password_clears_the_failures_and_a_try_given_back_does_not_count(store, settings, rf):
    from portal.ratelimit import limiter

    settings.LOGIN_MAX_FAILURES = 2
    user = UserFactory(phone="+79123450001")
    for _ in range(3):
        assert password_login(rf.post("/"), identifier="89123450001", password="wrong") is None
        assert password_login(rf.post("/"), identifier="+7 912 345-00-01", password="pass-Word-123") == user
    for _ in range(3):
        limiter.take("test", "10.0.0.1", limit=1, window=60, message="Хватит.", code="test")
        limiter.give_back("test", "10.0.0.1")
    limiter.take("test", "10.0.0.1", limit=1, window=60, message="Хватит.", code="test")
    with pytest.raises(RateLimited, match="Хватит."):
        limiter.take("test", "10.0.0.1", limit=1, window=60, message="Хватит.", code="test")


# --- The counter cannot be reached -------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    """Redis configured on a port where nothing listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }


UNAVAILABLE = "Сейчас нельзя проверить число попыток"


def test_without_the_counter_guessing_is_refused_with_503(redis_down, client, api):
    UserFactory(phone="+79123450001")
    response = client.post("/accounts/login/", {"identifier": "+79123450001", "password": "wrong"})
    assert response.status_code == 503 and UNAVAILABLE in response.content.decode()
    for url, body in [
        ("/api/v1/auth/token/", {"login": "+79123450001", "password": "wrong"}),
        ("/api/v1/auth/code/", {"login": "+79123450001"}),
    ]:
        response = api.post(url, body, format="json")
        assert response.status_code == 503 and UNAVAILABLE in response.json()["error"]["message"]
    response = api.get("/api/v1/invites/guess00000000000000000/")
    assert response.status_code == 503 and UNAVAILABLE in response.json()["error"]["message"]
    response = client.get("/join/guess00000000000000000/")
    assert response.status_code == 503 and UNAVAILABLE in response.content.decode()
    assert not OneTimeCode.objects.exists()


def test_without_the_counter_pages_and_registration_still_work(redis_down, client, api):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/register/").status_code == 200
    # The registration throttle lets the request through to the form's checks.
    response = api.post("/api/v1/registrations/", {}, format="json")
    assert response.status_code == 400


def test_the_periodic_purge_deletes_database_counters_of_ended_windows(monkeypatch):
    from portal.accounts.tasks import purge_expired_codes
    from portal.ratelimit import limiter
    from portal.ratelimit.models import Counter

    limiter.hit("test", "ended", limit=1, window=1)
    limiter.hit("test", "running", limit=1, window=3600)
    now = limiter._now_ms()
    monkeypatch.setattr(limiter, "_now_ms", lambda: now + 2000)
    purge_expired_codes()
    assert Counter.objects.count() == 1
    # The running window still counts.
    assert not limiter.hit("test", "running", limit=1, window=3600).allowed
