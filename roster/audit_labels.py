"""Words of the audit log for the roster import, registered with orgs.audit_labels
in the app config's ready()."""

from django.utils.translation import gettext_lazy as _

from orgs import audit_labels

ACTIONS = {
    "roster.uploaded": _("Загружен файл контингента для предпросмотра"),
    "roster.confirmed": _("Подтверждена загрузка контингента"),
    "roster.imported": _("Контингент загружен"),
}

GROUPS = {
    "roster": (_("Импорт контингента"), ("roster",)),
}

DETAILS = {
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


def _group_words(vocabulary) -> dict:
    return {
        "moved": _("Переведены из другой группы"),
        "classes_created": _("Созданы %(groups)s") % {"groups": vocabulary.groups},
    }


def register() -> None:
    audit_labels.register(
        actions=ACTIONS,
        groups=GROUPS,
        details=DETAILS,
        group_words=_group_words,
    )
