"""Russian words for the audit log: what each action code means, its group, and its details in plain language.

An action code the table does not know yet is shown as it is, so that a new entry is never hidden.
"""

from collections.abc import Iterable

from django.db.models import Q

from .models import Membership

ACTION_LABELS = {
    # Registration of the organisation
    "registration.approved": "Заявка на регистрацию организации одобрена",
    "registration.rejected": "Заявка на регистрацию организации отклонена",
    # Structure
    "organisation.updated": "Изменены сведения об организации",
    "academic_year.created": "Добавлен учебный год",
    "group.created": "Создана группа",
    "group.updated": "Изменена группа",
    "group.archived": "Группа перенесена в архив",
    "group.restored": "Группа восстановлена из архива",
    # People
    "membership.added": "Участник добавлен в организацию",
    "membership.ended": "Участник исключён из организации",
    "teacher.verified": "Педагог подтверждён",
    "teacher.rejected": "Педагогу отказано в подтверждении",
    "staff.position_changed": "Изменена должность",
    "admin.appointed": "Назначен администратор",
    "admin.removed": "Снят администратор",
    "student.enrolled": "Обучающийся зачислен в класс",
    "student.transferred": "Обучающийся переведён в другой класс",
    "curator.assigned": "Назначен куратор класса",
    "curator.unassigned": "Куратор класса снят",
    "teaching.assigned": "Назначена нагрузка педагога",
    "teaching.ended": "Нагрузка педагога снята",
    "parent_link.created": "Родитель связан с ребёнком",
    "parent_link.ended": "Связь родителя с ребёнком прекращена",
    # Invites
    "invite.created": "Создана ссылка-приглашение",
    "invite.relayed": "Ссылка-приглашение передана дальше",
    "invite.regenerated": "Ссылка-приглашение обновлена (старая больше не действует)",
    "invite.revoked": "Ссылка-приглашение отозвана",
    "invite.revoked_all": "Отозваны все действующие ссылки-приглашения",
    "invite.paused": "Ссылка-приглашение приостановлена",
    "invite.resumed": "Ссылка-приглашение снова действует",
    "invite.expired": "Срок ссылки-приглашения истёк",
    "invite.annulled": "Невостребованная ссылка-приглашение аннулирована",
    "invite.redeemed": "Переход по ссылке-приглашению",
    "invite.mailing_started": "Начата рассылка приглашений по электронной почте",
    # Join requests
    "join_request.approved": "Заявка на вступление одобрена",
    "join_request.rejected": "Заявка на вступление отклонена",
}

# Filter groups: key -> (label, the action prefixes that belong to it).
ACTION_GROUPS = {
    "invites": ("Приглашения", ("invite",)),
    "join_requests": ("Заявки на вступление", ("join_request",)),
    "people": (
        "Люди",
        ("membership", "teacher", "staff", "admin", "student", "curator", "teaching", "parent_link"),
    ),
    "structure": ("Структура", ("organisation", "academic_year", "group")),
    "registration": ("Регистрация организации", ("registration",)),
}

DETAIL_LABELS = {
    "reason": "Причина",
    "note": "Примечание",
    "role": "Роль",
    "group": "Класс или группа",
    "from": "Прежний класс",
    "count": "Количество",
    "total": "Всего писем",
    "max_uses": "Число переходов",
    "days": "Дней без использования",
    "position": "Должность",
    "teacher": "Педагог",
    "subject": "Предмет",
    "parent": "Родитель",
    "child": "Ребёнок",
    "fields": "Изменённые поля",
    "outcome": "Итог",
    "automatic": "Автоматически",
    "creator": "Автор ссылок (№ пользователя)",
    "membership": "Участие №",
    "join_request": "Заявка №",
}

OUTCOME_LABELS = {"joined": "вступил(а)", "requested": "отправлена заявка", "already": "уже состоит"}
FIELD_LABELS = {
    "full_name": "полное наименование",
    "short_name": "краткое наименование",
    "address": "адрес",
    "region": "регион",
    "municipality": "муниципалитет",
    "time_zone": "часовой пояс",
    "kind": "тип организации",
}


def action_label(action: str) -> str:
    """The Russian label of an action code; the code itself when it has none."""
    return ACTION_LABELS.get(action, action)


def action_group_q(group: str) -> Q:
    """A filter matching the actions of one group (nothing for an unknown group)."""
    prefixes = ACTION_GROUPS.get(group, ("", ()))[1]
    query = Q(pk__in=[])
    for prefix in prefixes:
        query |= Q(action__startswith=f"{prefix}.")
    return query


def _value(action: str, key: str, value) -> str:
    if isinstance(value, bool):
        return "да" if value else "нет"
    if key == "role":
        return str(dict(Membership.Role.choices).get(value, value))
    if key == "position":
        return str(dict(Membership.Position.choices).get(value, value)) or "—"
    if key == "max_uses" and value is None:
        return "без ограничения"
    if key == "outcome":
        return OUTCOME_LABELS.get(value, str(value))
    if key == "fields" and isinstance(value, Iterable) and not isinstance(value, str):
        return ", ".join(FIELD_LABELS.get(v, str(v)) for v in value)
    if key == "from" and action == "invite.relayed":
        return f"ссылка № {value}"
    return str(value)


def detail_items(action: str, details: dict | None) -> list[tuple[str, str]]:
    """(label, value) pairs for the entry's details, in Russian; empty values are left out."""
    items = []
    for key, value in (details or {}).items():
        if value is None or value == "" or value == []:
            if key != "max_uses":
                continue
        label = DETAIL_LABELS.get(key, key)
        if key == "from" and action == "invite.relayed":
            label = "Исходная ссылка"
        items.append((label, _value(action, key, value)))
    return items


def details_text(action: str, details: dict | None) -> str:
    """The details as one line: «Причина: …; Роль: …»."""
    return "; ".join(f"{label}: {value}" for label, value in detail_items(action, details))
