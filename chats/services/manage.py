"""Chats people create by hand (the matrix's «create chats»): creating, renaming, archiving, members, leaving.

- management chats of the director (with deputies, with teachers, with the parents' committee, with the student
  council): administrators and those holding create_management_chats (the director and deputies);
- other chats: administrators, for the whole organisation or for a class; verified curators and verified teachers
  for a class they may create chats for (create_group_chats); the members of a class's chat are its students, their
  parents and its teachers;
- class, parents', teachers', subject chats and the system channels come from the structure only (services.sync);
- student safety: students are only in a class's chats and in the student council, never alone with one adult;
- the creator owns the chat; owners and administrators rename, archive, restore it and add members; a chat never
  loses its last owner: ownership passes to the class's curator, then to an administrator (as in the sync).
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import CuratorAssignment, Group, Membership, Organisation
from orgs.permissions import is_member
from orgs.rights import groups_with_right
from orgs.services.audit import audit_record
from portal.exceptions import Conflict, NotFound, PermissionDenied, RuleViolation

from ..models import Chat, ChatMember
from ..permissions import can_manage, can_read
from .content import Place, content_enforce
from .pools import (  # noqa: F401 - the pages and the API read the categories and limits from here
    ADMIN,
    CATEGORY_ORDER,
    LEADER,
    MAX_MEMBERS_AT_ONCE,
    PARENT,
    PRIVATE_WITH_STUDENT,
    STAFF,
    STUDENT,
    TEACHER,
    check_members,
    check_safety,
    clean_ids,
    default_member_ids,
    member_pool,
)

Kind = Chat.Kind
OWNER, MEMBER = ChatMember.Role.OWNER, ChatMember.Role.MEMBER
TITLE_MAX = Chat._meta.get_field("title").max_length

CREATABLE_KINDS = (*Chat.MANAGEMENT_KINDS, Kind.OTHER)

STRUCTURE_KIND = gettext_lazy(
    "Чаты класса, родителей класса, педагогов класса, чаты по предметам и системные каналы создаются "
    "автоматически по структуре организации; вручную их создать нельзя."
)
STRUCTURE_ARCHIVE = gettext_lazy(
    "Этот чат ведётся по структуре организации: чаты класса уходят в архив вместе с классом, чат по предмету — "
    "со снятием учебной нагрузки, а системные каналы не архивируются."
)


# --- who may do what ---------------------------------------------------------------------------------------------


def _is_member(actor, organisation: Organisation) -> bool:
    return actor is not None and actor.is_active and is_member(actor, organisation)


def groups_for_chat_creation(actor, organisation: Organisation) -> QuerySet[Group]:
    """The active classes the actor may create other chats for: every class for administrators, else those with
    create_group_chats (verified curators and verified teachers of the class)."""
    groups = Group.objects.filter(organisation=organisation, kind=Group.Kind.CLASS, is_archived=False)
    if not _is_member(actor, organisation):
        return groups.none()
    if not actor.has_perm("orgs.create_chats", organisation):
        groups = groups_with_right(actor, "create_group_chats", groups)
    return groups.order_by("grade", "name", "pk")


def creatable_kinds(actor, organisation: Organisation) -> list[str]:
    """The kinds of chat the actor may create here, management kinds first; empty when none."""
    if not _is_member(actor, organisation):
        return []
    kinds = []
    if actor.has_perm("orgs.create_management_chats", organisation):
        kinds += list(Chat.MANAGEMENT_KINDS)
    if actor.has_perm("orgs.create_chats", organisation) or groups_for_chat_creation(actor, organisation).exists():
        kinds.append(Kind.OTHER)
    return kinds


def chat_create_check(*, organisation: Organisation, actor, kind: str, group: Group | None = None) -> None:
    """Raise unless the actor may create a chat of this kind (for this class): the rules before any member."""
    if not _is_member(actor, organisation):
        raise PermissionDenied(_("Создавать чаты могут только участники организации."))
    if kind in Chat.CHANNEL_KINDS or kind in Chat.STRUCTURE_KINDS:
        raise RuleViolation(str(STRUCTURE_KIND), code="structure_kind", fields={"kind": [str(STRUCTURE_KIND)]})
    if kind not in CREATABLE_KINDS:
        raise RuleViolation(_("Неизвестный вид чата."), code="invalid_kind", fields={"kind": [_("Выберите вид чата.")]})
    if group is not None:
        if group.organisation_id != organisation.pk:
            raise NotFound(_("Класс не найден."))
        if group.kind != Group.Kind.CLASS:
            msg = _("Чат можно создать только для класса (учебной группы).")
            raise RuleViolation(msg, code="group_kind", fields={"group": [msg]})
        if group.is_archived:
            msg = _("Класс в архиве: создать для него чат нельзя.")
            raise RuleViolation(msg, code="group_archived", fields={"group": [msg]})
    if kind in Chat.MANAGEMENT_KINDS:
        if not actor.has_perm("orgs.create_management_chats", organisation):
            raise PermissionDenied(_("Чаты руководителя создают администраторы, руководитель и его заместители."))
        if group is not None:
            msg = _("Чат руководителя не привязывается к классу.")
            raise RuleViolation(msg, code="group_not_allowed", fields={"group": [msg]})
        return
    if actor.has_perm("orgs.create_chats", organisation):
        return
    if group is None:
        if groups_for_chat_creation(actor, organisation).exists():
            msg = _("Выберите класс: педагоги создают чаты для классов, в которых ведут занятия или руководство.")
            raise RuleViolation(msg, code="group_required", fields={"group": [msg]})
        raise PermissionDenied(
            _(
                "Создавать чаты могут администраторы, руководитель (чаты руководителя), подтверждённые классные "
                "руководители и подтверждённые педагоги — для своих классов."
            )
        )
    if not actor.has_perm("orgs.create_group_chats", group):
        raise PermissionDenied(
            _(
                "Создать чат для этого класса могут его подтверждённый классный руководитель (куратор), подтверждённые "
                "педагоги, которые в нём преподают, и администраторы."
            )
        )


def _require_manage(actor, chat: Chat) -> None:
    if not can_read(actor, chat):
        raise NotFound(_("Чат не найден."))
    if not can_manage(actor, chat):
        raise PermissionDenied(_("Управлять чатом могут его владельцы и администраторы организации."))


def _is_structure(chat: Chat) -> bool:
    return chat.kind in Chat.CHANNEL_KINDS or chat.kind in Chat.STRUCTURE_KINDS


def _clean_title(title, kind: str) -> str:
    title = " ".join((title or "").split())
    if not title and kind in Chat.MANAGEMENT_KINDS:
        title = str(Kind(kind).label).capitalize()
    if not title:
        raise RuleViolation(
            _("Введите название чата."), code="title_required", fields={"title": [_("Введите название.")]}
        )
    if len(title) > TITLE_MAX:
        msg = _("Название длиннее %(limit)s символов.") % {"limit": TITLE_MAX}
        raise RuleViolation(msg, code="title_too_long", fields={"title": [msg]})
    return title


# --- actions ------------------------------------------------------------------------------------------------------


def chat_create(*, organisation: Organisation, actor, kind: str, title: str, group: Group | None = None, member_ids=()):
    """Create a management or other chat as the matrix allows; the creator owns it, the members are added by hand.
    A management chat of deputies or teachers with nobody picked holds the director and deputies, or the staff."""
    chat_create_check(organisation=organisation, actor=actor, kind=kind, group=group)
    title = _clean_title(title, kind)
    content_enforce(organisation=organisation, actor=actor, texts=[title], place=Place.CHAT_TITLE, field="title")
    ids = [u for u in clean_ids(member_ids) if u != actor.pk]
    check_members(organisation, kind, group, ids)
    if not ids:
        ids = sorted(default_member_ids(organisation=organisation, kind=kind) - {actor.pk})
    check_safety(organisation, kind, group, [actor.pk, *ids])
    with transaction.atomic():
        chat = Chat.objects.create(organisation=organisation, kind=kind, title=title, group=group, created_by=actor)
        now = timezone.now()
        ChatMember.objects.bulk_create(
            [ChatMember(chat=chat, user=actor, role=OWNER, joined_at=now, managed_by_structure=False)]
            + [ChatMember(chat=chat, user_id=u, role=MEMBER, joined_at=now, managed_by_structure=False) for u in ids]
        )
        details = {"note": f"Вид: {chat.get_kind_display()}", "count": len(ids) + 1}
        if group is not None:
            details["group"] = group.name
        audit_record(organisation=organisation, actor=actor, action="chat.created", obj=chat, details=details)
    return chat


def chat_rename(*, chat: Chat, actor, title: str) -> Chat:
    """Owners and administrators rename a chat created by hand; the structure names its own chats."""
    _require_manage(actor, chat)
    if _is_structure(chat):
        msg = _("Название этого чата задаёт структура организации: оно меняется вместе с классом или предметом.")
        raise RuleViolation(msg, code="structure_chat", fields={"title": [msg]})
    if chat.is_archived:
        raise Conflict(_("Чат в архиве: сначала верните его из архива."), code="archived")
    title = _clean_title(title, Kind.OTHER)
    if title != chat.title:
        content_enforce(
            organisation=chat.organisation, actor=actor, texts=[title], place=Place.CHAT_TITLE, field="title", chat=chat
        )
        old, chat.title = chat.title, title
        with transaction.atomic():
            chat.save(update_fields=["title"])
            audit_record(
                organisation=chat.organisation, actor=actor, action="chat.renamed", obj=chat, details={"note": old}
            )
    return chat


def chat_archive(*, chat: Chat, actor) -> Chat:
    """Owners and administrators archive a chat created by hand: it becomes read-only and keeps its history."""
    _require_manage(actor, chat)
    if _is_structure(chat):
        raise RuleViolation(str(STRUCTURE_ARCHIVE), code="structure_chat")
    if not chat.is_archived:
        with transaction.atomic():
            chat.is_archived, chat.archived_at = True, timezone.now()
            chat.save(update_fields=["is_archived", "archived_at"])
            audit_record(organisation=chat.organisation, actor=actor, action="chat.archived", obj=chat)
    return chat


def chat_restore(*, chat: Chat, actor) -> Chat:
    """Owners and administrators bring an archived chat created by hand back; members may write again."""
    _require_manage(actor, chat)
    if _is_structure(chat):
        raise RuleViolation(str(STRUCTURE_ARCHIVE), code="structure_chat")
    if chat.group_id and Group.objects.filter(pk=chat.group_id, is_archived=True).exists():
        raise Conflict(_("Класс этого чата в архиве: сначала восстановите класс."), code="group_archived")
    if chat.is_archived:
        with transaction.atomic():
            chat.is_archived, chat.archived_at = False, None
            chat.save(update_fields=["is_archived", "archived_at"])
            audit_record(organisation=chat.organisation, actor=actor, action="chat.restored", obj=chat)
    return chat


def require_members_addable(*, chat: Chat, actor) -> None:
    """Raise unless the actor may add people to this chat now: its owner or an administrator, a chat created by
    hand, not archived."""
    _require_manage(actor, chat)
    if _is_structure(chat):
        raise RuleViolation(
            _(
                "Состав этого чата следует за структурой организации: участники добавляются через класс, "
                "учебную нагрузку или ссылку-приглашение."
            ),
            code="structure_chat",
        )
    if chat.is_archived:
        raise Conflict(_("Чат в архиве: сначала верните его из архива."), code="archived")


def chat_members_add(*, chat: Chat, actor, user_ids) -> list[ChatMember]:
    """Owners and administrators add people to a chat created by hand, by the rules of its kind; people already in
    it are skipped. Returns the new member rows."""
    require_members_addable(chat=chat, actor=actor)
    ids = clean_ids(user_ids)
    if not ids:
        raise RuleViolation(
            _("Выберите, кого добавить."), code="members_required", fields={"members": [_("Выберите.")]}
        )
    group = Group.objects.filter(pk=chat.group_id).first() if chat.group_id else None
    with transaction.atomic():
        # One add at a time per chat: two at once would both pass the safety check on the same old members.
        Chat.objects.select_for_update().filter(pk=chat.pk).values_list("pk", flat=True).first()
        current = set(ChatMember.objects.filter(chat=chat, left_at__isnull=True).values_list("user_id", flat=True))
        new = [u for u in ids if u not in current]
        check_members(chat.organisation, chat.kind, group, new)
        if not new:
            return []
        check_safety(chat.organisation, chat.kind, group, [*current, *new])
        now = timezone.now()
        rows = ChatMember.objects.bulk_create(
            [ChatMember(chat=chat, user_id=u, role=MEMBER, joined_at=now, managed_by_structure=False) for u in new]
        )
        audit_record(
            organisation=chat.organisation,
            actor=actor,
            action="chat.members_added",
            obj=chat,
            details={"count": len(rows)},
        )
    return rows


def _heir(chat: Chat, leaving_id: int) -> int | None:
    """Who takes over a chat its last owner leaves: the class's curator, then an administrator (as the sync does),
    never the one leaving."""
    candidates = []
    if chat.group_id:
        candidates += CuratorAssignment.objects.filter(group_id=chat.group_id, valid_to__isnull=True).values_list(
            "teacher_id", flat=True
        )
    candidates += (
        Membership.objects.filter(
            organisation_id=chat.organisation_id, role=Membership.Role.ADMIN, valid_to__isnull=True
        )
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    return next((u for u in candidates if u != leaving_id), None)


def chat_leave(*, chat: Chat, actor) -> int | None:
    """A member leaves a chat created by hand; the last owner's ownership passes on. Returns the new owner's id
    when ownership passed."""
    if not can_read(actor, chat):
        raise NotFound(_("Чат не найден."))
    if _is_structure(chat):
        raise RuleViolation(
            _(
                "Из чатов класса, чатов по предметам и системных каналов выйти нельзя: их состав следует за структурой "
                "организации."
            ),
            code="structure_chat",
        )
    heir = None
    with transaction.atomic():
        Chat.objects.select_for_update().filter(pk=chat.pk).values_list("pk", flat=True).first()
        row = ChatMember.objects.filter(chat=chat, user=actor, left_at__isnull=True).first()
        if row is None:
            raise RuleViolation(_("Вы не состоите в этом чате."), code="not_a_member")
        others_own = ChatMember.objects.filter(chat=chat, role=OWNER, left_at__isnull=True).exclude(user=actor).exists()
        if row.role == OWNER and not others_own:
            heir = _heir(chat, actor.pk)
            if heir is None:
                raise Conflict(
                    _(
                        "Вы единственный владелец чата, и передать его некому. Если чат больше не нужен, "
                        "перенесите его в архив."
                    ),
                    code="last_owner",
                )
            updated = ChatMember.objects.filter(chat=chat, user_id=heir, left_at__isnull=True).update(
                role=OWNER, managed_by_structure=False
            )
            if not updated:
                ChatMember.objects.create(chat=chat, user_id=heir, role=OWNER, managed_by_structure=False)
            audit_record(
                organisation=chat.organisation,
                actor=actor,
                action="chat.owner_passed",
                obj=chat,
                details={"note": f"Новый владелец: пользователь № {heir}"},
            )
        row.left_at = timezone.now()
        row.save(update_fields=["left_at"])
    return heir


def may_leave(chat: Chat, role: str | None) -> bool:
    """Whether «leave» is offered: to an active member (`role`) of a chat created by hand."""
    return role is not None and not _is_structure(chat)
