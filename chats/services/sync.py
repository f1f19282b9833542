"""Chat membership follows the structure. One set of rules, used by the live actions and by `resync_chats`.

- class chats (class, its parents, its teachers) exist for every active class with a curator; the curator owns
  them; members are the class's students, the parents of those students, the teachers who teach in the class;
- a subject chat exists for every active teaching assignment; the teacher owns it; members are the class's students;
- the general channel holds every active member of the organisation, the staff channel every member of staff;
  administrators and the director own both;
- members the structure put in a chat (managed_by_structure) leave when it no longer does; members added by hand
  stay while they belong to the organisation (in a chat made by hand for a class: students while in the class,
  parents while a child is); leaving sets left_at, the row stays as history;
- a chat of an archived class is archived (and frozen); it comes back when the class does;
- a chat never ends without an owner: ownership passes to the class's curator, then to an administrator.

Running the sync on a synced organisation changes nothing.
"""

from dataclasses import astuple, dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from orgs.models import Organisation

from ..models import Chat, ChatMember
from ..titles import structure_chat_title
from . import joined_sql
from .channels import system_channels_ensure
from .facts import Classes, People, classes_load, groups_of_users, people_load

Kind = Chat.Kind
OWNER, MODERATOR, MEMBER = ChatMember.Role.OWNER, ChatMember.Role.MODERATOR, ChatMember.Role.MEMBER


@dataclass
class SyncReport:
    chats_created: int = 0
    chats_archived: int = 0
    chats_restored: int = 0
    chats_renamed: int = 0
    members_added: int = 0
    members_removed: int = 0
    members_updated: int = 0  # role changed, or a member added by hand now also held by the structure

    @property
    def changed(self) -> bool:
        return any(astuple(self))

    def __add__(self, other: "SyncReport") -> "SyncReport":
        return SyncReport(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def __str__(self) -> str:
        return (
            f"чатов создано: {self.chats_created}, архивировано: {self.chats_archived}, "
            f"восстановлено: {self.chats_restored}, переименовано: {self.chats_renamed}; "
            f"участников добавлено: {self.members_added}, вышло: {self.members_removed}, "
            f"изменено: {self.members_updated}"
        )


def chats_sync_organisation(*, organisation: Organisation) -> SyncReport:
    """Bring every chat of the organisation in line with its structure (idempotent)."""
    with transaction.atomic():
        return _sync(organisation, user_ids=None, group_ids=None)


def chats_resync_all() -> SyncReport:
    """`resync_chats` for every active organisation, one transaction each: a crash mid-way keeps the organisations
    done, and the next run (which changes nothing where nothing changed) does the rest."""
    total = SyncReport()
    for organisation in Organisation.objects.filter(is_active=True).order_by("pk"):
        total += chats_sync_organisation(organisation=organisation)
    return total


def chats_sync_user(*, organisation: Organisation, user) -> SyncReport:
    """The same rules, for the chats one person's change can touch."""
    return chats_sync_scope(organisation=organisation, user_ids=[user.pk])


def chats_sync_group(*, organisation: Organisation, group) -> SyncReport:
    """The same rules, for the chats of one class (created, archived, renamed with it)."""
    return chats_sync_scope(organisation=organisation, group_ids=[group.pk])


def chats_sync_scope(*, organisation: Organisation, user_ids=(), group_ids=()) -> SyncReport:
    """The same rules, for the chats these people and these classes touch; system channels only for these people."""
    with transaction.atomic():
        return _sync(organisation, user_ids=set(user_ids), group_ids=set(group_ids))


def chats_sync_joined(*, organisation: Organisation, user_ids=(), group_ids=()) -> SyncReport:
    """The sync after a change that only gives (a new member, a first class, a new parent's link): adds the rows the
    structure now implies for these people (and their children's parents) in the chats of their classes and in the
    channels, without locking or re-planning the chats — one insert that leaves a row already there alone, so two of
    them at once, or one beside a full sync, add each member once. Anything else it would have to do (a chat to
    create, archive or rename, a role to change) is left to the full sync of the scope, run instead; `resync_chats`
    remains the safety net."""
    user_ids, group_ids = set(user_ids), set(group_ids)
    # No transaction of its own: reads, then one insert; what falls to the full sync runs in the full sync's.
    # The statements are written out (`joined_sql`): built by the ORM they cost several times their running.
    report = SyncReport()
    # Only the joiners' rows (and their children's parents') can be missing after a change that only gave them
    # something: the classes' other members are not read. A change naming classes alone reads them whole.
    classes = joined_sql.classes_read(organisation_id=organisation.pk, user_ids=user_ids, group_ids=group_ids)
    # The classes' chats, the system channels and the extra ones in one read.
    channel_kinds = [*Chat.SYSTEM_KINDS, Kind.EXTRA_CHANNEL]
    found = joined_sql.chats_read(organisation_id=organisation.pk, group_ids=classes.groups, kinds=channel_kinds)
    channels = [c for c in found if c.kind in channel_kinds and not (c.kind == Kind.EXTRA_CHANNEL and c.is_archived)]
    chats = _structure_chats_ensure(organisation, classes, report, [c for c in found if c.group_id in classes.groups])
    # A missing system channel is the full sync's to make.
    if report.changed or not set(Chat.SYSTEM_KINDS) <= {c.kind for c in channels}:
        return report + chats_sync_scope(organisation=organisation, user_ids=user_ids, group_ids=group_ids)
    people = joined_sql.people_read(organisation_id=organisation.pk, user_ids=user_ids)
    wanted: dict[tuple[int, int], str] = {}
    for chat in chats:
        if not chat.is_archived:
            wanted.update(((chat.pk, u), role) for u, role in _desired(chat, classes, people).items())
    for chat in channels:
        if not chat.is_archived:
            desired = _desired(chat, classes, people, only=user_ids)
            wanted.update(((chat.pk, u), role) for u, role in desired.items())
    if not wanted:
        return report
    present = joined_sql.members_present(chat_ids={c for c, _u in wanted}, user_ids={u for _c, u in wanted})
    for chat_id, user_id, role, managed in present:
        want = wanted.pop((chat_id, user_id), None)
        if want is None:
            continue
        if not managed or (role != want and not (role == MODERATOR and want == MEMBER)):
            return report + chats_sync_scope(organisation=organisation, user_ids=user_ids, group_ids=group_ids)
    joined_sql.members_add(rows=wanted, now=timezone.now())
    report.members_added += len(wanted)
    return report


def _sync(organisation: Organisation, *, user_ids: set | None, group_ids: set | None) -> SyncReport:
    report = SyncReport()
    whole = user_ids is None
    system, report.chats_created = system_channels_ensure(organisation=organisation)
    system += list(Chat.objects.filter(organisation=organisation, kind=Kind.EXTRA_CHANNEL, is_archived=False))
    if whole:
        classes = classes_load(organisation)
    else:
        classes = classes_load(organisation, group_ids | groups_of_users(organisation, user_ids))
    full = _structure_chats_ensure(organisation, classes, report)
    others = Chat.objects.filter(organisation=organisation, group__isnull=True, is_archived=False).exclude(
        kind__in=Chat.CHANNEL_KINDS
    )
    if whole:
        full += system + list(others)
        restricted = []
    else:
        # Beyond the classes in scope, only these people's own rows change (and an owner where one leaves).
        mine = ChatMember.objects.filter(user_id__in=user_ids, left_at__isnull=True).values("chat_id")
        restricted = system + list(others.filter(pk__in=mine))
    # Lock the chats in one order, so that two syncs touching the same chats queue instead of both adding a member.
    live = {c.pk: c for c in full + restricted if not c.is_archived}
    list(Chat.objects.select_for_update().filter(pk__in=list(live)).order_by("pk").values_list("pk", flat=True))
    full_ids = [c.pk for c in full if c.pk in live]
    rows = list(ChatMember.objects.filter(chat_id__in=full_ids, left_at__isnull=True))
    people = people_load(organisation, None if whole else user_ids | {r.user_id for r in rows})
    if restricted:
        rows += ChatMember.objects.filter(chat_id__in=[c.pk for c in restricted], left_at__isnull=True).filter(
            Q(user_id__in=user_ids) | Q(role=OWNER) | Q(user_id__in=people.admins)
        )
    by_chat: dict[int, dict[int, ChatMember]] = {pk: {} for pk in live}
    for row in rows:
        by_chat[row.chat_id][row.user_id] = row
    changes = _Changes()
    for chat in full:
        if chat.pk in live:
            desired = _desired(chat, classes, people)
            _plan_chat(chat, by_chat[chat.pk], desired, None, classes, people, changes)
    for chat in restricted:
        desired = _desired(chat, classes, people, only=user_ids)
        _plan_chat(chat, by_chat[chat.pk], desired, user_ids, classes, people, changes)
    changes.apply(report)
    return report


def _structure_chats_ensure(organisation: Organisation, classes: Classes, report: SyncReport, chats=None) -> list[Chat]:
    """Create the chats the classes should have; archive, restore and rename them with their class. `chats`: the
    classes' chats when the caller has read them."""
    if chats is None:
        chats = list(Chat.objects.filter(organisation=organisation, group_id__in=list(classes.groups)))
    keys = {_key(c.group_id, c.kind, c.subject, c.teacher_id): c for c in chats}
    wanted = []  # (key, lookup fields, extra fields of a new chat)
    for group_id, group in classes.groups.items():
        if not group.is_archived and group_id in classes.curator:
            wanted += [((group_id, kind), {"group_id": group_id, "kind": kind}, {}) for kind in Chat.CLASS_KINDS]
    for (group_id, subject, teacher_id), assignment_id in classes.teaching.items():
        if not classes.groups[group_id].is_archived:
            fields = {"group_id": group_id, "kind": Kind.SUBJECT, "subject": subject, "teacher_id": teacher_id}
            wanted.append((_key(**fields), fields, {"teaching_assignment_id": assignment_id}))
    for key, fields, extra in wanted:
        if key not in keys:
            group = classes.groups[fields["group_id"]]
            title = structure_chat_title(organisation, fields["kind"], group.name, fields.get("subject", ""))
            # get_or_create: of two syncs creating the same chat at once, the unique constraint lets one win.
            chat, created = Chat.objects.get_or_create(
                organisation=organisation, **fields, defaults={"title": title, **extra}
            )
            report.chats_created += created
            keys[key] = chat
            chats.append(chat)
    now = timezone.now()
    for chat in chats:
        if chat.kind not in Chat.STRUCTURE_KINDS:
            continue
        group = classes.groups[chat.group_id]
        update = []
        if chat.is_archived != group.is_archived:
            chat.is_archived, chat.archived_at = group.is_archived, now if group.is_archived else None
            update += ["is_archived", "archived_at"]
            report.chats_archived += group.is_archived
            report.chats_restored += not group.is_archived
        title = structure_chat_title(organisation, chat.kind, group.name, chat.subject)
        if chat.title != title:
            chat.title = title
            update.append("title")
            report.chats_renamed += 1
        assignment_id = classes.teaching.get((chat.group_id, chat.subject, chat.teacher_id))
        if chat.kind == Kind.SUBJECT and assignment_id and chat.teaching_assignment_id != assignment_id:
            chat.teaching_assignment_id = assignment_id
            update.append("teaching_assignment")
        if update:
            chat.save(update_fields=update)
    return chats


def _key(group_id, kind, subject="", teacher_id=None):
    return (group_id, kind, subject, teacher_id) if kind == Kind.SUBJECT else (group_id, kind)


def _desired(chat: Chat, classes: Classes, people: People, only=None) -> dict[int, str]:
    """Who the structure puts in this chat, with their role."""
    if chat.kind in Chat.CHANNEL_KINDS:
        belongs = people.is_staff if chat.kind == Kind.STAFF_CHANNEL else people.is_member
        candidates = people.roles if only is None else only
        return {u: OWNER if people.is_leader(u) else MEMBER for u in candidates if belongs(u)}
    group_id = chat.group_id
    if chat.kind not in Chat.STRUCTURE_KINDS or group_id not in classes.groups:
        return {}
    if chat.kind == Kind.SUBJECT:
        desired = dict.fromkeys(classes.students[group_id], MEMBER)
        if (group_id, chat.subject, chat.teacher_id) in classes.teaching:
            desired[chat.teacher_id] = OWNER
        return desired
    source = {
        Kind.CLASS: classes.students,
        Kind.CLASS_PARENTS: classes.parents,
        Kind.CLASS_TEACHERS: classes.teachers,
    }[chat.kind]
    desired = dict.fromkeys(source[group_id], MEMBER)
    if group_id in classes.curator:
        desired[classes.curator[group_id]] = OWNER
    return desired


def _hand_added_may_stay(chat: Chat, classes: Classes, people: People):
    """For a chat made by hand for a class: staff stay, students only while in the class, parents only while a child
    is. None for every other chat (its hand-added members stay while they belong to the organisation)."""
    group_id = chat.group_id
    if chat.kind in Chat.STRUCTURE_KINDS or group_id is None or group_id not in classes.groups:
        return None
    students, parents = classes.students[group_id], classes.parents[group_id]
    return lambda user_id: people.is_staff(user_id) or user_id in students or user_id in parents


def _final_roles(rows: dict, desired: dict, touchable, people: People, may_stay=None) -> dict[int, str]:
    """Who stays or comes in, with which role. Members outside `touchable` are kept as they are."""
    final = {}
    for user_id, row in rows.items():
        if user_id in desired:
            # The structure decides owners; a moderator appointed by hand stays a moderator.
            keep_moderator = row.role == MODERATOR and desired[user_id] == MEMBER
            final[user_id] = MODERATOR if keep_moderator else desired[user_id]
        elif touchable is not None and user_id not in touchable:
            final[user_id] = row.role
        elif not row.managed_by_structure and people.is_member(user_id) and (may_stay is None or may_stay(user_id)):
            final[user_id] = row.role
    for user_id, role in desired.items():
        final.setdefault(user_id, role)
    return final


def _heir(chat: Chat, rows: dict, classes: Classes, people: People) -> int | None:
    """Who owns a chat nobody else owns: the class's curator, else an administrator (the current one first)."""
    if chat.group_id in classes.curator:
        return classes.curator[chat.group_id]
    owning_admins = [a for a in people.admins if a in rows and rows[a].role == OWNER]
    return (owning_admins or people.admins or [None])[0]


class _Changes:
    """The writes of one sync, collected per kind so that they run as a few set-based queries."""

    def __init__(self):
        self.leave: list[int] = []
        self.update: dict[tuple[str, bool], list[int]] = {}
        self.add: list[ChatMember] = []

    def apply(self, report: SyncReport) -> None:
        now = timezone.now()
        if self.leave:
            ChatMember.objects.filter(pk__in=self.leave, left_at__isnull=True).update(left_at=now)
        for (role, managed), pks in self.update.items():
            ChatMember.objects.filter(pk__in=pks).update(role=role, managed_by_structure=managed)
        if self.add:
            for row in self.add:
                row.joined_at = now
            # A row a joiner's sync (chats_sync_joined, which takes no lock) added meanwhile is left as it is.
            ChatMember.objects.bulk_create(self.add, ignore_conflicts=True)
        report.members_removed += len(self.leave)
        report.members_updated += sum(len(pks) for pks in self.update.values())
        report.members_added += len(self.add)


def _plan_chat(chat, rows, desired, touchable, classes, people, changes: _Changes) -> None:
    may_stay = _hand_added_may_stay(chat, classes, people)
    final = _final_roles(rows, desired, touchable, people, may_stay)
    if OWNER not in final.values():
        heir = _heir(chat, rows, classes, people)
        if heir is not None:
            desired = {**desired, heir: OWNER}
            final = _final_roles(rows, desired, touchable, people, may_stay)
    for user_id, row in rows.items():
        if user_id not in final:
            changes.leave.append(row.pk)
            continue
        managed = row.managed_by_structure or user_id in desired
        if row.role != final[user_id] or managed != row.managed_by_structure:
            changes.update.setdefault((final[user_id], managed), []).append(row.pk)
    changes.add += [
        ChatMember(chat=chat, user_id=user_id, role=role, managed_by_structure=True)
        for user_id, role in final.items()
        if user_id not in rows
    ]
