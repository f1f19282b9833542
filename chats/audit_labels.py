"""Words of the audit log for chats and their moderation, registered with orgs.audit_labels
in the app config's ready()."""

from django.utils.translation import gettext_lazy as _

from orgs import audit_labels

ACTIONS = {
    "chat.created": _("Создан чат"),
    "chat.renamed": _("Чат переименован"),
    "chat.archived": _("Чат перенесён в архив"),
    "chat.restored": _("Чат восстановлен из архива"),
    "chat.members_added": _("В чат добавлены участники"),
    "chat.owner_passed": _("Владение чатом передано"),
    "chat.member_muted": _("Участнику чата запрещено писать"),
    "chat.member_unmuted": _("Участнику чата снова разрешено писать"),
    "chat.member_removed": _("Участник исключён из чата"),
    "report.message_deleted": _("Жалоба рассмотрена: сообщение удалено"),
    "report.dismissed": _("Жалоба отклонена"),
}

GROUPS = {
    "chats": (_("Чаты и жалобы"), ("chat", "report")),
}


def register() -> None:
    audit_labels.register(
        actions=ACTIONS,
        groups=GROUPS,
    )
