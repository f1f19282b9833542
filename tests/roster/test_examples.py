"""The example files of examples/ import into the demo school as the README says: staff, then students."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from orgs.models import Group, Membership, Organisation
from roster.models import RosterEntry
from roster.planning import plan_build
from roster.services.imports import roster_import_create

from .helpers import run_import

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_demo_administrator_imports_the_examples():
    call_command("load_demo", stdout=StringIO())
    school = Organisation.objects.get(kind="school")
    admin = Membership.objects.filter(organisation=school, role="admin", valid_to__isnull=True).first().user

    staff = run_import(school, admin, (EXAMPLES / "staff.xlsx").read_bytes(), name="staff.xlsx", kind="staff")
    assert staff.result["new"] == 3 and staff.result["already"] == 1
    assert [row["messages"] for row in staff.errors] == [
        ["Строка 6, столбец «Классы»: класс «8В» не найден: сначала импортируйте обучающихся."],
        ["Строка 7, столбец «ФИО»: не заполнено."],
    ]

    data = (EXAMPLES / "students-5-7.csv").read_bytes()
    preview = roster_import_create(organisation=school, actor=admin, kind="students", file_name="s.csv", data=data)
    problems = [message for line in plan_build(preview).lines for message in line.messages()]
    assert "Строка 9, столбец «Класс»: класс «5Г» не найден — создать?" in problems
    students = run_import(school, admin, data, name="students-5-7.csv", classes=["5Г"])
    assert students.result["new"] == 7 and students.result["already"] == 1
    assert students.result["classes_created"] == ["5Г"] and Group.objects.filter(organisation=school, name="5Г")
    assert [row["row"] for row in students.errors] == [10, 11, 12]
    assert RosterEntry.objects.filter(organisation=school, kind="students", parent_invite__isnull=False).count() == 7
