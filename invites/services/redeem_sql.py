"""The statements every redemption runs, written out.

Each is a plain read or one conditional update on a few columns. Built by the ORM, each cost several times its
running (the Case/When of the use, the aggregate with a filter of the leak check, the default orderings' joins),
and a redemption runs them for each of thirty parents joining at a meeting. They run the same on PostgreSQL and on
SQLite; the services keep the rules (`redeem.py`, `guard.py`).
"""

from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from orgs.models import Group, Placement
from portal.sql import fetch_rows, insert_ignoring

from ..models import Invite, JoinRequest, Redemption

# The tables' names from the models, filled into the statements once, at import.
T = {
    "placement": Placement._meta.db_table,
    "group": Group._meta.db_table,
    "join_request": JoinRequest._meta.db_table,
    "invite": Invite._meta.db_table,
    "redemption": Redemption._meta.db_table,
}

STUDENT_PLACES = """
    SELECT p.group_id, g.name FROM {placement} p JOIN {group} g ON g.id = p.group_id
    WHERE p.organisation_id = %s AND p.student_id = %s AND p.valid_to IS NULL
"""
PENDING_REQUEST = """
    SELECT id FROM {join_request} WHERE organisation_id = %s AND user_id = %s AND role = %s AND status = %s
    LIMIT 1
"""
# `use_count + 1` reads the row as it was before the update, in each expression, on both databases.
TAKE_USE = """
    UPDATE {invite} SET
        use_count = use_count + 1,
        status = CASE WHEN max_uses IS NOT NULL AND max_uses <= use_count + 1 THEN %s ELSE status END,
        status_changed_at = CASE WHEN max_uses IS NOT NULL AND max_uses <= use_count + 1 THEN %s
                                 ELSE status_changed_at END
    WHERE id = %s AND status = %s AND expires_at > %s AND (max_uses IS NULL OR use_count < max_uses)
"""
FAMILY_USES = """
    SELECT COUNT(*), SUM(CASE WHEN created_at >= %s THEN 1 ELSE 0 END) FROM {redemption}
    WHERE invite_id = %s OR invite_id IN (SELECT id FROM {invite} WHERE relayed_from_id = %s)
"""
STUDENT_PLACES, PENDING_REQUEST, TAKE_USE, FAMILY_USES = (
    sql.format(**T) for sql in (STUDENT_PLACES, PENDING_REQUEST, TAKE_USE, FAMILY_USES)
)

# One row per person and link (the unique constraint): a second use by the same person inserts nothing, without the
# savepoint that catching the constraint's error needed.
RECORD_COLUMNS = ["invite_id", "user_id", "created_at", "ip_address"]


@dataclass(frozen=True)
class Place:
    """A class the person is placed in now."""

    group_id: int
    group_name: str


def student_places(*, organisation_id: int, user_id: int) -> list[Place]:
    """The classes the person is placed in now in the organisation (a student has one at most)."""
    return [Place(*row) for row in fetch_rows(STUDENT_PLACES, [organisation_id, user_id])]


def pending_request_id(*, organisation_id: int, user_id: int, role: str) -> int | None:
    """The person's join request in this role waiting for a decision, if any."""
    found = fetch_rows(PENDING_REQUEST, [organisation_id, user_id, role, JoinRequest.Status.PENDING.value])
    return found[0][0] if found else None


def use_take(*, invite_id: int) -> bool:
    """Count one use of a link still active, unexpired and not used up; it turns «used up» with its last use. False
    when the link was not usable (nothing changed). Locks the invite's row until the commit."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(TAKE_USE, [Invite.Status.USED_UP.value, now, invite_id, Invite.Status.ACTIVE.value, now])
        return cursor.rowcount > 0


def family_uses(*, root_id: int, since) -> tuple[int, int]:
    """The uses of a link and of the links relayed from it: all of them, and those since `since`."""
    total, recent = fetch_rows(FAMILY_USES, [connection.ops.adapt_datetimefield_value(since), root_id, root_id])[0]
    return total, recent or 0


def redemption_record(*, invite_id: int, user_id: int, ip: str | None) -> bool:
    """Record the person's use of the link; False when they used it already (nothing is written). A request racing
    with theirs waits for its commit at the unique index, then finds the row."""
    sql = insert_ignoring(Redemption._meta.db_table, RECORD_COLUMNS)
    ip = Redemption._meta.get_field("ip_address").get_db_prep_save(ip, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [invite_id, user_id, connection.ops.adapt_datetimefield_value(timezone.now()), ip])
        return cursor.rowcount > 0
