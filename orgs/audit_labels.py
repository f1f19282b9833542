"""Words for the audit log (Russian, translated like the rest of the UI): what each action code means, its
group, and its details in plain language.

Each app registers the words of its own actions in its app config's ready() (`register`, from `<app>/audit_labels.py`);
orgs' own are below. An action code no app has registered is shown as it is, so that a new entry is never hidden.

The tables hold lazy translations; every function here returns plain str (through `_text`), so that callers
may join, write to CSV or compare what they get without knowing that.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .models import Membership

# The registries every app fills (orgs' own words first).
ACTION_LABELS = {
    "registration.approved": _("Заявка на регистрацию организации одобрена"),
    "registration.rejected": _("Заявка на регистрацию организации отклонена"),
    "organisation.updated": _("Изменены сведения об организации"),
    "academic_year.created": _("Добавлен учебный год"),
    "group.created": _("Создана группа"),
    "group.updated": _("Изменена группа"),
    "group.archived": _("Группа перенесена в архив"),
    "group.restored": _("Группа восстановлена из архива"),
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
    "movement.expelled": _("Обучающийся отчислен"),
    "movement.graduated": _("Обучающийся выпущен"),
    "movement.dismissed": _("Сотрудник уволен"),
    "movement.transferred_out": _("Участник переведён в другую организацию"),
    "movement.transfer_requested": _("Запрошен перевод в другую организацию"),
    "movement.transfer_accepted": _("Принят перевод из другой организации"),
    "movement.transfer_rejected": _("Отказано в переводе из другой организации"),
    "promotion.confirmed": _("Подтверждён перевод на следующий учебный год"),
    "promotion.completed": _("Выполнен перевод на следующий учебный год"),
}
# Filter groups: key -> (label, the action prefixes that belong to it).
ACTION_GROUPS = {
    "people": (
        _("Люди"),
        ("membership", "teacher", "staff", "admin", "student", "curator", "teaching", "parent_link", "movement"),
    ),
    "structure": (_("Структура"), ("organisation", "academic_year", "group", "promotion")),
    "registration": (_("Регистрация организации"), ("registration",)),
}
DETAIL_LABELS = {
    "reason": _("Причина"),
    "note": _("Примечание"),
    "role": _("Роль"),
    "group": _("Класс или группа"),
    "from": _("Прежний класс"),
    "count": _("Количество"),
    "position": _("Должность"),
    "teacher": _("Педагог"),
    "subject": _("Предмет"),
    "parent": _("Родитель"),
    "child": _("Ребёнок"),
    "fields": _("Изменённые поля"),
    "membership": _("Участие №"),
    "member": _("Участник (№ пользователя)"),
    "until": _("До"),
    "number": _("Версия"),
    "date": _("Дата"),
    "changes": _("Изменения"),
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
}
# (action, detail key) -> the detail's label for that action alone.
ACTION_DETAIL_LABELS: dict[tuple[str, str], object] = {}
# detail key -> (action, value) -> its words, or None to show the value as usual.
VALUE_WORDS: dict[str, Callable] = {}
# vocabulary -> labels that say «класс» in a school, as an organisation whose study group is a «группа» says them.
GROUP_WORDS: list[Callable] = []


def _merge(table: dict, new: dict, what: str) -> None:
    for key, label in new.items():
        if key in table and table[key] != label:
            raise ImproperlyConfigured(f"Audit {what} {key!r} is registered twice with different words")
        table[key] = label


def register(
    *,
    actions: dict,
    groups: dict | None = None,
    details: dict | None = None,
    fields: dict | None = None,
    action_details: dict | None = None,
    values: dict[str, Callable] | None = None,
    group_words: Callable | None = None,
) -> None:
    """Add an app's words: its action codes, their filter groups, the labels of the details it writes, of the fields
    it names, and how some of its values read. Called once, from the app config's ready()."""
    _merge(ACTION_LABELS, actions, "action")
    _merge(ACTION_GROUPS, groups or {}, "group")
    _merge(DETAIL_LABELS, details or {}, "detail")
    _merge(FIELD_LABELS, fields or {}, "field")
    _merge(ACTION_DETAIL_LABELS, action_details or {}, "detail of an action")
    _merge(VALUE_WORDS, values or {}, "value of")
    if group_words is not None and group_words not in GROUP_WORDS:
        GROUP_WORDS.append(group_words)


def _orgs_group_words(vocabulary) -> dict:
    return {
        "student.enrolled": _("Обучающийся зачислен в %(group)s") % {"group": vocabulary.group_accusative},
        "student.transferred": _("Обучающийся переведён в другую группу"),
        "curator.assigned": _("Назначен %(curator)s") % {"curator": vocabulary.curator},
        "curator.unassigned": _("Снят %(curator)s") % {"curator": vocabulary.curator},
        "from": _("Прежняя группа"),
    }


GROUP_WORDS.append(_orgs_group_words)


def _text(value) -> str:
    """A label in the active language as a plain str (lazy translations are not str: «, ".join» refuses them)."""
    return str(value)


def _group_words(vocabulary) -> dict:
    """Labels that say «класс» in a school, as an organisation whose study group is a «группа» says them."""
    if vocabulary is None or vocabulary.is_class:
        return {}
    words = {}
    for provider in GROUP_WORDS:
        words.update(provider(vocabulary))
    return words


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
    if key in VALUE_WORDS:
        said = VALUE_WORDS[key](action, value)
        if said is not None:
            return said
    if isinstance(value, bool):
        return pgettext("yes or no", "да") if value else pgettext("yes or no", "нет")
    if key == "role":
        return dict(Membership.Role.choices).get(value, value)
    if key == "position":
        return _text(dict(Membership.Position.choices).get(value, value)) or "—"
    if key == "fields" and isinstance(value, Iterable) and not isinstance(value, str):
        return ", ".join(_text(words.get(v) or FIELD_LABELS.get(v, v)) for v in value)
    if key == "changes" and isinstance(value, dict):
        return "; ".join(
            f"{_text(words.get(k) or FIELD_LABELS.get(k, k))}: {_change_value(old)} → {_change_value(new)}"
            for k, (old, new) in value.items()
        )
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)  # «Созданы группы: ИС-99, ИС-98», not a Python list
    return value


def _change_value(value) -> str:
    return "—" if value is None or value == "" else str(value)


def detail_items(action: str, details: dict | None, vocabulary=None) -> list[tuple[str, str]]:
    """(label, value) pairs for the entry's details, in Russian; empty values are left out unless their app has
    words for them («Число переходов: без ограничения»)."""
    items, words = [], _group_words(vocabulary)
    for key, value in (details or {}).items():
        if value is None or value == "" or value == []:
            if key not in VALUE_WORDS or VALUE_WORDS[key](action, value) is None:
                continue
        label = ACTION_DETAIL_LABELS.get((action, key)) or words.get(key) or DETAIL_LABELS.get(key, key)
        items.append((_text(label), _value(action, key, value, words)))
    return items


def details_text(action: str, details: dict | None, vocabulary=None) -> str:
    """The details as one line: «Причина: …; Роль: …»."""
    return "; ".join(f"{label}: {value}" for label, value in detail_items(action, details, vocabulary))
