"""The statements of a joiner's chat sync (`chats_sync_joined`), written out.

A joiner's sync reads the same facts as the full sync of its scope (`facts.py`), but only as far as the joiners are
concerned, and adds their rows with one insert. Built by the ORM, its dozen queries cost several times their running
(the union of the joiner's classes, the class with its curator, the students with their parents' links): ~10 ms of
CPU for each parent joining at a meeting. Written out they are five reads and one insert, ~1.5 ms, done in the
joining request itself right after its commit (`chats/receivers.py`), the same on PostgreSQL and on SQLite. The
rules stay in `sync.py` and `facts.py`, which read these rows into the same `Classes` and `People` as the full
sync's.
"""

from django.db import connection

from orgs.models import (
    CuratorAssignment,
    Group,
    Membership,
    ParentLink,
    Placement,
    TeachingAssignment,
)
from portal.sql import fetch_rows, insert_ignoring, placeholders

from ..models import Chat, ChatMember
from .facts import Classes, People, classes_from_rows, people_from_rows

T = {
    "group": Group._meta.db_table,
    "curator": CuratorAssignment._meta.db_table,
    "teaching": TeachingAssignment._meta.db_table,
    "placement": Placement._meta.db_table,
    "link": ParentLink._meta.db_table,
    "membership": Membership._meta.db_table,
    "chat": Chat._meta.db_table,
    "member": ChatMember._meta.db_table,
}

# The children of the people concerned (their active parent's links), for `{users}` filled in.
CHILDREN = "SELECT child_id FROM {link} WHERE organisation_id = %s AND parent_id IN {users} AND valid_to IS NULL"
# The classes given, and those whose chats a change to these people can touch: theirs (and their children's) now,
# those they curate or teach, and those of the chats they are in (`facts.groups_of_users`); each with its curator
# (one at most: a unique constraint), in `Group`'s order.
CLASSES = """
    SELECT g.id, g.name, g.is_archived,
        (SELECT c.teacher_id FROM {curator} c WHERE c.group_id = g.id AND c.valid_to IS NULL LIMIT 1)
    FROM {group} g
    WHERE g.organisation_id = %s AND g.kind = %s AND (g.id IN {groups} OR g.id IN (
        SELECT group_id FROM {placement} WHERE organisation_id = %s AND valid_to IS NULL
            AND (student_id IN {users} OR student_id IN (CHILDREN))
        UNION SELECT group_id FROM {curator} WHERE organisation_id = %s AND teacher_id IN {users} AND valid_to IS NULL
        UNION SELECT group_id FROM {teaching} WHERE organisation_id = %s AND teacher_id IN {users} AND valid_to IS NULL
        UNION SELECT ch.group_id FROM {member} m JOIN {chat} ch ON ch.id = m.chat_id
            WHERE ch.organisation_id = %s AND m.user_id IN {users} AND m.left_at IS NULL AND ch.group_id IS NOT NULL
    ))
    ORDER BY g.grade, g.name, g.id
""".replace("CHILDREN", CHILDREN)
GROUP_FIELDS = ["id", "organisation_id", "kind", "name", "is_archived"]  # in the model's order of fields
# The classes' students with a row per active parent's link (one with no parent for a student with none); with
# `{only}`, only the people concerned and their children.
PLACED = """
    SELECT p.group_id, p.student_id, l.parent_id FROM {placement} p
    LEFT JOIN {link} l ON l.child_id = p.student_id AND l.organisation_id = %s AND l.valid_to IS NULL
    WHERE p.organisation_id = %s AND p.group_id IN {groups} AND p.valid_to IS NULL {only}
"""
PLACED_ONLY = "AND (p.student_id IN {users} OR p.student_id IN (CHILDREN))".replace("CHILDREN", CHILDREN)
TEACHING = "SELECT id, group_id, teacher_id, subject FROM {teaching} WHERE group_id IN {groups} AND valid_to IS NULL"
# The columns of a chat the sync reads and writes, in the model's order of fields.
CHAT_FIELDS = ["id", "organisation_id", "kind", "title", "group_id", "subject", "teacher_id"]
CHAT_FIELDS += ["teaching_assignment_id", "is_archived"]
# The classes' chats and the channels, in `Chat`'s order.
CHATS = """
    SELECT {columns} FROM {chat} WHERE organisation_id = %s AND (kind IN {kinds} OR group_id IN {groups})
    ORDER BY organisation_id, kind, title, id
""".replace("{columns}", ", ".join(CHAT_FIELDS))
# The people's active memberships and every administrator's, in the order they were made.
PEOPLE = """
    SELECT user_id, role, position, verification FROM {membership}
    WHERE organisation_id = %s AND valid_to IS NULL AND (user_id IN {users} OR role = %s) ORDER BY id
"""
PRESENT = """
    SELECT chat_id, user_id, role, managed_by_structure FROM {member}
    WHERE chat_id IN {chats} AND user_id IN {users} AND left_at IS NULL
"""
# The other columns of a new member are empty (nullable, no default).
INSERT_COLUMNS = ["chat_id", "user_id", "role", "joined_at", "managed_by_structure"]


def classes_read(*, organisation_id: int, user_ids, group_ids) -> Classes:
    """`facts.classes_load` of the classes given and the people's classes (`facts.groups_of_users`), their students
    and parents only as far as the people are concerned (they themselves, their children, those students' parents:
    all a change that only gives them something can add to the classes' chats); every student when no people are
    given."""
    users, u = placeholders(user_ids)
    given, g = placeholders(group_ids)
    sql = CLASSES.format(**T, users=users, groups=given)
    # The placements', the children's, the curators', the teachers' and the chat members' people.
    sources = [organisation_id, *u, organisation_id, *u, organisation_id, *u, organisation_id, *u, organisation_id, *u]
    found = fetch_rows(sql, [organisation_id, Group.Kind.CLASS.value, *g, *sources])
    groups = {}
    for pk, name, is_archived, curator_id in found:
        # The columns the sync reads (the others load if ever asked for).
        values = (pk, organisation_id, Group.Kind.CLASS.value, name, bool(is_archived))
        group = Group.from_db(connection.alias, GROUP_FIELDS, values)
        group.curator_id = curator_id
        groups[pk] = group
    if not groups:
        return Classes()
    ids, i = placeholders(groups)
    only, o = (PLACED_ONLY.format(**T, users=users), [*u, organisation_id, *u]) if u else ("", [])
    placed = fetch_rows(PLACED.format(**T, groups=ids, only=only), [organisation_id, organisation_id, *i, *o])
    teaching = fetch_rows(TEACHING.format(**T, groups=ids), i)
    return classes_from_rows(groups, placed, teaching)


def chats_read(*, organisation_id: int, group_ids, kinds) -> list[Chat]:
    """The organisation's chats of these kinds and those of these classes."""
    kinds_in, k = placeholders(kinds)
    groups, g = placeholders(group_ids)
    found = fetch_rows(CHATS.format(**T, kinds=kinds_in, groups=groups), [organisation_id, *k, *g])
    # The columns the sync reads and writes (the others load if ever asked for).
    return [Chat.from_db(connection.alias, CHAT_FIELDS, (*row[:-1], bool(row[-1]))) for row in found]


def people_read(*, organisation_id: int, user_ids) -> People:
    """`facts.people_load` of these people: their active memberships and the administrators'."""
    users, u = placeholders(user_ids)
    rows = fetch_rows(PEOPLE.format(**T, users=users), [organisation_id, *u, Membership.Role.ADMIN.value])
    return people_from_rows(rows)


def members_present(*, chat_ids, user_ids) -> list[tuple]:
    """(chat_id, user_id, role, managed_by_structure) of these people's active rows in these chats."""
    chats, c = placeholders(chat_ids)
    users, u = placeholders(user_ids)
    return fetch_rows(PRESENT.format(**T, chats=chats, users=users), [*c, *u])


def members_add(*, rows: dict[tuple[int, int], str], now) -> None:
    """Add these (chat_id, user_id): role rows, put there by the structure, in one statement; a row already active
    (another sync's, meanwhile) is left as it is."""
    if not rows:
        return
    joined_at = connection.ops.adapt_datetimefield_value(now)
    sql = insert_ignoring(T["member"], INSERT_COLUMNS, len(rows))
    params = [p for (chat_id, user_id), role in rows.items() for p in (chat_id, user_id, role, joined_at, True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
