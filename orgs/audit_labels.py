"""Words for the audit log (Russian, translated like the rest of the UI): what each action code means, its
group, and its details in plain language.

An action code the table does not know yet is shown as it is, so that a new entry is never hidden.

The tables hold lazy translations; every function here returns plain str (through `_text`), so that callers
may join, write to CSV or compare what they get without knowing that.
"""

from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .models import Membership

ACTION_LABELS = {
    # Registration of the organisation
    "registration.approved": _("Заявка на регистрацию организации одобрена"),
    "registration.rejected": _("Заявка на регистрацию организации отклонена"),
    # Structure
    "organisation.updated": _("Изменены сведения об организации"),
    "academic_year.created": _("Добавлен учебный год"),
    "group.created": _("Создана группа"),
    "group.updated": _("Изменена группа"),
    "group.archived": _("Группа перенесена в архив"),
    "group.restored": _("Группа восстановлена из архива"),
    # People
    "membership.added": _("Участник добавлен в организацию"),
    "membership.ended": _("Участник исключён из организации"),
    "teacher.verified": _("Педагог подтверждён"),
    "teacher.rejected": _("Педагогу отказано в подтверждении"),
    "staff.position_changed": _("Изменена должность"),
    "admin.appointed": _("Назначен администратор"),
    "admin.removed": _("Снят администратор"),
    "student.enrolled": _("Обучающийся зачислен в класс"),
    "student.transferred": _("Обучающийся переведён в другой класс"),
    "curator.assigned": _("Назначен куратор класса"),
    "curator.unassigned": _("Куратор класса снят"),
    "teaching.assigned": _("Назначена нагрузка педагога"),
    "teaching.ended": _("Нагрузка педагога снята"),
    "parent_link.created": _("Родитель связан с ребёнком"),
    "parent_link.ended": _("Связь родителя с ребёнком прекращена"),
    # Movement
    "movement.expelled": _("Обучающийся отчислен"),
    "movement.graduated": _("Обучающийся выпущен"),
    "movement.dismissed": _("Сотрудник уволен"),
    "movement.transferred_out": _("Участник переведён в другую организацию"),
    "movement.transfer_requested": _("Запрошен перевод в другую организацию"),
    "movement.transfer_accepted": _("Принят перевод из другой организации"),
    "movement.transfer_rejected": _("Отказано в переводе из другой организации"),
    "promotion.confirmed": _("Подтверждён перевод на следующий учебный год"),
    "promotion.completed": _("Выполнен перевод на следующий учебный год"),
    # Invites
    "invite.created": _("Создана ссылка-приглашение"),
    "invite.relayed": _("Ссылка-приглашение передана дальше"),
    "invite.regenerated": _("Ссылка-приглашение обновлена (старая больше не действует)"),
    "invite.revoked": _("Ссылка-приглашение отозвана"),
    "invite.revoked_all": _("Отозваны все действующие ссылки-приглашения"),
    "invite.paused": _("Ссылка-приглашение приостановлена"),
    "invite.resumed": _("Ссылка-приглашение снова действует"),
    "invite.expired": _("Срок ссылки-приглашения истёк"),
    "invite.annulled": _("Невостребованная ссылка-приглашение аннулирована"),
    "invite.redeemed": _("Переход по ссылке-приглашению"),
    "invite.mailing_started": _("Начата рассылка приглашений по электронной почте"),
    "invite.revoked_on_leaving": _("Ссылки-приглашения отозваны: их автор покинул организацию"),
    "invite.created_in_bulk": _("Созданы личные ссылки-приглашения по списку"),
    # Roster import
    "roster.uploaded": _("Загружен файл контингента для предпросмотра"),
    "roster.confirmed": _("Подтверждена загрузка контингента"),
    "roster.imported": _("Контингент загружен"),
    # Chats
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
    # Content rules
    "content.refused": _("Текст отклонён правилами содержания"),
    "content_rule.created": _("Добавлен запрещённый сервис"),
    "content_rule.updated": _("Изменён запрещённый сервис"),
    "content_rule.deleted": _("Запрещённый сервис удалён из перечня"),
    # Join requests
    "join_request.approved": _("Заявка на вступление одобрена"),
    "join_request.rejected": _("Заявка на вступление отклонена"),
    "join_request.handed_over": _(
        "Заявки на вступление переданы администраторам: рассматривавший их покинул организацию"
    ),
    "join_request.withdrawn": _("Заявка на вступление отозвана заявителем"),
    # Regulations
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
    # Settings
    "settings.changed": _("Изменены настройки организации"),
    # Statistics
    "stats.targets_changed": _("Изменены целевые значения организации"),
    "stats.area_targets_changed": _("Муниципалитет изменил целевые значения"),
    "stats.area_viewed": _("Муниципалитет просмотрел статистику организации"),
    "stats.area_exported": _("Муниципалитет выгрузил статистику организации"),
    "stats.area_report_requested": _("Муниципалитет заказал отчёт по статистике организаций"),
    # Account safety
    "account.access_reported": _("Участник сообщил о несанкционированном доступе: все его сеансы завершены"),
    "account.sessions_ended": _("Администратор завершил все сеансы участника"),
    "incident.reviewed": _("Инцидент безопасности рассмотрен"),
}

# Filter groups: key -> (label, the action prefixes that belong to it).
ACTION_GROUPS = {
    "invites": (_("Приглашения"), ("invite",)),
    "join_requests": (_("Заявки на вступление"), ("join_request",)),
    "people": (
        _("Люди"),
        ("membership", "teacher", "staff", "admin", "student", "curator", "teaching", "parent_link", "movement"),
    ),
    "structure": (_("Структура"), ("organisation", "academic_year", "group", "promotion")),
    "registration": (_("Регистрация организации"), ("registration",)),
    "chats": (_("Чаты и жалобы"), ("chat", "report")),
    "content": (_("Правила содержания"), ("content", "content_rule")),
    "statistics": (_("Статистика"), ("stats",)),
    "safety": (_("Безопасность учётных записей"), ("account", "incident")),
    "policies": (_("Документы"), ("policy",)),
    "settings": (_("Настройки организации"), ("settings",)),
    "roster": (_("Импорт контингента"), ("roster",)),
}

DETAIL_LABELS = {
    "reason": _("Причина"),
    "note": _("Примечание"),
    "role": _("Роль"),
    "group": _("Класс или группа"),
    "from": _("Прежний класс"),
    "count": _("Количество"),
    "total": _("Всего писем"),
    "max_uses": _("Число переходов"),
    "days": _("Дней без использования"),
    "position": _("Должность"),
    "teacher": _("Педагог"),
    "subject": _("Предмет"),
    "parent": _("Родитель"),
    "child": _("Ребёнок"),
    "fields": _("Изменённые поля"),
    "outcome": _("Итог"),
    "automatic": _("Автоматически"),
    "creator": _("Автор ссылок (№ пользователя)"),
    "membership": _("Участие №"),
    "join_request": _("Заявка №"),
    "member": _("Участник (№ пользователя)"),
    "until": _("До"),
    "area": _("Муниципалитет"),
    "period": _("Период"),
    "format": _("Формат"),
    "targets": _("Целевые значения"),
    "sessions": _("Завершено сеансов"),
    "tokens": _("Отозвано API-токенов"),
    "codes": _("Аннулировано одноразовых кодов"),
    "incident": _("Инцидент №"),
    "devices": _("Устройства"),
    "rule": _("Правило"),
    "where": _("Где"),
    "service": _("Сервис"),
    "evidence": _("Нарушение"),
    "enabled": _("Действует"),
    "number": _("Версия"),
    "clause": _("Пункт"),
    "body": _("Согласовавший орган"),
    "protocol": _("Номер протокола"),
    "date": _("Дата"),
    "order": _("Номер приказа"),
    "in_force_from": _("Действует с"),
    "duty": _("Обязанность"),
    "changes": _("Изменения"),
    "by_link": _("По ссылке для администратора"),
    "file": _("Файл"),
    "rows": _("Строк в файле"),
    "kind": _("Кого загружали"),
    "accepted": _("Строк к загрузке"),
    "new": _("Новых людей"),
    "already": _("Уже были"),
    "moved": _("Переведены из другого класса"),
    "duplicates": _("Повторы строк"),
    "errors": _("Строк с ошибками"),
    "classes_created": _("Созданы классы"),
    "links": _("Создано ссылок"),
    "parent_links": _("Из них для родителей"),
}

OUTCOME_LABELS = {"joined": _("вступил(а)"), "requested": _("отправлена заявка"), "already": _("уже состоит")}
# The weekly-active targets of the statistics (their keys in the details of «stats.*targets_changed»).
TARGET_LABELS = {
    "staff": _("педагоги и сотрудники"),
    "students": _("обучающиеся"),
    "parents": _("родители"),
}
FIELD_LABELS = {
    "full_name": _("полное наименование"),
    "short_name": _("краткое наименование"),
    "address": _("адрес"),
    "region": _("регион"),
    "municipality": _("муниципалитет"),
    "contact_phone": _("телефон организации"),
    "contact_email": _("e-mail организации"),
    "website": _("сайт"),
    "time_zone": _("часовой пояс"),
    "staff_headcount": _("численность сотрудников"),
    "kind": _("тип организации"),
    "title": _("название"),
    "teacher_days": _("срок ссылки для педагогов, дней"),
    "student_days": _("срок ссылки для обучающихся, дней"),
    "parent_days": _("срок ссылки для родителей, дней"),
    "max_days": _("наибольший срок ссылки, дней"),
    "unused_days": _("аннулировать невостребованные ссылки через, дней"),
    "leak_margin": _("запас переходов сверх состава класса"),
    "leak_spike_uses": _("переходов во всплеске"),
    "leak_spike_minutes": _("окно всплеска, минут"),
    "admin_hours": _("срок ссылки для администратора, часов"),
}


def _text(value) -> str:
    """A label in the active language as a plain str (lazy translations are not str: «, ".join» refuses them)."""
    return str(value)


def _group_words(vocabulary) -> dict:
    """Labels that say «класс» in a school, as an organisation whose study group is a «группа» says them."""
    if vocabulary is None or vocabulary.is_class:
        return {}
    group, groups = vocabulary.group_accusative, vocabulary.groups
    return {
        "student.enrolled": _("Обучающийся зачислен в %(group)s") % {"group": group},
        "student.transferred": _("Обучающийся переведён в другую группу"),
        "curator.assigned": _("Назначен %(curator)s") % {"curator": vocabulary.curator},
        "curator.unassigned": _("Снят %(curator)s") % {"curator": vocabulary.curator},
        "from": _("Прежняя группа"),
        "moved": _("Переведены из другой группы"),
        "classes_created": _("Созданы %(groups)s") % {"groups": groups},
        "leak_margin": _("запас переходов сверх состава группы"),
    }


def action_label(action: str, vocabulary=None) -> str:
    """The label of an action code in the active language (in the organisation's words when its vocabulary is
    given); the code itself when it has none."""
    return _text(_group_words(vocabulary).get(action) or ACTION_LABELS.get(action, action))


def action_group_choices() -> list[tuple[str, str]]:
    """(key, label) of each filter group, in the active language."""
    return [(key, _text(label)) for key, (label, _prefixes) in ACTION_GROUPS.items()]


def action_group_q(group: str) -> Q:
    """A filter matching the actions of one group (nothing for an unknown group)."""
    prefixes = ACTION_GROUPS.get(group, ("", ()))[1]
    query = Q(pk__in=[])
    for prefix in prefixes:
        query |= Q(action__startswith=f"{prefix}.")
    return query


def _value(action: str, key: str, value, words: dict) -> str:
    return _text(_raw_value(action, key, value, words))


def _raw_value(action: str, key: str, value, words: dict):
    if isinstance(value, bool):
        return pgettext("yes or no", "да") if value else pgettext("yes or no", "нет")
    if key == "role":
        return dict(Membership.Role.choices).get(value, value)
    if key == "position":
        return _text(dict(Membership.Position.choices).get(value, value)) or "—"
    if key == "max_uses" and value is None:
        return _("без ограничения")
    if key == "outcome":
        return OUTCOME_LABELS.get(value, value)
    if key == "fields" and isinstance(value, Iterable) and not isinstance(value, str):
        return ", ".join(_text(words.get(v) or FIELD_LABELS.get(v, v)) for v in value)
    if key == "changes" and isinstance(value, dict):
        return "; ".join(
            f"{_text(words.get(k) or FIELD_LABELS.get(k, k))}: {_change_value(old)} → {_change_value(new)}"
            for k, (old, new) in value.items()
        )
    if key == "devices" and isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)  # «Созданы группы: ИС-99, ИС-98», not a Python list
    if key == "from" and action == "invite.relayed":
        return _("ссылка № %(number)s") % {"number": value}
    if key == "targets" and isinstance(value, dict):
        return ", ".join(
            f"{_text(TARGET_LABELS.get(k, k))} — " + (f"{v} %" if v is not None else _text(_("как уровнем выше")))
            for k, v in value.items()
        )
    return value


def _change_value(value) -> str:
    return "—" if value is None or value == "" else str(value)


def detail_items(action: str, details: dict | None, vocabulary=None) -> list[tuple[str, str]]:
    """(label, value) pairs for the entry's details, in Russian; empty values are left out."""
    items, words = [], _group_words(vocabulary)
    for key, value in (details or {}).items():
        if value is None or value == "" or value == []:
            if key != "max_uses":
                continue
        label = words.get(key) or DETAIL_LABELS.get(key, key)
        if key == "from" and action == "invite.relayed":
            label = _("Исходная ссылка")
        items.append((_text(label), _value(action, key, value, words)))
    return items


def details_text(action: str, details: dict | None, vocabulary=None) -> str:
    """The details as one line: «Причина: …; Роль: …»."""
    return "; ".join(f"{label}: {value}" for label, value in detail_items(action, details, vocabulary))
