"""An import before it is applied: upload, column mapping, fixes of single rows, classes to create, confirmation."""

from django.db import transaction
from django.utils.translation import gettext as _

from orgs.models import Organisation
from orgs.services.audit import audit_record
from portal.dispatch import queue_after_commit
from portal.exceptions import Conflict, RuleViolation

from ..columns import fields_of, guess_mapping, mapping_problems
from ..models import RosterImport, RosterKind
from ..permissions import require_create_classes, require_manage_roster
from ..planning import plan_build
from ..reading import read_table

Status = RosterImport.Status


def roster_import_create(*, organisation: Organisation, actor, kind: str, file_name: str, data: bytes) -> RosterImport:
    """Read an uploaded file into a draft import with the columns guessed from its header; nothing else is written."""
    require_manage_roster(actor, organisation)
    if kind not in RosterKind.values:
        raise RuleViolation(
            _("Выберите, кого загружаете."), code="kind_invalid", fields={"kind": [_("Неизвестный вид.")]}
        )
    headers, rows = read_table(data, file_name)
    with transaction.atomic():
        imp = RosterImport.objects.create(
            organisation=organisation,
            kind=kind,
            file_name=file_name[:255],
            headers=headers,
            rows=rows,
            mapping=guess_mapping(kind, headers),
            total=len(rows),
            created_by=actor,
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="roster.uploaded",
            obj=imp,
            details={"file": imp.file_name, "rows": len(rows), "kind": kind},
        )
    return imp


def _editable(imp: RosterImport, actor) -> None:
    require_manage_roster(actor, imp.organisation)
    if imp.status not in (Status.DRAFT, Status.FAILED):
        raise Conflict(_("Импорт уже запущен: изменить его нельзя."), code="roster_import_started")


def roster_import_set_mapping(*, imp: RosterImport, actor, mapping: dict) -> RosterImport:
    """Which column holds which field, as the administrator chose; unknown fields and columns are refused."""
    _editable(imp, actor)
    known = fields_of(imp.kind)
    clean = {}
    for name, column in mapping.items():
        if column in ("", None):
            continue
        if name not in known or not str(column).isdigit() or int(column) >= len(imp.headers):
            raise RuleViolation(
                _("Неверное сопоставление столбцов."), code="mapping_invalid", fields={name: [_("Нет такого столбца.")]}
            )
        clean[name] = int(column)
    problems = mapping_problems(imp.kind, clean, imp.organisation.vocabulary)
    if problems:
        raise RuleViolation(" ".join(problems), code="mapping_incomplete")
    imp.mapping = clean
    imp.save(update_fields=["mapping"])
    return imp


def roster_import_fix_row(*, imp: RosterImport, actor, number: int, values: dict) -> RosterImport:
    """The administrator's correction of one row in the preview; the file itself is kept as it was."""
    _editable(imp, actor)
    if number not in {row_number for row_number, _cells in imp.rows}:
        raise RuleViolation(_("В файле нет строки %(number)s.") % {"number": number}, code="row_not_found")
    known = fields_of(imp.kind)
    fix = {name: str(value).strip()[:300] for name, value in values.items() if name in known and value is not None}
    imp.fixes = {**imp.fixes, str(number): {**imp.fixes.get(str(number), {}), **fix}}
    imp.save(update_fields=["fixes"])
    return imp


def roster_import_allow_classes(*, imp: RosterImport, actor, names: list[str]) -> RosterImport:
    """Agree to create these missing classes when the import is applied."""
    _editable(imp, actor)
    require_create_classes(actor, imp.organisation)
    imp.create_classes = sorted({*imp.create_classes, *(" ".join(str(n).split()) for n in names if str(n).strip())})
    imp.save(update_fields=["create_classes"])
    return imp


def roster_import_confirm(*, imp: RosterImport, actor) -> RosterImport:
    """Start the job that applies every accepted row or none; the rows with problems are left out and reported."""
    _editable(imp, actor)
    plan = plan_build(imp)
    if not plan.totals.get("accepted"):
        raise RuleViolation(
            _("В файле нет ни одной строки, которую можно загрузить: исправьте ошибки в предпросмотре."),
            code="roster_nothing_to_apply",
        )
    with transaction.atomic():
        imp = RosterImport.objects.select_for_update().get(pk=imp.pk)
        _editable(imp, actor)
        imp.status, imp.done, imp.last_error = Status.QUEUED, 0, ""
        imp.save(update_fields=["status", "done", "last_error"])
        audit_record(
            organisation=imp.organisation,
            actor=actor,
            action="roster.confirmed",
            obj=imp,
            details={"rows": plan.totals["rows"], "accepted": plan.totals["accepted"]},
        )
        from ..tasks import apply_roster_import

        queue_after_commit(apply_roster_import, imp.pk)
    return imp
