"""The organisation's profile and structure: academic years, divisions, classes, clubs."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.exceptions import Conflict, RuleViolation
from portal.quotes import inner_quotes

from ..models import AcademicYear, CuratorAssignment, Group, Organisation, OrganisationKind, TeachingAssignment
from ..permissions import permissions_sync_user, require
from ..signals import structure_changed_after_commit
from .audit import audit_record

PROFILE_EDITABLE = [
    "full_name",
    "short_name",
    "address",
    "region",
    "municipality",
    "contact_phone",
    "contact_email",
    "website",
    "time_zone",
    "staff_headcount",
]


def organisation_update(*, organisation: Organisation, actor, data: dict) -> Organisation:
    """Edit the profile. The kind is fixed at registration: it decides the vocabulary."""
    require(actor, "manage_org", organisation)
    changed = {}
    for field in PROFILE_EDITABLE:
        if field in data and getattr(organisation, field) != data[field]:
            changed[field] = data[field]
            setattr(organisation, field, data[field])
    organisation.full_clean()
    organisation.save()
    if changed:
        audit_record(
            organisation=organisation,
            actor=actor,
            action="organisation.updated",
            obj=organisation,
            details={"fields": sorted(changed)},
        )
    return organisation


def academic_year_create(*, organisation, actor, name, starts_on, ends_on, is_current=False) -> AcademicYear:
    """Add an academic year; making it current makes the others not current."""
    require(actor, "manage_org", organisation)
    if ends_on <= starts_on:
        raise RuleViolation(_("Учебный год должен заканчиваться позже, чем начинается."), code="year_dates")
    with transaction.atomic():
        if AcademicYear.objects.filter(organisation=organisation, name=name).exists():
            raise Conflict(_("Учебный год «%(name)s» уже есть.") % {"name": inner_quotes(name)}, code="year_exists")
        if is_current:
            AcademicYear.objects.filter(organisation=organisation, is_current=True).update(is_current=False)
        year = AcademicYear.objects.create(
            organisation=organisation, name=name, starts_on=starts_on, ends_on=ends_on, is_current=is_current
        )
        audit_record(organisation=organisation, actor=actor, action="academic_year.created", obj=year)
    return year


def class_name(organisation: Organisation, grade: int | None, letter: str) -> str:
    """«5А» in a school; a college group keeps its own code («ЭС-21»)."""
    letter = (letter or "").strip()
    if organisation.kind == OrganisationKind.SCHOOL and grade:
        return f"{grade}{letter.upper()}"
    return letter or (str(grade) if grade else "")


def _ensure_name_free(group: Group) -> None:
    # The unique constraint includes the academic year, and NULL years never collide: divisions and
    # clubs (which have no year) are checked here.
    if group.academic_year_id is not None:
        return
    taken = Group.objects.filter(
        organisation_id=group.organisation_id,
        kind=group.kind,
        name=group.name,
        academic_year__isnull=True,
        is_archived=False,
    ).exclude(pk=group.pk)
    if taken.exists():
        raise Conflict(_("«%(name)s» уже есть в структуре.") % {"name": inner_quotes(group.name)}, code="group_exists")


def _sync_group_staff(group: Group) -> None:
    """Re-derive the rights of the group's curator and teachers after it left or re-entered the structure."""
    teacher_ids = set(
        CuratorAssignment.objects.filter(group=group, valid_to__isnull=True).values_list("teacher_id", flat=True)
    )
    teacher_ids |= set(
        TeachingAssignment.objects.filter(group=group, valid_to__isnull=True).values_list("teacher_id", flat=True)
    )
    for user in User.objects.filter(pk__in=teacher_ids):
        permissions_sync_user(organisation=group.organisation, user=user)


def _validate_parent(organisation, parent):
    if parent is None:
        return
    if parent.organisation_id != organisation.pk or parent.kind != Group.Kind.DIVISION:
        raise RuleViolation(_("Входить можно только в подразделение этой организации."), code="parent_invalid")


def group_create(
    *, organisation, actor, kind, name="", grade=None, letter="", academic_year=None, parent=None
) -> Group:
    """Create a division, class or club. The staff group exists already and is never created here."""
    require(actor, "manage_org", organisation)
    if kind == Group.Kind.STAFF:
        raise RuleViolation(
            _("Педагогический коллектив создаётся автоматически и бывает только один."), code="staff_group_exists"
        )
    _validate_parent(organisation, parent)
    if kind == Group.Kind.CLASS:
        if academic_year is None:
            academic_year = AcademicYear.objects.filter(organisation=organisation, is_current=True).first()
        if academic_year is None or academic_year.organisation_id != organisation.pk:
            raise RuleViolation(_("Сначала добавьте текущий учебный год."), code="year_required")
        if len((letter or "").strip()) > 15:
            raise RuleViolation(_("Литера — не длиннее 15 символов."), code="letter_too_long")
        if grade is not None and not (0 <= grade <= 12):
            raise RuleViolation(_("Параллель — число от 0 до 12."), code="grade_invalid")
        name = class_name(organisation, grade, letter)
    else:
        academic_year = None
        grade = None
        letter = ""
    name = (name or "").strip()
    if not name:
        raise RuleViolation(_("Укажите название."), code="name_required", fields={"name": [_("Обязательное поле.")]})
    group = Group(
        organisation=organisation,
        kind=kind,
        name=name,
        grade=grade,
        letter=(letter or "").strip().upper() if organisation.kind == "school" else (letter or "").strip(),
        academic_year=academic_year,
        parent=parent,
    )
    _ensure_name_free(group)
    try:
        with transaction.atomic():
            group.save(force_insert=True)
    except IntegrityError:
        raise Conflict(
            _("«%(name)s» уже есть в структуре.") % {"name": inner_quotes(name)}, code="group_exists"
        ) from None
    audit_record(organisation=organisation, actor=actor, action="group.created", obj=group)
    return group


KEEP = object()  # group_update: "leave the parent as it is" (None means "no parent")


def group_update(*, group: Group, actor, name=None, grade=None, letter=None, parent=KEEP) -> Group:
    """Rename or move a group. The staff group keeps its kind's name."""
    organisation = group.organisation
    require(actor, "manage_org", organisation)
    if group.kind == Group.Kind.STAFF:
        raise RuleViolation(
            _("Группа «%(name)s» создаётся автоматически; её нельзя переименовать.")
            % {"name": organisation.vocabulary.staff_group},
            code="staff_group_protected",
        )
    if parent is KEEP:
        parent = group.parent
    _validate_parent(organisation, parent)
    if parent is not None and (parent.pk == group.pk or _is_descendant(parent, group)):
        raise RuleViolation(_("Подразделение не может входить само в себя."), code="parent_cycle")
    if group.kind == Group.Kind.CLASS:
        if grade is not None:
            group.grade = grade
        if letter is not None:
            group.letter = letter.strip()
        group.name = class_name(organisation, group.grade, group.letter)
    elif name is not None:
        if not name.strip():
            raise RuleViolation(_("Укажите название."), code="name_required")
        group.name = name.strip()
    group.parent = parent
    _ensure_name_free(group)
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        raise Conflict(
            _("«%(name)s» уже есть в структуре.") % {"name": inner_quotes(group.name)}, code="group_exists"
        ) from None
    audit_record(organisation=organisation, actor=actor, action="group.updated", obj=group)
    structure_changed_after_commit(organisation=organisation, groups=[group])
    return group


def _is_descendant(candidate: Group, ancestor: Group) -> bool:
    node = candidate
    seen = set()
    while node.parent_id and node.parent_id not in seen:
        seen.add(node.parent_id)
        if node.parent_id == ancestor.pk:
            return True
        node = node.parent
    return False


def group_archive(*, group: Group, actor) -> Group:
    """Archive a group: it leaves the structure but keeps its history. The staff group cannot go."""
    organisation = group.organisation
    require(actor, "manage_org", organisation)
    if group.kind == Group.Kind.STAFF:
        raise RuleViolation(
            _("Группу «%(name)s» нельзя удалить или архивировать.") % {"name": organisation.vocabulary.staff_group},
            code="staff_group_protected",
        )
    if group.placements.filter(valid_to__isnull=True).exists():
        raise RuleViolation(
            _("В группе есть обучающиеся: сначала переведите или отчислите их."), code="group_not_empty"
        )
    if group.children.filter(is_archived=False).exists():
        raise RuleViolation(
            _("В подразделение входят другие группы: сначала перенесите их."), code="group_has_children"
        )
    with transaction.atomic():
        group.is_archived = True
        group.save(update_fields=["is_archived"])
        _sync_group_staff(group)
        audit_record(organisation=organisation, actor=actor, action="group.archived", obj=group)
        structure_changed_after_commit(organisation=organisation, groups=[group])
    return group


def group_restore(*, group: Group, actor) -> Group:
    organisation = group.organisation
    require(actor, "manage_org", organisation)
    try:
        group.is_archived = False
        _ensure_name_free(group)
        with transaction.atomic():
            group.save(update_fields=["is_archived"])
            _sync_group_staff(group)
    except (IntegrityError, Conflict):
        group.is_archived = True
        raise Conflict(
            _("«%(name)s» уже есть среди действующих групп.") % {"name": inner_quotes(group.name)}, code="group_exists"
        ) from None
    audit_record(organisation=organisation, actor=actor, action="group.restored", obj=group)
    structure_changed_after_commit(organisation=organisation, groups=[group])
    return group


HEADCOUNT_MAX = 100_000


def staff_headcount_set(*, organisation: Organisation, actor, value: int | None) -> Organisation:
    """The staff headcount the statistics divide by (the profile's field: one place); audited from old to new."""
    require(actor, "manage_org", organisation)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= HEADCOUNT_MAX):
        msg = _("Численность сотрудников — целое число от 1 до %(max)s.") % {
            "max": f"{HEADCOUNT_MAX:,}".replace(",", " ")
        }
        raise RuleViolation(msg, code="staff_headcount_invalid", fields={"staff_headcount": [msg]})
    old = organisation.staff_headcount
    if old != value:
        with transaction.atomic():
            organisation.staff_headcount = value
            organisation.save(update_fields=["staff_headcount"])
            audit_record(
                organisation=organisation,
                actor=actor,
                action="settings.changed",
                obj=organisation,
                details={"changes": {"staff_headcount": [old, value]}},
            )
    return organisation
