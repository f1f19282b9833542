"""Demo data: a school and a college in Бурятия, built through the real services (`manage.py load_demo`).

Each organisation is registered the way a real one is: an application with the appointing order
(a small generated PDF), approved by the platform operator; its administrator then builds the
structure and adds the people. Every step looks its row up first and calls the creating service
only when the row is missing, so a second run changes nothing.
"""

from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.services import user_create

from .demo_data import COLLEGE, DEMO_ACCOUNTS, DEMO_PASSWORD, METHODOLOGIST, OPERATOR, SCHOOL, Account, OrgSpec
from .models import (
    AcademicYear,
    CuratorAssignment,
    Group,
    Membership,
    Organisation,
    Placement,
    RegistrationApplication,
    TeachingAssignment,
)
from .services.membership import curator_assign, membership_add, parent_link_create, student_place, teaching_assign
from .services.registration import application_approve, application_submit
from .services.structure import academic_year_create, class_name, group_create

Role = Membership.Role


@dataclass
class DemoReport:
    created_users: int = 0
    organisations: list[Organisation] = field(default_factory=list)
    accounts: tuple[Account, ...] = DEMO_ACCOUNTS
    password: str = DEMO_PASSWORD


def load_demo() -> DemoReport:
    """Create the demo school and college, or complete them; running it again adds nothing."""
    report = DemoReport()
    with transaction.atomic():
        operator = _operator(report)
        for spec in (SCHOOL, COLLEGE):
            report.organisations.append(_load_organisation(spec, operator, report))
        # An account of no organisation: the statistics app attaches it to their municipality.
        _user(METHODOLOGIST, report)
    return report


class DemoLoadCommand(BaseCommand):
    """A command that adds one app's demo content to each demo organisation and says what it added.

    Only the demo organisations: a portal that also holds real ones gets no demo content in them.
    """

    def load(self, organisation: Organisation) -> list:
        raise NotImplementedError

    def describe(self, added: list) -> str:
        raise NotImplementedError

    def handle(self, *args, **options):
        names = [spec.profile["full_name"] for spec in (SCHOOL, COLLEGE)]
        for organisation in Organisation.objects.filter(full_name__in=names).order_by("pk"):
            added = self.load(organisation)
            if added:
                self.stdout.write(f"{organisation.short_name}: {self.describe(added)}")


def _operator(report: DemoReport) -> User:
    # There is no service for the platform operator: it is the superuser that `createsuperuser` would make.
    user = User.objects.filter(phone=OPERATOR.phone).first()
    if user is None:
        user = User.objects.create_superuser(
            phone=OPERATOR.phone, email=OPERATOR.email, password=DEMO_PASSWORD, **OPERATOR.name_parts
        )
        report.created_users += 1
    return user


def _user(account: Account, report: DemoReport) -> User:
    """The account with this phone; created with the demo password when it is a published demo account."""
    user = User.objects.filter(phone=account.phone).first()
    if user is None:
        user = user_create(
            **account.name_parts,
            phone=account.phone,
            email=account.email,
            password=DEMO_PASSWORD if account.label else None,
        )
        report.created_users += 1
    elif account.label and not user.has_usable_password():
        # No service sets a password; the published accounts must be able to sign in with it.
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


class _Phones:
    """Gives people without a fixed phone the next number of their organisation's block."""

    STAFF, STUDENT, PARENT = range(3)

    def __init__(self, blocks: tuple[str, str, str]):
        self.blocks = blocks
        self.used = [0, 0, 0]

    def account(self, entry: Account | str, block: int) -> Account:
        if isinstance(entry, Account):
            return entry
        self.used[block] += 1
        return Account(name=entry, phone=f"{self.blocks[block]}{self.used[block]:04d}")


def _load_organisation(spec: OrgSpec, operator: User, report: DemoReport) -> Organisation:
    admin = _user(spec.admin, report)
    organisation = _register(spec, operator)
    phones = _Phones(spec.phone_blocks)
    classes = _structure(spec, organisation, admin)
    _staff(spec, organisation, admin, classes, phones, report)
    _students(spec, organisation, admin, classes, phones, report)
    if spec.staff_headcount is not None:
        Organisation.objects.filter(pk=organisation.pk, staff_headcount__isnull=True).update(
            staff_headcount=spec.staff_headcount
        )
    return organisation


def _register(spec: OrgSpec, operator: User) -> Organisation:
    organisation = Organisation.objects.filter(full_name=spec.profile["full_name"]).first()
    if organisation is not None:
        return organisation
    application = RegistrationApplication.objects.filter(
        full_name=spec.profile["full_name"], status=RegistrationApplication.Status.PENDING
    ).first()
    if application is None:
        names = spec.admin.name_parts
        data = {
            **spec.profile,
            "admin_last_name": names["last_name"],
            "admin_first_name": names["first_name"],
            "admin_patronymic": names["patronymic"],
            "admin_phone": spec.admin.phone,
            "admin_email": spec.admin.email,
        }
        order = ContentFile(order_pdf(_order_lines(spec)), name=f"prikaz-{spec.order_number.split('-')[0]}.pdf")
        application = application_submit(data=data, order_file=order)
    return application_approve(application=application, actor=operator)


def _group(organisation: Organisation, actor: User, kind: str, name: str, **fields) -> Group:
    existing = Group.objects.filter(
        organisation=organisation, kind=kind, name=name, is_archived=False, academic_year=fields.get("academic_year")
    ).first()
    return existing or group_create(organisation=organisation, actor=actor, kind=kind, name=name, **fields)


def _structure(spec: OrgSpec, organisation: Organisation, actor: User) -> dict[str, Group]:
    """The current year, the divisions with their classes inside, the clubs; returns classes by name."""
    year_name, starts_on, ends_on = spec.year
    year = AcademicYear.objects.filter(organisation=organisation, name=year_name).first() or academic_year_create(
        organisation=organisation, actor=actor, name=year_name, starts_on=starts_on, ends_on=ends_on, is_current=True
    )
    classes = {}
    for division_name, grades in spec.divisions:
        division = _group(organisation, actor, Group.Kind.DIVISION, division_name)
        for grade, letter in grades:
            name = class_name(organisation, grade, letter)
            classes[name] = _group(
                organisation,
                actor,
                Group.Kind.CLASS,
                name,
                grade=grade,
                letter=letter,
                academic_year=year,
                parent=division,
            )
    for club in spec.clubs:
        _group(organisation, actor, Group.Kind.CLUB, club)
    return classes


def _staff(spec, organisation, actor, classes, phones: _Phones, report: DemoReport) -> None:
    for staff in spec.staff:
        teacher = _user(phones.account(staff.account, _Phones.STAFF), report)
        membership_add(
            organisation=organisation,
            user=teacher,
            role=Role.TEACHER,
            actor=actor,
            position=staff.position,
            verified=staff.verified,
        )
        if staff.curator_of:
            group = classes[staff.curator_of]
            # A class keeps the curator it has: the demo does not undo an administrator's choice.
            if not CuratorAssignment.objects.filter(group=group, valid_to__isnull=True).exists():
                curator_assign(group=group, teacher=teacher, actor=actor)
        for subject, class_names in staff.teaches:
            for name in class_names:
                group = classes[name]
                if not TeachingAssignment.objects.filter(
                    group=group, teacher=teacher, subject=subject, valid_to__isnull=True
                ).exists():
                    teaching_assign(group=group, teacher=teacher, subject=subject, actor=actor)


def _students(spec, organisation, actor, classes, phones: _Phones, report: DemoReport) -> None:
    for name, entries in spec.students.items():
        group = classes[name]
        for student_entry, parent_entry in entries:
            student = _user(phones.account(student_entry, _Phones.STUDENT), report)
            membership_add(organisation=organisation, user=student, role=Role.STUDENT, actor=actor)
            # A student already in a class stays there (a transfer made since is kept).
            if not Placement.objects.filter(organisation=organisation, student=student, valid_to__isnull=True).exists():
                student_place(organisation=organisation, student=student, group=group, actor=actor)
            if parent_entry is not None:
                parent = _user(phones.account(parent_entry, _Phones.PARENT), report)
                parent_link_create(organisation=organisation, parent=parent, child=student, actor=actor)


def summary(report: DemoReport) -> str:
    """What the command prints: the organisations' head-counts and the demo accounts."""
    lines = [f"Демонстрационные данные загружены. Новых учётных записей: {report.created_users}."]
    for organisation in report.organisations:
        words = organisation.vocabulary
        members = Membership.objects.filter(organisation=organisation, valid_to__isnull=True)
        teachers = members.filter(role=Role.TEACHER)
        lines.append(
            f"  {organisation.short_name}: {words.groups} — "
            f"{organisation.groups.filter(kind=Group.Kind.CLASS, is_archived=False).count()}, "
            f"{words.teachers} — {teachers.count()} "
            f"(ждут подтверждения — {teachers.filter(verification=Membership.Verification.PENDING).count()}), "
            f"{words.students} — {members.filter(role=Role.STUDENT).count()}, "
            f"родители — {members.filter(role=Role.PARENT).count()}"
        )
    lines.append(f"Демонстрационные входы (пароль для всех: {report.password}):")
    width = max(len(account.label) for account in report.accounts)
    lines += [f"  {a.label:<{width}}  {a.phone}  {a.email}" for a in report.accounts]
    return "\n".join(lines)


def _order_lines(spec: OrgSpec) -> list[str]:
    director = spec.staff[0].account
    last, first, patronymic = (director.name if isinstance(director, Account) else director).split(" ", 2)
    return [
        spec.profile["short_name"],
        "",
        "ПРИКАЗ",
        f"от 25.08.2026 № {spec.order_number}",
        "г. Гусиноозёрск",
        "",
        "О назначении администратора коммуникационного портала",
        "",
        "ПРИКАЗЫВАЮ:",
        "1. Назначить администратором коммуникационного портала организации",
        f"   {spec.admin.name}.",
        "2. Администратору зарегистрировать организацию на портале и поддерживать",
        "   сведения о её структуре и участниках в актуальном состоянии.",
        "3. Контроль исполнения приказа оставляю за собой.",
        "",
        f"Директор  ______________  {first[0]}.{patronymic[0]}. {last}",
        "",
        "Документ подготовлен для демонстрационных данных портала.",
    ]


def order_pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF with the lines in Helvetica; Cyrillic is mapped through the font's /Differences."""
    specials = sorted({ch for line in lines for ch in line if ord(ch) > 126})
    if len(specials) > 128:
        raise ValueError(_("Слишком много разных символов для одного шрифта."))
    codes = {ch: 128 + i for i, ch in enumerate(specials)}

    def encode(text: str) -> bytes:
        out = bytearray()
        for ch in text:
            if ch in codes:
                out.append(codes[ch])
            else:
                out += (b"\\" if ch in "()\\" else b"") + ch.encode("ascii")
        return bytes(out)

    shown = b" ".join(b"(" + encode(line) + b") Tj T*" for line in lines)
    content = b"BT /F1 11 Tf 16 TL 56 780 Td " + shown + b" ET"
    differences = " ".join(f"/uni{ord(ch):04X}" for ch in specials).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
        b"/BaseEncoding /WinAnsiEncoding /Differences [128 " + differences + b"] >> >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)
