"""Every limit on tries in the portal: one fixed-window counter that is incremented first and checked after.

Reading a counter and writing it back later lets parallel requests slip through together: eight guessers that
all read 29 of 30 all get their try. Here a try is counted before it is made, by one atomic operation that
returns the new count, and the try goes ahead only when that count is within the limit; so exactly `limit`
tries pass, however many arrive at once. Callers that count only failures (a wrong password, an unknown
invite token) count the try first and give it back when it succeeds (`give_back`) or clear the counter
(`clear`): the slot is held while the try runs, so parallel tries cannot overtake the limit either.
A refused try stays counted, except where the caller gives it back (the invite guard does, and waits for
slots held by look-ups in progress rather than refusing honest parallel visitors: invites/services/guard.py).

Where the count lives depends on the deployment's cache:

- Redis (production, `CACHE_URL=redis://…`): one Lua script runs INCR and sets the window's expiry on the
  first try; Redis runs a script atomically.
- any other cache (the embedded default is Django's file cache, whose incr is a read and a write that two
  processes can interleave; the local-memory cache is per process): the `ratelimit_counter` table of the
  database, changed by one `INSERT … ON CONFLICT DO UPDATE SET count = count + 1 … RETURNING count`
  statement, atomic on SQLite and PostgreSQL alike. Counters must therefore be taken outside the caller's
  transaction, or a rollback would return the try.

When the counter cannot be reached (Redis down, the database locked past its timeout), limits against
guessing (invite tokens, passwords, one-time codes: `fail_closed=True`, the default) refuse the try with
HTTP 503 and a message saying so: an attacker must not get unlimited tries by knocking Redis over. Limits
that only slow honest traffic down (the API throttle on registration applications) let the request through and
log a warning. Pages that take no tries never touch the counter, so reading the portal keeps working.

The DRF throttles (`ScopedRateThrottle` below, the scopes and rates of REST_FRAMEWORK
DEFAULT_THROTTLE_RATES) count through the same function, in fixed windows of the rate's duration. Database
counters of ended windows are deleted by the periodic purge of one-time codes.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, connection
from rest_framework import throttling

from portal.exceptions import LimiterUnavailable, RateLimited

logger = logging.getLogger("portal.ratelimit")

# Settings.REST_FRAMEWORK throttle scopes that only slow honest traffic down; the others fail closed.
FAIL_OPEN_SCOPES = frozenset({"registration"})


class _Unreachable(Exception):
    """The store of counters did not answer."""


@dataclass(frozen=True)
class Decision:
    count: int
    limit: int
    retry_after: int  # seconds until the window ends

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit


def _key(scope: str, ident: str) -> str:
    # Identifiers are phone numbers, e-mails and addresses: stored hashed, and of a bounded length.
    return f"rl:{scope}:{hashlib.sha256(str(ident).encode()).hexdigest()[:40]}"


# --- Redis ------------------------------------------------------------------------------------------------

_REDIS_HIT = """
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
"""
_REDIS_GIVE_BACK = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0
"""


def _redis(cache, key: str):
    from redis.exceptions import RedisError

    full_key = cache.make_and_validate_key(key)
    client = cache._cache.get_client(full_key, write=True)
    return client, full_key, RedisError


def _redis_hit(cache, key: str, window_ms: int) -> tuple[int, int]:
    client, full_key, error = _redis(cache, key)
    try:
        count, ttl = client.eval(_REDIS_HIT, 1, full_key, window_ms)
    except error as exc:
        raise _Unreachable(str(exc)) from exc
    return int(count), int(ttl)


# --- The database -------------------------------------------------------------------------------------------


def _table() -> str:
    from .models import Counter

    return connection.ops.quote_name(Counter._meta.db_table)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _db_hit(key: str, window_ms: int) -> tuple[int, int]:
    now = _now_ms()
    table, key_col, count_col, expires_col = _table(), *map(connection.ops.quote_name, ("key", "count", "expires_at"))
    # One statement: a new window starts when the old one has ended, else the count goes up by one.
    sql = (
        f"INSERT INTO {table} ({key_col}, {count_col}, {expires_col}) VALUES (%s, 1, %s) "
        f"ON CONFLICT ({key_col}) DO UPDATE SET "
        f"{count_col} = CASE WHEN {table}.{expires_col} <= %s THEN 1 ELSE {table}.{count_col} + 1 END, "
        f"{expires_col} = CASE WHEN {table}.{expires_col} <= %s "
        f"THEN excluded.{expires_col} ELSE {table}.{expires_col} END "
        f"RETURNING {count_col}, {expires_col}"
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, now + window_ms, now, now])
            count, expires_at = cursor.fetchone()
    except DatabaseError as exc:
        raise _Unreachable(str(exc)) from exc
    return int(count), int(expires_at) - now


def _db_give_back(key: str) -> None:
    # Written out: the ORM's building of the `F()` update cost more than its running, on every link's look-up.
    table, key_col, count_col = _table(), *map(connection.ops.quote_name, ("key", "count"))
    sql = f"UPDATE {table} SET {count_col} = {count_col} - 1 WHERE {key_col} = %s AND {count_col} > 0"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])


def _uses_redis():
    cache = caches["default"]
    return cache if isinstance(cache, RedisCache) else None


# --- What the portal calls --------------------------------------------------------------------------------------


def hit(scope: str, ident: str, *, limit: int, window: int, fail_closed: bool = True) -> Decision:
    """Count one try of `ident` against `scope` (at most `limit` in `window` seconds) and return the new count.
    When the counter cannot be reached: raise LimiterUnavailable if `fail_closed`, else allow and log."""
    key, window_ms = _key(scope, ident), max(1, int(window)) * 1000
    try:
        redis_cache = _uses_redis()
        count, ttl_ms = _redis_hit(redis_cache, key, window_ms) if redis_cache else _db_hit(key, window_ms)
    except _Unreachable as exc:
        if fail_closed:
            logger.error("rate limit %s: counter unreachable, refusing: %s", scope, exc)
            raise LimiterUnavailable() from exc
        logger.warning("rate limit %s: counter unreachable, allowing: %s", scope, exc)
        return Decision(count=0, limit=limit, retry_after=0)
    return Decision(count=count, limit=limit, retry_after=max(1, -(-ttl_ms // 1000)))


def take(scope: str, ident: str, *, limit: int, window: int, message: str, code: str) -> Decision:
    """Count one try and raise RateLimited (HTTP 429, `message`) when it is over the limit; fails closed."""
    decision = hit(scope, ident, limit=limit, window=window)
    if not decision.allowed:
        raise RateLimited(message, code=code)
    return decision


def _best_effort(scope: str, ident: str, what: str, on_redis, on_database, default=None):
    """Run `on_redis(client, full_key)` or `on_database(Counter queryset of the key)` on the store of counters;
    log and return `default` when it cannot be reached (only ever for reading, giving back or clearing)."""
    from .models import Counter

    key = _key(scope, ident)
    try:
        redis_cache = _uses_redis()
        if redis_cache is None:
            return on_database(Counter.objects.filter(key=key))
        client, full_key, error = _redis(redis_cache, key)
        try:
            return on_redis(client, full_key)
        except error as exc:
            raise _Unreachable(str(exc)) from exc
    except (_Unreachable, DatabaseError) as exc:
        logger.warning("rate limit %s: could not %s: %s", scope, what, exc)
        return default


def peek(scope: str, ident: str) -> int:
    """The count in the running window, read without counting; only to choose between waiting and refusing,
    never to allow a try. 0 when the counter cannot be reached."""
    return _best_effort(
        scope,
        ident,
        "read",
        lambda client, key: int(client.get(key) or 0),
        lambda rows: rows.filter(expires_at__gt=_now_ms()).values_list("count", flat=True).first() or 0,
        default=0,
    )


def give_back(scope: str, ident: str) -> None:
    """Return a try counted by `take` that turned out not to count (a token that exists). Best effort."""
    _best_effort(
        scope,
        ident,
        "give a try back",
        lambda client, key: client.eval(_REDIS_GIVE_BACK, 1, key),
        lambda rows: _db_give_back(_key(scope, ident)),
    )


def clear(scope: str, ident: str) -> None:
    """Forget the tries of `ident` (a successful sign-in). Best effort."""
    _best_effort(scope, ident, "clear", lambda client, key: client.delete(key), lambda rows: rows.delete())


def purge_expired() -> int:
    """Delete database counters whose window has ended; safe to repeat."""
    from .models import Counter

    deleted, _ = Counter.objects.filter(expires_at__lte=_now_ms()).delete()
    return deleted


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """DRF's scoped throttle counted by `hit` (DRF's own reads a history from the cache and writes it back,
    so parallel requests outrun it). Fixed windows of the rate's duration instead of a sliding history."""

    def allow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        self.decision = hit(
            f"throttle-{self.scope}",
            ident,
            limit=self.num_requests,
            window=self.duration,
            fail_closed=self.scope not in FAIL_OPEN_SCOPES,
        )
        return self.decision.allowed

    def wait(self):
        return self.decision.retry_after
