"""The organisation's structure: academic years, divisions, classes, clubs and the staff group."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from guardian.shortcuts import get_perms

from orgs.models import AcademicYear, AuditEntry, Group
from orgs.services.structure import (
    PROFILE_EDITABLE,
    academic_year_create,
    group_archive,
    group_create,
    group_restore,
    group_update,
    organisation_update,
)
from portal.exceptions import Conflict, PermissionDenied, RuleViolation
from tests.factories import (
    AcademicYearFactory,
    ClassFactory,
    OrganisationFactory,
    admin_of,
    curator_of,
    student_in,
    teacher_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    organisation = OrganisationFactory(kind="school")
    AcademicYearFactory(organisation=organisation)
    return organisation


@pytest.fixture
def college():
    organisation = OrganisationFactory(kind="college", short_name="ГАПОУ «Энергетический колледж»")
    AcademicYearFactory(organisation=organisation)
    return organisation


def staff_group(organisation) -> Group:
    return Group.objects.get(organisation=organisation, kind=Group.Kind.STAFF)


# --- Profile and years -----------------------------------------------------------------


def test_admin_edits_the_profile_but_not_the_kind(school):
    admin = admin_of(school)
    organisation_update(organisation=school, actor=admin, data={"short_name": "Школа № 7", "kind": "college"})
    school.refresh_from_db()
    assert school.short_name == "Школа № 7"
    assert school.kind == "school"
    entry = AuditEntry.objects.get(action="organisation.updated")
    assert entry.details == {"fields": ["short_name"]}


def test_a_teacher_cannot_edit_the_profile(school):
    with pytest.raises(PermissionDenied):
        organisation_update(organisation=school, actor=teacher_of(school), data={"short_name": "Моя школа"})


def test_a_new_current_year_replaces_the_old_one(school):
    admin = admin_of(school)
    year = academic_year_create(
        organisation=school,
        actor=admin,
        name="2027/2028",
        starts_on=datetime.date(2027, 9, 1),
        ends_on=datetime.date(2028, 5, 31),
        is_current=True,
    )
    assert list(AcademicYear.objects.filter(organisation=school, is_current=True)) == [year]
    with pytest.raises(Conflict, match="«2027/2028» уже есть"):
        academic_year_create(
            organisation=school,
            actor=admin,
            name="2027/2028",
            starts_on=datetime.date(2027, 9, 1),
            ends_on=datetime.date(2028, 5, 31),
        )
    with pytest.raises(RuleViolation, match="заканчиваться позже"):
        academic_year_create(
            organisation=school,
            actor=admin,
            name="2028/2029",
            starts_on=datetime.date(2029, 5, 31),
            ends_on=datetime.date(2028, 9, 1),
        )


# --- Classes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "letter", "name"), [(5, "а", "5А"), (5, " Б ", "5Б"), (11, "", "11"), (1, "м", "1М")]
)
def test_school_class_name_is_grade_plus_capital_letter(school, grade, letter, name):
    group = group_create(organisation=school, actor=admin_of(school), kind=Group.Kind.CLASS, grade=grade, letter=letter)
    group.refresh_from_db()
    assert group.name == name
    assert group.academic_year == AcademicYear.objects.get(organisation=school, is_current=True)
    assert AuditEntry.objects.filter(organisation=school, action="group.created", object_id=str(group.pk)).exists()


def test_college_group_keeps_its_code(college):
    group = group_create(organisation=college, actor=admin_of(college), kind=Group.Kind.CLASS, grade=2, letter="ЭС-21")
    group.refresh_from_db()
    assert group.name == "ЭС-21"
    assert group.grade == 2


def test_a_duplicate_class_is_a_conflict(school):
    admin = admin_of(school)
    group_create(organisation=school, actor=admin, kind=Group.Kind.CLASS, grade=5, letter="А")
    with pytest.raises(Conflict) as exc:
        group_create(organisation=school, actor=admin, kind=Group.Kind.CLASS, grade=5, letter="а")
    assert exc.value.message == "«5А» уже есть в структуре."
    assert Group.objects.filter(organisation=school, kind=Group.Kind.CLASS).count() == 1


def test_the_same_class_name_in_another_organisation_is_fine(school):
    other = OrganisationFactory()
    AcademicYearFactory(organisation=other)
    group_create(organisation=school, actor=admin_of(school), kind=Group.Kind.CLASS, grade=5, letter="А")
    group_create(organisation=other, actor=admin_of(other), kind=Group.Kind.CLASS, grade=5, letter="А")
    assert Group.objects.filter(name="5А").count() == 2


def test_a_duplicate_division_or_club_is_a_conflict(school):
    admin = admin_of(school)
    group_create(organisation=school, actor=admin, kind=Group.Kind.DIVISION, name="Начальная школа")
    with pytest.raises(Conflict, match="«Начальная школа» уже есть"):
        group_create(organisation=school, actor=admin, kind=Group.Kind.DIVISION, name=" Начальная школа ")
    group_create(organisation=school, actor=admin, kind=Group.Kind.CLUB, name="Робототехника")
    with pytest.raises(Conflict):
        group_create(organisation=school, actor=admin, kind=Group.Kind.CLUB, name="Робототехника")
    assert Group.objects.filter(organisation=school, kind__in=["division", "club"]).count() == 2


def test_a_letter_longer_than_15_characters_is_refused(school):
    admin = admin_of(school)
    group_create(organisation=school, actor=admin, kind=Group.Kind.CLASS, grade=9, letter="Инженерный-2026")
    with pytest.raises(RuleViolation) as exc:
        group_create(organisation=school, actor=admin, kind=Group.Kind.CLASS, grade=9, letter="Инженерный-20261")
    assert exc.value.message == "Литера — не длиннее 15 символов."
    assert Group.objects.filter(organisation=school, kind=Group.Kind.CLASS).count() == 1


def test_a_grade_out_of_range_is_refused(school):
    with pytest.raises(RuleViolation, match="Параллель — число от 0 до 12"):
        group_create(organisation=school, actor=admin_of(school), kind=Group.Kind.CLASS, grade=13, letter="А")


def test_a_class_needs_a_current_academic_year():
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    with pytest.raises(RuleViolation) as exc:
        group_create(organisation=organisation, actor=admin, kind=Group.Kind.CLASS, grade=5, letter="А")
    assert exc.value.message == "Сначала добавьте текущий учебный год."
    other_year = AcademicYearFactory(organisation=OrganisationFactory())
    with pytest.raises(RuleViolation, match="текущий учебный год"):
        group_create(
            organisation=organisation, actor=admin, kind=Group.Kind.CLASS, grade=5, letter="А", academic_year=other_year
        )
    assert not Group.objects.filter(organisation=organisation, kind=Group.Kind.CLASS).exists()


def test_only_an_administrator_builds_the_structure(school):
    group = ClassFactory(organisation=school)
    for actor in (teacher_of(school), curator_of(group), admin_of(OrganisationFactory())):
        with pytest.raises(PermissionDenied):
            group_create(organisation=school, actor=actor, kind=Group.Kind.CLASS, grade=6, letter="А")
        with pytest.raises(PermissionDenied):
            group_archive(group=group, actor=actor)
    assert not Group.objects.filter(organisation=school, name="6А").exists()


def test_renaming_a_class_recomputes_its_name(school):
    admin = admin_of(school)
    group = group_create(organisation=school, actor=admin, kind=Group.Kind.CLASS, grade=5, letter="А")
    group_create(organisation=school, actor=admin, kind=Group.Kind.CLASS, grade=6, letter="А")
    group_update(group=group, actor=admin, grade=5, letter="в")
    group.refresh_from_db()
    assert group.name == "5В"
    with pytest.raises(Conflict, match="«6А» уже есть"):
        group_update(group=group, actor=admin, grade=6, letter="А")
    group.refresh_from_db()
    assert group.name == "5В"


# --- The staff group ------------------------------------------------------------------


def test_the_staff_group_cannot_be_created_renamed_or_archived(school):
    admin = admin_of(school)
    staff = staff_group(school)
    with pytest.raises(RuleViolation) as exc:
        group_create(organisation=school, actor=admin, kind=Group.Kind.STAFF, name="Педсовет")
    assert exc.value.message == "Педагогический коллектив создаётся автоматически и бывает только один."
    with pytest.raises(RuleViolation) as exc:
        group_update(group=staff, actor=admin, name="Педсовет")
    assert exc.value.message == "Группа «Учительская» создаётся автоматически; её нельзя переименовать."
    with pytest.raises(RuleViolation) as exc:
        group_archive(group=staff, actor=admin)
    assert exc.value.message == "Группу «Учительская» нельзя удалить или архивировать."
    staff.refresh_from_db()
    assert (staff.name, staff.is_archived) == ("Учительская", False)
    assert Group.objects.filter(organisation=school, kind=Group.Kind.STAFF).count() == 1


def test_the_college_staff_group_speaks_the_college_vocabulary(college):
    with pytest.raises(RuleViolation, match="«Сотрудники» нельзя удалить"):
        group_archive(group=staff_group(college), actor=admin_of(college))


# --- Archive and restore ----------------------------------------------------------------


def test_a_class_with_students_cannot_be_archived(school):
    group = ClassFactory(organisation=school)
    student_in(group)
    with pytest.raises(RuleViolation) as exc:
        group_archive(group=group, actor=admin_of(school))
    assert exc.value.message == "В группе есть обучающиеся: сначала переведите или отчислите их."
    group.refresh_from_db()
    assert not group.is_archived


def test_a_division_with_groups_inside_cannot_be_archived(school):
    admin = admin_of(school)
    division = group_create(organisation=school, actor=admin, kind=Group.Kind.DIVISION, name="Старшая школа")
    group_create(organisation=school, actor=admin, kind=Group.Kind.CLASS, grade=10, letter="А", parent=division)
    with pytest.raises(RuleViolation, match="входят другие группы"):
        group_archive(group=division, actor=admin)


def test_archive_and_restore_a_class(school):
    admin = admin_of(school)
    group = group_create(organisation=school, actor=admin, kind=Group.Kind.CLASS, grade=5, letter="А")
    group_archive(group=group, actor=admin)
    group.refresh_from_db()
    assert group.is_archived
    # Its name is free again while it rests in the archive …
    replacement = group_create(organisation=school, actor=admin, kind=Group.Kind.CLASS, grade=5, letter="А")
    # … so it cannot come back while the new «5А» is active.
    with pytest.raises(Conflict, match="«5А» уже есть среди действующих"):
        group_restore(group=group, actor=admin)
    group_archive(group=replacement, actor=admin)
    group_restore(group=group, actor=admin)
    group.refresh_from_db()
    assert not group.is_archived
    assert list(AuditEntry.objects.filter(object_id=str(group.pk)).values_list("action", flat=True)) == [
        "group.restored",
        "group.archived",
        "group.created",
    ]


def test_the_curator_of_an_archived_class_loses_its_rights_until_restored(school):
    admin = admin_of(school)
    group = group_create(organisation=school, actor=admin, kind=Group.Kind.CLASS, grade=5, letter="А")
    curator = curator_of(group)
    assert "invite_to_group" in get_perms(curator, group)
    group_archive(group=group, actor=admin)
    assert get_perms(curator, group) == []
    group_restore(group=group, actor=admin)
    assert "invite_to_group" in get_perms(curator, group)


# --- Divisions as a tree ------------------------------------------------------------------


def test_divisions_form_a_tree_without_cycles(school):
    admin = admin_of(school)
    top = group_create(organisation=school, actor=admin, kind=Group.Kind.DIVISION, name="Школа")
    middle = group_create(organisation=school, actor=admin, kind=Group.Kind.DIVISION, name="Основная школа", parent=top)
    bottom = group_create(organisation=school, actor=admin, kind=Group.Kind.DIVISION, name="5–6 классы", parent=middle)
    with pytest.raises(RuleViolation) as exc:
        group_update(group=top, actor=admin, parent=bottom)
    assert exc.value.message == "Подразделение не может входить само в себя."
    with pytest.raises(RuleViolation, match="само в себя"):
        group_update(group=top, actor=admin, parent=top)
    top.refresh_from_db()
    assert top.parent is None


def test_the_structure_page_indents_divisions_by_their_depth_without_inline_styles(school, client):
    admin = admin_of(school)
    parent = None
    for level in range(8):
        parent = group_create(
            organisation=school, actor=admin, kind=Group.Kind.DIVISION, name=f"Уровень {level}", parent=parent
        )
    client.force_login(admin)
    html = client.get(reverse("orgs:structure", args=[school.pk])).content.decode()
    rows = re.findall(r'<li class="depth-(\d)">\s*<span>Уровень (\d)</span>', html)
    # Six steps of indentation at most: the seventh and eighth levels stay on the sixth.
    assert [(int(depth), int(level)) for depth, level in rows] == [(n, n) for n in range(7)] + [(6, 7)]
    css = Path(finders.find("css/portal.css")).read_text()
    assert all(f".tree .depth-{n} {{ --depth: {n}; }}" in css for n in range(1, 7))


def test_a_group_may_sit_only_in_a_division_of_its_own_organisation(school):
    admin = admin_of(school)
    club = group_create(organisation=school, actor=admin, kind=Group.Kind.CLUB, name="Шахматы")
    foreign = Group.objects.create(organisation=OrganisationFactory(), kind=Group.Kind.DIVISION, name="Чужое")
    for parent in (club, foreign):
        with pytest.raises(RuleViolation, match="только в подразделение этой организации"):
            group_create(organisation=school, actor=admin, kind=Group.Kind.CLUB, name="Футбол", parent=parent)
    assert not Group.objects.filter(name="Футбол").exists()


def test_the_staff_headcount_is_edited_on_the_profile_page_and_shown(client, school):
    admin = admin_of(school)
    client.force_login(admin)
    form = client.get(reverse("orgs:profile_edit", args=[school.pk])).content.decode()
    assert 'name="staff_headcount"' in form and "Численность сотрудников по штату" in form
    data = {f: getattr(school, f) for f in PROFILE_EDITABLE if f != "staff_headcount"}
    response = client.post(reverse("orgs:profile_edit", args=[school.pk]), {**data, "staff_headcount": "48"})
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.staff_headcount == 48
    page = client.get(reverse("orgs:profile", args=[school.pk])).content.decode()
    assert "<dt>Численность сотрудников по штату</dt><dd>48</dd>" in page
