"""Words of the audit log for account safety, registered with orgs.audit_labels
in the app config's ready()."""

from django.utils.translation import gettext_lazy as _

from orgs import audit_labels

ACTIONS = {
    "account.access_reported": _("Участник сообщил о несанкционированном доступе: все его сеансы завершены"),
    "account.sessions_ended": _("Администратор завершил все сеансы участника"),
    "incident.reviewed": _("Инцидент безопасности рассмотрен"),
}

GROUPS = {
    "safety": (_("Безопасность учётных записей"), ("account", "incident")),
}

DETAILS = {
    "sessions": _("Завершено сеансов"),
    "tokens": _("Отозвано API-токенов"),
    "codes": _("Аннулировано одноразовых кодов"),
    "incident": _("Инцидент №"),
    "devices": _("Устройства"),
}


def _devices(action, value):
    return "; ".join(str(v) for v in value) if isinstance(value, list) and value else None


def register() -> None:
    audit_labels.register(
        actions=ACTIONS,
        groups=GROUPS,
        details=DETAILS,
        values={"devices": _devices},
    )
