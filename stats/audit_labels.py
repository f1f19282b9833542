"""Words of the audit log for the statistics, registered with orgs.audit_labels
in the app config's ready()."""

from django.utils.translation import gettext_lazy as _

from orgs import audit_labels

ACTIONS = {
    "stats.targets_changed": _("Изменены целевые значения организации"),
    "stats.area_targets_changed": _("Муниципалитет изменил целевые значения"),
    "stats.area_viewed": _("Муниципалитет просмотрел статистику организации"),
    "stats.area_exported": _("Муниципалитет выгрузил статистику организации"),
    "stats.area_report_requested": _("Муниципалитет заказал отчёт по статистике организаций"),
}

GROUPS = {
    "statistics": (_("Статистика"), ("stats",)),
}

DETAILS = {
    "area": _("Муниципалитет"),
    "period": _("Период"),
    "format": _("Формат"),
    "targets": _("Целевые значения"),
}


# The weekly-active targets of the statistics (their keys in the details of «stats.*targets_changed»).
TARGET_LABELS = {
    "staff": _("педагоги и сотрудники"),
    "students": _("обучающиеся"),
    "parents": _("родители"),
}


def _targets(action, value):
    if not isinstance(value, dict):
        return None
    return ", ".join(
        f"{TARGET_LABELS.get(k, k)} — " + (f"{v} %" if v is not None else str(_("как уровнем выше")))
        for k, v in value.items()
    )


def register() -> None:
    audit_labels.register(
        actions=ACTIONS,
        groups=GROUPS,
        details=DETAILS,
        values={"targets": _targets},
    )
