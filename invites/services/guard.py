"""Guards around links: a leaked class link pauses itself; token guessing is rate-limited per address."""

import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Group, Membership, Organisation, Placement
from orgs.services.audit import audit_record
from portal.exceptions import LimiterUnavailable, NotFound, RateLimited
from portal.mail import email_letter_after_commit
from portal.ratelimit import limiter as ratelimit

from ..models import STAFF_ROLES, Invite, InvitePolicy, InviteRole, Redemption
from .redeem_sql import family_uses


def _expected_size(group: Group, family: Q) -> int:
    """The class's planned size, or the roster of those who did not come through this very link."""
    if group.expected_size:
        return group.expected_size
    came_by_link = Redemption.objects.filter(family).values("user_id")
    return Placement.objects.filter(group=group, valid_to__isnull=True).exclude(student_id__in=came_by_link).count()


def _policy_of(invite: Invite) -> InvitePolicy:
    """The organisation's rules for links, as `invite_find` read them with the invite when it did (no query)."""
    cache = Organisation.invite_policy.related
    if cache.is_cached(invite.organisation) and cache.get_cached_value(invite.organisation) is not None:
        return cache.get_cached_value(invite.organisation)
    from .links import policy_for

    return policy_for(invite.organisation)


def leak_check(invite: Invite) -> bool:
    """Pause a multi-use class link whose uses outrun the class (beyond the organisation's margin), or spike within
    the organisation's window. Runs in the redemption's transaction with the invite locked by the use just taken;
    a link that use left «used up» is not paused."""
    if invite.role in STAFF_ROLES or invite.status != Invite.Status.ACTIVE or invite.max_uses == 1:
        return False
    policy = _policy_of(invite)
    root = invite.relayed_from_id or invite.pk
    family = Q(invite_id=root) | Q(invite__relayed_from_id=root)
    since = timezone.now() - timedelta(minutes=policy.leak_spike_minutes)
    total, recent = family_uses(root_id=root, since=since)
    per_family = {"total": total, "recent": recent}
    # A parent link may be used by two parents of each child. Within the margin the class's size does not matter:
    # it is counted only when the uses go beyond it.
    per_person = 2 if invite.role == InviteRole.PARENT else 1
    roster = _expected_size(invite.target_group, family) if per_family["total"] > policy.leak_margin else 0
    expected = roster * per_person + policy.leak_margin
    reason = ""
    if roster and per_family["total"] > expected:
        where = invite.organisation.vocabulary.group_locative
        reason = f"переходов больше, чем человек в {where} ({per_family['total']} при составе {roster})"
    elif per_family["recent"] > policy.leak_spike_uses:
        reason = f"{per_family['recent']} переходов за {policy.leak_spike_minutes} мин."
    if not reason:
        return False
    paused = Invite.objects.filter(pk=invite.pk, status=Invite.Status.ACTIVE).update(
        status=Invite.Status.PAUSED,
        status_changed_at=timezone.now(),
        status_note=f"Приостановлена автоматически: {reason}",
    )
    if not paused:
        return False  # the use just taken was the link's last
    invite.status = Invite.Status.PAUSED
    audit_record(
        organisation=invite.organisation,
        actor=None,
        action="invite.paused",
        obj=invite,
        details={"automatic": True, "reason": reason},
    )
    admins = Membership.objects.filter(
        organisation=invite.organisation, role=Membership.Role.ADMIN, valid_to__isnull=True
    ).values_list("user__email", flat=True)
    email_letter_after_commit(
        "invite_paused",
        {"group": invite.target_group, "reason": reason},
        recipients=sorted({invite.created_by.email, *admins} - {None, ""}),
    )
    return True


# Unknown tokens an address may look up in an hour are counted twice. LOOKUP_SCOPE holds the misses and the
# look-ups in progress: a look-up takes a slot there before it runs and gives it back when the token exists, so
# parallel guessers can never have more than the limit evaluated between them. MISS_SCOPE holds the misses
# alone: a look-up refused only because others are in progress (fifty parents behind one school address) waits
# for their slots instead of being refused.
LOOKUP_SCOPE = "invite-lookup"
MISS_SCOPE = "invite-miss"
WINDOW = 3600
WAIT_SECONDS = 5.0
WAIT_STEP = 0.05


def _reserve(ip: str) -> None:
    limit = settings.INVITE_LOOKUP_FAILURES_PER_HOUR
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            ratelimit.take(
                LOOKUP_SCOPE,
                ip,
                limit=limit,
                window=WINDOW,
                message=_("Слишком много попыток открыть несуществующие ссылки. Повторите через час."),
                code="invite_rate_limited",
            )
            return
        except LimiterUnavailable:
            raise
        except RateLimited:
            ratelimit.give_back(LOOKUP_SCOPE, ip)  # a refused look-up holds no slot
            if ratelimit.peek(MISS_SCOPE, ip) >= limit or time.monotonic() >= deadline:
                raise
            time.sleep(WAIT_STEP)


@contextmanager
def token_lookup(ip: str | None):
    """Around a look-up of a token: an address that missed INVITE_LOOKUP_FAILURES_PER_HOUR times in the hour is
    refused (HTTP 429) whatever it looks up, and every address is when the counter is unreachable (HTTP 503).
    A NotFound from the block counts as a miss; any other outcome gives the slot back."""
    if not ip:
        yield
        return
    _reserve(ip)
    missed = False
    try:
        yield
    except NotFound:
        missed = True
        ratelimit.hit(MISS_SCOPE, ip, limit=settings.INVITE_LOOKUP_FAILURES_PER_HOUR, window=WINDOW, fail_closed=False)
        raise
    finally:
        if not missed:
            ratelimit.give_back(LOOKUP_SCOPE, ip)


def invite_lookup(token: str, ip: str | None, *, joining: bool = False) -> Invite:
    """The invite for a token, looked up once per request behind the per-address guard (`token_lookup`): the page
    and the API find the invite here and hand it on (invite_redeem(invite=...)), never looking the token up twice.
    `joining`: read only what a redemption needs with it (the rest is read if and when it is shown)."""
    from .redeem import JOIN_RELATED, PAGE_RELATED, invite_find  # redeem imports this module (leak_check)

    with token_lookup(ip):
        return invite_find(token, related=JOIN_RELATED if joining else PAGE_RELATED)
