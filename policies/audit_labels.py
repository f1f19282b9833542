"""Words of the audit log for the regulations and the content rules, registered with orgs.audit_labels
in the app config's ready()."""

from django.utils.translation import gettext_lazy as _

from orgs import audit_labels

ACTIONS = {
    "content.refused": _("Текст отклонён правилами содержания"),
    "content_rule.created": _("Добавлен запрещённый сервис"),
    "content_rule.updated": _("Изменён запрещённый сервис"),
    "content_rule.deleted": _("Запрещённый сервис удалён из перечня"),
    "policy.version_created": _("Создан проект документа"),
    "policy.version_refreshed": _("В проект документа внесены новые сведения об организации"),
    "policy.clause_edited": _("Изменён пункт проекта документа"),
    "policy.clause_reset": _("Пункт проекта документа возвращён к шаблону"),
    "policy.agreed": _("Документ согласован"),
    "policy.returned_to_draft": _("Документ возвращён на доработку"),
    "policy.approved": _("Документ утверждён"),
    "policy.responsible_added": _("Назначено ответственное лицо"),
    "policy.responsible_ended": _("Ответственное лицо освобождено"),
    "policy.audience_changed": _("Изменён круг ознакомления с документом"),
    "policy.paper_acknowledgement": _("Записана подпись в бумажном листе ознакомления"),
}

GROUPS = {
    "content": (_("Правила содержания"), ("content", "content_rule")),
    "policies": (_("Документы"), ("policy",)),
}

DETAILS = {
    "rule": _("Правило"),
    "where": _("Где"),
    "service": _("Сервис"),
    "evidence": _("Нарушение"),
    "enabled": _("Действует"),
    "clause": _("Пункт"),
    "body": _("Согласовавший орган"),
    "protocol": _("Номер протокола"),
    "order": _("Номер приказа"),
    "in_force_from": _("Действует с"),
    "duty": _("Обязанность"),
}


def register() -> None:
    audit_labels.register(
        actions=ACTIONS,
        groups=GROUPS,
        details=DETAILS,
    )
