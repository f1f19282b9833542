"""The preview of an import: what each row will do, its problems in Russian, and the totals. Reads only.

The database is read in a fixed number of queries whatever the file's length (the classes, the roster entries,
the current students or staff), so that a preview of 20,000 rows costs what a preview of 20 does.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import AcademicYear, Group, Membership, OrganisationKind, Placement
from portal.accounts.phones import normalize_phone

from .columns import fields_of, header_key
from .models import RosterEntry, RosterImport, RosterKind

NEW, ALREADY, MOVED, DUPLICATE, ERROR = "new", "already", "moved", "duplicate", "error"
NAME_RE = re.compile(r"^[A-Za-zА-Яа-яЁё][A-Za-zА-Яа-яЁё' .-]*$")
SCHOOL_CLASS_RE = re.compile(r"^(\d{1,2})\s*-?\s*([А-ЯЁA-Z]{0,3})$", re.IGNORECASE)
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y")
ADULT_AGE = 18


@dataclass
class Problem:
    column: str
    message: str


@dataclass
class Line:
    number: int
    cells: list[str]
    values: dict[str, str]
    person: dict = field(default_factory=dict)
    key: str = ""
    action: str = NEW
    group: Group | None = None
    group_name: str = ""
    create_class: bool = False
    moved_from: str = ""
    entry: RosterEntry | None = None
    user_id: int | None = None
    duplicate_of: int | None = None
    is_minor: bool = False
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.action != DUPLICATE

    def messages(self) -> list[str]:
        return [
            _("Строка %(number)s, столбец «%(column)s»: %(message)s")
            % {"number": self.number, "column": p.column, "message": p.message}
            for p in self.problems
        ]


@dataclass
class Plan:
    lines: list[Line]
    missing_classes: dict[str, list[int]]
    totals: dict[str, int]
    has_year: bool


def class_key(name: str) -> str:
    return header_key(name).upper()


def clean_class_name(organisation, raw: str) -> str | None:
    """«5 г» → «5Г» in a school; a college's group code is kept as written. None when it cannot be a class name."""
    text = " ".join(raw.split())
    if organisation.kind == OrganisationKind.SCHOOL:
        match = SCHOOL_CLASS_RE.match(text)
        if not match or not 1 <= int(match.group(1)) <= 12:
            return None
        return f"{int(match.group(1))}{match.group(2).upper()}"
    return text if 0 < len(text) <= 15 else None


def person_key(last: str, first: str, patronymic: str, birth: date | None) -> str:
    name = " ".join(part for part in (last, first, patronymic) if part).lower().replace("ё", "е")
    return f"{name}|{birth:%Y-%m-%d}" if birth else name


def _parse_date(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _contact(value: str, column: str, line: Line) -> tuple[str, str]:
    """(e-mail, phone) from a cell that holds either."""
    if not value:
        return "", ""
    try:
        if "@" in value:
            validate_email(value)
            return value.lower(), ""
        return "", normalize_phone(value)
    except ValidationError:
        line.problems.append(Problem(column, _("«%(value)s» — нужен телефон или адрес e-mail.") % {"value": value}))
        return "", ""


def _names(line: Line, labels) -> None:
    values = line.values
    line.person.update(last_name="", first_name="", patronymic="")
    if values.get("full_name") or ("full_name" in values and "last_name" not in values):
        parts = values["full_name"].split()
        if not parts:
            line.problems.append(Problem(str(labels["full_name"].label), _("не заполнено.")))
            return
        if len(parts) < 2:
            line.problems.append(Problem(str(labels["full_name"].label), _("нужны хотя бы фамилия и имя.")))
            return
        last, first, patronymic = parts[0], parts[1], " ".join(parts[2:])
    else:
        last, first, patronymic = (
            values.get("last_name", ""),
            values.get("first_name", ""),
            values.get("patronymic", ""),
        )
        for name, value in (("last_name", last), ("first_name", first)):
            if not value:
                line.problems.append(Problem(str(labels[name].label), _("не заполнено.")))
    for name, value in (("last_name", last), ("first_name", first), ("patronymic", patronymic)):
        if value and (not NAME_RE.match(value) or len(value) > 100):
            column = labels["full_name"].label if values.get("full_name") else labels[name].label
            line.problems.append(
                Problem(str(column), _("«%(value)s» — недопустимые символы в имени.") % {"value": value[:40]})
            )
    line.person.update(last_name=last.capitalize() if last.isupper() else last, first_name=first, patronymic=patronymic)


def read_line(imp: RosterImport, number: int, cells: list[str], today: date) -> Line:
    """One row as the person it describes, with the problems of its cells (nothing from the database yet)."""
    labels = fields_of(imp.kind)
    values = {name: (cells[index] if index < len(cells) else "").strip() for name, index in imp.mapping.items()}
    values.update({k: v.strip() for k, v in imp.fixes.get(str(number), {}).items() if k in labels})
    line = Line(number=number, cells=cells, values=values)
    _names(line, labels)
    email, phone = "", ""
    if values.get("email"):
        try:
            validate_email(values["email"])
            email = values["email"].lower()
        except ValidationError:
            line.problems.append(
                Problem("E-mail", _("«%(value)s» — адрес e-mail указан неверно.") % {"value": values["email"]})
            )
    if values.get("phone"):
        try:
            phone = normalize_phone(values["phone"])
        except ValidationError as error:
            line.problems.append(Problem(_("Телефон"), f"«{values['phone']}» — {error.messages[0].lower()}"))
    line.person.update(email=email, phone=phone)
    birth = None
    if values.get("birth_date"):
        try:
            birth = _parse_date(values["birth_date"])
        except ValueError:
            line.problems.append(
                Problem(
                    _("Дата рождения"),
                    _("«%(value)s» — нужна дата вида ДД.ММ.ГГГГ.") % {"value": values["birth_date"]},
                )
            )
        else:
            if birth >= today or _age(birth, today) > 100:
                line.problems.append(
                    Problem(
                        _("Дата рождения"),
                        _("«%(value)s» — такой даты рождения быть не может.") % {"value": values["birth_date"]},
                    )
                )
                birth = None
    line.person["birth_date"] = birth
    if imp.kind == RosterKind.STUDENTS:
        _student_cells(imp, line, birth, today)
    else:
        for name in ("position", "subjects", "classes_taught", "curator_of"):
            line.person[name] = values.get(name, "")[: 150 if name in ("position", "curator_of") else 500]
    p = line.person
    line.key = person_key(p["last_name"], p["first_name"], p["patronymic"], birth if imp.kind == "students" else None)
    return line


def _group_column(organisation) -> str:
    """The group column's name as the organisation says it: «Класс» in a school, «Группа» in a college."""
    return fields_of(RosterKind.STUDENTS)["group"].label_in(organisation.vocabulary)


def _student_cells(imp, line: Line, birth: date | None, today: date) -> None:
    values = line.values
    raw = values.get("group", "")
    vocab, column = imp.organisation.vocabulary, _group_column(imp.organisation)
    if not raw:
        line.problems.append(Problem(column, _("не заполнен.") if vocab.is_class else _("не заполнено.")))
    else:
        name = clean_class_name(imp.organisation, raw)
        if name is None and vocab.is_class:
            line.problems.append(
                Problem(column, _("«%(value)s» — не похоже на название класса (например, «5А»).") % {"value": raw})
            )
        elif name is None:
            line.problems.append(
                Problem(
                    column,
                    _("«%(value)s» — слишком длинное название %(group_genitive)s: не больше 15 знаков.")
                    % {"value": raw[:40], "group_genitive": vocab.group_genitive},
                )
            )
        line.group_name = name or raw
    # Without a birth date a school's pupil is taken for a minor, a college's student for an adult.
    line.is_minor = _age(birth, today) < ADULT_AGE if birth else imp.organisation.kind != OrganisationKind.COLLEGE
    parent_email, parent_phone = _contact(values.get("parent_contact", ""), _("Телефон или e-mail родителя"), line)
    line.person.update(
        parent_name=values.get("parent_name", "")[:300],
        parent_email=parent_email,
        parent_phone=parent_phone,
        parent_relation=values.get("parent_relation", "")[:100],
    )
    if not line.is_minor and (values.get("parent_name") or values.get("parent_contact")):
        line.notes.append(_("совершеннолетний: ссылка для родителя не создаётся"))


def _classes(organisation) -> dict[str, Group]:
    groups = Group.objects.filter(organisation=organisation, kind=Group.Kind.CLASS, is_archived=False).select_related(
        "academic_year"
    )
    found: dict[str, Group] = {}
    for group in groups.order_by("-academic_year__is_current", "-academic_year__starts_on", "pk"):
        found.setdefault(class_key(group.name), group)
    return found


def _people(organisation, kind: str):
    """The people already here, by key, e-mail and phone: roster entries, and members with accounts."""
    entries = {
        entry.key: entry
        for entry in RosterEntry.objects.filter(organisation=organisation, kind=kind).select_related("group", "user")
    }
    members: dict[str, tuple[int, Group | None]] = {}
    if kind == RosterKind.STUDENTS:
        rows = Placement.objects.filter(organisation=organisation, valid_to__isnull=True).select_related(
            "student", "group"
        )
        people = [(p.student, p.group) for p in rows]
    else:
        rows = Membership.objects.filter(
            organisation=organisation, role__in=[Membership.Role.TEACHER, Membership.Role.ADMIN], valid_to__isnull=True
        ).select_related("user")
        people = list({m.user_id: (m.user, None) for m in rows}.values())  # an administrator who teaches: once
    names = Counter(person_key(u.last_name, u.first_name, u.patronymic, None) for u, _g in people)
    for user, group in people:
        name = person_key(user.last_name, user.first_name, user.patronymic, None)
        if names[name] == 1:  # a namesake pair is never guessed between
            members[name] = (user.pk, group)
        for contact in (user.email, user.phone):
            if contact:
                members[contact.lower()] = (user.pk, group)
    return entries, members


def _place(line: Line, entries, members, classes) -> None:
    p = line.person
    entry = entries.get(line.key)
    if entry is not None:
        line.entry = entry
        here = entry.group
    else:
        found = None
        for contact in (p.get("email"), p.get("phone")):
            if contact and contact.lower() in members:
                found = members[contact.lower()]
                break
        found = found or members.get(person_key(p["last_name"], p["first_name"], p["patronymic"], None))
        if found is None:
            line.action = NEW
            return
        line.user_id, here = found
    target = line.group
    if line.group_name and here is not None and target is not None and here.pk != target.pk:
        line.action, line.moved_from = MOVED, here.name
    elif line.group_name and here is not None and target is None:
        line.action, line.moved_from = MOVED, here.name
    else:
        line.action = ALREADY


def plan_build(imp: RosterImport, today: date | None = None) -> Plan:
    """Every row's outcome against the file itself and the database, with the totals for the preview."""
    organisation = imp.organisation
    today = today or timezone.localdate()
    classes = _classes(organisation)
    has_year = AcademicYear.objects.filter(organisation=organisation, is_current=True).exists()
    entries, members = _people(organisation, imp.kind)
    allowed = {class_key(name) for name in imp.create_classes}
    seen: dict[str, int] = {}
    missing: dict[str, list[int]] = {}
    lines = []
    for number, cells in imp.rows:
        line = read_line(imp, number, cells, today)
        lines.append(line)
        if imp.kind == RosterKind.STUDENTS and line.group_name and not line.problems:
            _resolve_class(line, classes, allowed, missing, has_year, organisation)
        if imp.kind == RosterKind.STAFF:
            _staff_classes(line, classes, organisation)
        if line.key in seen:
            line.action, line.duplicate_of = DUPLICATE, seen[line.key]
            continue
        if line.problems:
            line.action = ERROR
            continue
        seen[line.key] = number
        _place(line, entries, members, classes)
    totals = Counter(line.action for line in lines)
    totals["rows"] = len(lines)
    totals["accepted"] = sum(1 for line in lines if line.ok)
    totals["classes_to_create"] = len({class_key(line.group_name) for line in lines if line.ok and line.create_class})
    totals["parent_links"] = sum(1 for line in lines if line.ok and line.action == NEW and line.is_minor)
    return Plan(lines=lines, missing_classes=missing, totals=dict(totals), has_year=has_year)


def _resolve_class(line: Line, classes, allowed, missing, has_year, organisation) -> None:
    key = class_key(line.group_name)
    line.group = classes.get(key)
    if line.group is not None:
        return
    if key in allowed and has_year:
        line.create_class = True
        return
    missing.setdefault(line.group_name, []).append(line.number)
    vocab, column = organisation.vocabulary, _group_column(organisation)
    # a school's wording as it always was; elsewhere the group is named without a gendered past participle
    words = {"name": line.group_name, "group_genitive": vocab.group_genitive}
    if not has_year:
        message = (
            _(
                "класс «%(name)s» не найден, а создать его нельзя: нет текущего учебного года "
                "(добавьте его в разделе «Структура»)."
            )
            if vocab.is_class
            else _(
                "в структуре нет %(group_genitive)s «%(name)s», а создать её нельзя: нет текущего учебного года "
                "(добавьте его в разделе «Структура»)."
            )
        )
    else:
        message = (
            _("класс «%(name)s» не найден — создать?")
            if vocab.is_class
            else _("в структуре нет %(group_genitive)s «%(name)s» — создать?")
        )
    line.problems.append(Problem(column, message % words))


def split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;]", text or "") if part.strip()]


def _staff_classes(line: Line, classes, organisation) -> None:
    vocab, fields = organisation.vocabulary, fields_of(RosterKind.STAFF)
    for name in ("classes_taught", "curator_of"):
        column = fields[name].label_in(vocab)
        for raw in split_list(line.values.get(name, "")):
            if class_key(raw) in classes:
                continue
            message = (
                _("класс «%(name)s» не найден: сначала импортируйте обучающихся.")  # the school's text as it was
                if vocab.is_class
                else _("в структуре нет %(group_genitive)s «%(name)s»: сначала импортируйте %(students_genitive)s.")
            )
            words = {"name": raw, "group_genitive": vocab.group_genitive, "students_genitive": vocab.students_genitive}
            line.problems.append(Problem(column, message % words))
