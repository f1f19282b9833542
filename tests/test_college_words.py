"""A college speaks of «группа», «куратор», «преподаватель», «обучающийся» (orgs/vocabulary.py), never of the school's
«класс», «ученик», «учитель»: every page its administrator, curator and student open, every PDF and CSV they
download and every letter the portal writes them goes through the organisation's vocabulary."""

import re
import subprocess
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from invites.services.links import invite_create
from invites.services.sending import invite_email
from orgs.models import Membership
from orgs.services.membership import teacher_verify
from tests.factories import member
from tests.test_security_headers import BROWSER_ACCEPT, arguments, routes, seed

pytestmark = pytest.mark.django_db

# The school's words where a college has its own; «учительская» is the school's staff group.
SCHOOL_WORDS = re.compile(
    r"\b(?:класс(?:а|е|у|ом|ы|ов|ам|ами|ах|ный|ного|ному|ным|ном|ная|ной|ную|ные|ных|ным|ными)?|"
    r"ученик\w*|учени[цч]\w*|учител\w*|учительск\w*|общешкольн\w*|классн\w+ руководител\w*)\b",
    re.IGNORECASE,
)
# Pages that are the same for every organisation or are not the organisation's (the operator's, the API's).
SKIPPED_PREFIXES = ("admin:", "api-", "schema", "set_language")


class VisibleText(HTMLParser):
    """The text a reader sees or hears: element text and the labels of controls, without scripts and styles."""

    SPOKEN = ("aria-label", "title", "placeholder", "alt")

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        self.parts += [attrs[a] for a in self.SPOKEN if attrs.get(a)]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def text_of(response) -> str | None:
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html") and not response.wsgi_request.path.startswith("/api/"):
        # (the browsable API's forms are DRF's, labelled by the models' choices for every organisation alike)
        return visible_text(response.content.decode())
    if content_type.startswith("application/pdf"):
        return subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
    if content_type.startswith(("text/csv", "text/plain")):
        return response.content.decode("utf-8-sig", errors="replace")
    return None


# Words for both kinds at once («Класс или группа» in the audit log's details) are not the school's alone.
BOTH = re.compile(r"класс или групп\w*|классы и группы", re.IGNORECASE)


def school_words(text: str) -> list[str]:
    """Each school word with a little of its context, so that the failure says where it stands."""
    text = BOTH.sub("…", text)
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in SCHOOL_WORDS.finditer(text)]


def test_the_check_finds_the_words_a_college_page_once_had():
    assert school_words("Приглашения класса") and school_words("Личные ссылки ученикам и родителям")
    assert school_words("Статус учителя подтверждён") and school_words("Общешкольный канал")
    assert not school_words("Группа ЭС-21: куратор, преподаватели, обучающиеся; классификатор профессий")


@pytest.fixture
def college():
    seeded = seed("college")
    s = seeded["school"]
    return seeded, {"администратор": s.admin, "куратор": s.teacher, "обучающийся": s.kid, "родитель": s.parent}


def test_every_page_a_college_member_opens_speaks_the_colleges_words(college):
    seeded, people = college
    found, opened = [], 0
    for who, user in people.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for name, names, entry in routes():
            if name is None or name.startswith(SKIPPED_PREFIXES) or name.endswith(("-list", "-detail")):
                continue
            path = reverse(name, kwargs=arguments(name, names, entry, seeded))
            # The API's files (PDF, CSV) are read; its browsable pages are DRF's (see text_of), so not drawn at all.
            response = client.get(path, HTTP_ACCEPT="*/*" if path.startswith("/api/") else BROWSER_ACCEPT)
            text = text_of(response) if response.status_code == 200 else None
            if text is None:
                continue
            opened += 1
            found += [f"{who} {path} ({name}): …{context}…" for context in school_words(text)]
    assert opened > 100
    assert not found, "\n".join(found)


def test_every_letter_to_a_college_speaks_the_colleges_words(django_capture_on_commit_callbacks):
    """The letters of joining (the curator's and administrator's news of a join request), of verification and of
    an invite sent by e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        s = seed("college")["school"]
        waiting = member(s.org, Membership.Role.TEACHER, verified=False)
        teacher_verify(membership=waiting, actor=s.admin)
    invite, _token = invite_create(
        organisation=s.org,
        actor=s.teacher,
        role="student",
        target_group=s.cls,
        recipient_name="Иванов Иван",
        recipient_email="ivanov@example.org",
    )
    sent = invite_email(invite, "http://127.0.0.1:8000/join/x/")
    letters = [f"{m.subject}\n{m.body}" for m in [*mail.outbox, sent]]
    assert len(letters) >= 3, letters
    found = [context for letter in letters for context in school_words(letter)]
    assert not found, "\n".join(found)


def _xlsx_text(content: bytes) -> str:
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(content), read_only=True)
    return " ".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row if cell)


def test_what_a_college_administrator_is_told_after_posting_speaks_the_colleges_words(
    client, django_capture_on_commit_callbacks
):
    """The messages only a POST brings (the import's row errors and flashes, the promotion plan's errors, the
    settings' refusals) and the pages of a finished import and promotion, which the walk's seed never reaches."""
    from orgs.movement_models import Promotion
    from orgs.services.promotion_job import promotion_run
    from roster.models import RosterImport
    from roster.services.apply import roster_import_apply
    from tests.factories import AcademicYearFactory, ClassFactory, OrganisationFactory, admin_of, curator_of, student_in

    org = OrganisationFactory(kind="college")
    AcademicYearFactory(organisation=org)
    first = ClassFactory(organisation=org, grade=1, letter="ЭС-26", name="ЭС-26")
    last = ClassFactory(organisation=org, grade=4, letter="ЭС-23", name="ЭС-23")
    curator_of(first)
    student_in(first), student_in(last)
    admin = admin_of(org)
    client.force_login(admin)
    said = []

    def hear(response, where):
        assert response.status_code in (200, 400), (where, response.status_code)
        text = _xlsx_text(response.content) if where.endswith("xlsx") else visible_text(response.content.decode())
        said.extend(f"{where}: …{context}…" for context in school_words(text))
        return text

    home = reverse("roster:home", args=[org.pk])
    # Students: a group the structure lacks, an empty group, a code too long to be a group's.
    students = "Фамилия;Имя;Группа\r\nНовиков;Пётр;ЭС-26\r\nОрлов;Олег;ИС-99\r\nПетров;Иван;\r\n"
    students += "Сидоров;Ян;ОченьДлинныйШифрГруппы\r\n"
    upload = {"kind": "students", "file": SimpleUploadedFile("students.csv", students.encode("cp1251"))}
    preview = hear(client.post(home, upload, follow=True), "students preview")
    assert "ИС-99" in preview and "Групп нет в структуре" in preview
    imp = RosterImport.objects.get(organisation=org, file_name="students.csv")
    hear(client.get(reverse("roster:row", args=[org.pk, imp.pk, 3])), "row 3")
    hear(client.get(reverse("roster:errors", args=[org.pk, imp.pk])), "errors xlsx")
    classes = reverse("roster:classes", args=[org.pk, imp.pk])
    hear(client.post(classes, {}, follow=True), "no group ticked")
    hear(client.post(classes, {"class": "ИС-99"}, follow=True), "group ticked")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster:confirm", args=[org.pk, imp.pk]))
    roster_import_apply(imp.pk)
    result = hear(client.get(reverse("roster:import", args=[org.pk, imp.pk])), "students result")
    assert "Создано групп: 1" in result
    hear(client.get(reverse("roster:errors", args=[org.pk, imp.pk])), "result errors xlsx")
    # Staff: groups taught and curated that the structure lacks.
    staff = "ФИО;Должность;Группы;Кураторство\r\nИванова Анна Петровна;преподаватель;ИС-77;ИС-78\r\n"
    upload = {"kind": "staff", "file": SimpleUploadedFile("staff.csv", staff.encode("utf-8"))}
    assert "ИС-77" in hear(client.post(home, upload, follow=True), "staff preview")
    # A file without a group column: the mapping page, then a mapping still without one.
    upload = {"kind": "students", "file": SimpleUploadedFile("bare.csv", "Фамилия;Имя\r\nЛисицын;Лев\r\n".encode())}
    hear(client.post(home, upload, follow=True), "mapping")
    bare = RosterImport.objects.get(organisation=org, file_name="bare.csv")
    mapped = hear(
        client.post(reverse("roster:mapping", args=[org.pk, bare.pk]), {"last_name": "0", "first_name": "1"}),
        "mapping refused",
    )
    assert "Укажите столбец «Группа»." in mapped

    promotion = reverse("orgs:promotion", args=[org.pk])
    plan = {"from_year": first.academic_year_id, f"action-{first.pk}": "split", f"parts-{first.pk}": "ЭС-26а"}
    plan[f"action-{last.pk}"] = "merge"
    refused = hear(client.post(promotion, {**plan, "confirm": "1"}), "promotion refused")
    assert "не меньше двух новых групп" in refused
    hear(client.post(promotion, {"from_year": first.academic_year_id, "preview": "1"}), "promotion preview")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(promotion, {"from_year": first.academic_year_id, "confirm": "1"})
    done = Promotion.objects.get(organisation=org)
    promotion_run(done.pk)
    report = hear(client.get(reverse("orgs:promotion_report", args=[org.pk, done.pk])), "promotion report")
    assert "ЭС-23: выпускников — 1; чаты группы в архиве" in report

    settings_url = reverse("invites:settings", args=[org.pk])
    limits = {"teacher_days": 3, "student_days": 14, "parent_days": 30, "max_days": 90, "unused_days": 7}
    limits |= {"leak_margin": -1, "leak_spike_uses": 40, "leak_spike_minutes": 10, "admin_hours": 24}
    refused = hear(client.post(settings_url, {"section": "limits", **limits, "staff_headcount": ""}), "settings")
    assert "Запас переходов сверх состава группы" in refused
    client.post(settings_url, {"section": "limits", **limits, "leak_margin": 3, "staff_headcount": ""})
    # The audit log of all this, on its page and in its CSV, in the college's words.
    audit = reverse("orgs:audit", args=[org.pk])
    journal = hear(client.get(audit), "audit")
    assert "запас переходов сверх состава группы" in journal and "Созданы группы: ИС-99" in journal
    csv = client.get(audit, {"export": "csv"}).content.decode("utf-8-sig")
    said.extend(f"audit csv: …{context}…" for context in school_words(csv))
    assert not said, "\n".join(said)


def test_a_parent_joining_a_college_by_a_group_link_hears_the_colleges_words():
    """The join page of a parent's group link: the help of the child's list (empty, then filled) names the curator."""
    from tests.factories import AcademicYearFactory, ClassFactory, OrganisationFactory, admin_of, student_in

    org = OrganisationFactory(kind="college")
    AcademicYearFactory(organisation=org)
    group = ClassFactory(organisation=org, grade=1, letter="ЭС-26", name="ЭС-26")
    admin = admin_of(org)
    _invite, token = invite_create(organisation=org, actor=admin, role="parent", target_group=group, max_uses=30)
    said = []
    for moment in ("empty list", "filled list"):
        text = visible_text(Client().get(reverse("invites:join", args=[token])).content.decode())
        assert "куратор" in text, (moment, text)
        said += [f"{moment}: …{context}…" for context in school_words(text)]
        student_in(group)
    assert not said, "\n".join(said)


def test_a_college_parent_link_page_speaks_the_colleges_words(client):
    """The invite page of a group's parent link (no pupil bound) tells what happens to the parent: the group's
    list, not the class's — the walk's seed has only bound parent links, which say something else."""
    s = seed("college")["school"]
    invite, _token = invite_create(organisation=s.org, actor=s.admin, role="parent", target_group=s.cls, max_uses=30)
    client.force_login(s.admin)
    page = client.get(reverse("invites:detail", args=[s.org.pk, invite.pk]))
    assert page.status_code == 200
    text = visible_text(page.content.decode())
    assert "из списка группы" in text
    assert not school_words(text), school_words(text)
