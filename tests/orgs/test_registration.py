"""«Заявка на регистрацию»: what the applicant and the operator notice."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from guardian.shortcuts import get_perms

from orgs.models import AuditEntry, Group, Membership, Organisation, RegistrationApplication
from orgs.permissions import ADMIN_ORG_PERMS
from orgs.services.registration import application_approve, application_reject, application_submit
from portal.accounts.models import User
from portal.exceptions import Conflict, PermissionDenied, RuleViolation
from tests.factories import UserFactory, admin_of

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def application_data(**overrides) -> dict:
    data = {
        "kind": "school",
        "full_name": "Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 2»",
        "short_name": "МБОУ СОШ № 2",
        "address": "671160, Республика Бурятия, г. Гусиноозёрск, ул. Ленина, д. 5",
        "region": "Республика Бурятия",
        "municipality": "Селенгинский район",
        "contact_phone": "+7 (30145) 4-12-34",
        "contact_email": "school2@example.org",
        "time_zone": "Asia/Irkutsk",
        "admin_last_name": " Соколова ",
        "admin_first_name": "Ольга",
        "admin_patronymic": "Петровна",
        "admin_email": "Sokolova@Example.org",
        "admin_phone": "8 912 345-67-89",
    }
    data.update(overrides)
    return data


def order(content=PDF, name="prikaz.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def submit(**overrides) -> RegistrationApplication:
    return application_submit(data=application_data(**overrides), order_file=order())


@pytest.fixture
def operator():
    return UserFactory(is_superuser=True, is_staff=True, email="operator@example.org")


# --- Submit ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [(PDF, "prikaz.pdf", "application/pdf"), (PNG, "prikaz.png", "image/png"), (JPEG, "prikaz.jpg", "image/jpeg")],
)
def test_application_with_a_pdf_png_or_jpeg_order_is_stored(content, name, content_type, settings):
    application = application_submit(data=application_data(), order_file=order(content, name, content_type))
    application.refresh_from_db()
    assert application.status == RegistrationApplication.Status.PENDING
    assert application.admin_phone == "+79123456789"
    assert application.admin_email == "sokolova@example.org"
    assert application.admin_last_name == "Соколова"
    assert application.order_file.name.startswith("registration-orders/")
    with application.order_file.open("rb") as stored:
        assert stored.read() == content


def test_the_operator_is_told_of_a_new_application(operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit()
    assert [m.to for m in mail.outbox] == [["operator@example.org"]]
    assert "МБОУ СОШ № 2" in mail.outbox[0].subject


def _stored_files(settings):
    return [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] if settings.MEDIA_ROOT.exists() else []


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"This is not a PDF, only text pretending to be one.\n" * 5, "prikaz.pdf"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "prikaz.pdf"),
        (b"<html><body>%PDF-1.4</body></html>", "prikaz.png"),
    ],
)
def test_a_file_that_is_not_really_pdf_jpeg_or_png_is_refused_and_nothing_is_kept(content, name, settings):
    with pytest.raises(RuleViolation) as exc:
        application_submit(data=application_data(), order_file=order(content, name))
    assert exc.value.message == "Приказ должен быть файлом PDF, JPEG или PNG."
    assert exc.value.fields == {"order_file": ["Допустимы PDF, JPEG или PNG."]}
    assert not RegistrationApplication.objects.exists()
    assert _stored_files(settings) == []


def test_an_oversize_order_is_refused(settings):
    settings.REGISTRATION_ORDER_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(RuleViolation) as exc:
        application_submit(data=application_data(), order_file=order(big))
    assert exc.value.message == "Файл слишком большой: не более 1 МБ."
    assert not RegistrationApplication.objects.exists()
    assert _stored_files(settings) == []


def test_a_missing_order_is_refused():
    with pytest.raises(RuleViolation, match="Приложите приказ"):
        application_submit(data=application_data(), order_file=None)
    assert not RegistrationApplication.objects.exists()


def test_a_wrong_admin_phone_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        submit(admin_phone="12345")
    assert not RegistrationApplication.objects.exists()


# --- Approve --------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "staff_group"), [("school", "Учительская"), ("college", "Сотрудники")])
def test_approval_creates_the_organisation_its_staff_group_and_its_administrator(
    kind, staff_group, operator, django_capture_on_commit_callbacks
):
    application = submit(kind=kind)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        organisation = application_approve(application=application, actor=operator)

    organisation.refresh_from_db()
    assert organisation.kind == kind
    assert organisation.short_name == "МБОУ СОШ № 2"
    assert organisation.time_zone == "Asia/Irkutsk"
    assert list(Group.objects.filter(organisation=organisation).values_list("kind", "name")) == [("staff", staff_group)]

    admin = User.objects.get(phone="+79123456789")
    assert (admin.last_name, admin.first_name, admin.patronymic) == ("Соколова", "Ольга", "Петровна")
    assert admin.email == "sokolova@example.org"
    assert not admin.has_usable_password()  # signs in with a one-time code
    membership = Membership.objects.get(organisation=organisation, user=admin)
    assert membership.role == Membership.Role.ADMIN
    assert membership.valid_to is None
    assert set(get_perms(admin, organisation)) == ADMIN_ORG_PERMS

    application.refresh_from_db()
    assert application.status == RegistrationApplication.Status.APPROVED
    assert application.organisation == organisation
    assert application.decided_by == operator
    assert AuditEntry.objects.filter(
        organisation=organisation, actor=operator, action="registration.approved", object_id=str(application.pk)
    ).exists()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sokolova@example.org"]
    assert message.subject == "Заявка на регистрацию одобрена"
    assert "+79123456789" in message.body
    assert "/accounts/login/code/" in message.body


def test_approval_reuses_an_existing_account_with_the_same_phone(operator):
    existing = UserFactory(phone="+79123456789", email="old@example.org")
    organisation = application_approve(application=submit(), actor=operator)
    assert User.objects.filter(phone="+79123456789").count() == 1
    assert Membership.objects.get(organisation=organisation, role="admin").user == existing


def test_approval_creates_no_second_account_for_an_email_already_taken(operator):
    UserFactory(email="sokolova@example.org")
    organisation = application_approve(application=submit(), actor=operator)
    admin = Membership.objects.get(organisation=organisation, role="admin").user
    assert admin.phone == "+79123456789"
    assert admin.email is None
    assert User.objects.filter(email__iexact="sokolova@example.org").count() == 1


@pytest.mark.parametrize("failing_step", ["audit", "organisation_created"])
def test_approval_is_all_or_nothing(failing_step, operator, monkeypatch, django_capture_on_commit_callbacks):
    from orgs.services import registration
    from orgs.signals import organisation_created

    application = submit()
    users_before = User.objects.count()
    mail.outbox.clear()

    def broken(**kwargs):
        raise RuntimeError("сбой на последнем шаге")

    if failing_step == "audit":
        monkeypatch.setattr(registration, "audit_record", broken)
    else:
        organisation_created.connect(broken, dispatch_uid="test-broken-listener")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError, match="сбой на последнем шаге"):
                application_approve(application=application, actor=operator)
    finally:
        organisation_created.disconnect(dispatch_uid="test-broken-listener")

    assert not Organisation.objects.exists()
    assert not Group.objects.exists()
    assert not Membership.objects.exists()
    assert User.objects.count() == users_before
    assert not User.objects.filter(phone="+79123456789").exists()
    application.refresh_from_db()
    assert application.status == RegistrationApplication.Status.PENDING
    assert application.organisation is None
    assert mail.outbox == []


def test_approving_twice_is_a_conflict(operator):
    application = submit()
    application_approve(application=application, actor=operator)
    with pytest.raises(Conflict) as exc:
        application_approve(application=application, actor=operator)
    assert exc.value.message == "Заявка уже рассмотрена."
    assert Organisation.objects.count() == 1


def test_only_the_operator_decides_applications():
    application = submit()
    school = admin_of_some_school()
    for actor in (None, UserFactory(), UserFactory(is_staff=True), school):
        with pytest.raises(PermissionDenied) as exc:
            application_approve(application=application, actor=actor)
        assert exc.value.message == "Рассматривать заявки может только оператор платформы."
        with pytest.raises(PermissionDenied):
            application_reject(application=application, actor=actor, reason="Нет приказа")
    application.refresh_from_db()
    assert application.status == RegistrationApplication.Status.PENDING
    assert Organisation.objects.count() == 1  # only the administrator's own school


def admin_of_some_school():
    from tests.factories import OrganisationFactory

    return admin_of(OrganisationFactory())


# --- Reject ---------------------------------------------------------------------------


def test_rejection_needs_a_reason(operator):
    application = submit()
    for reason in ("", "   ", None):
        with pytest.raises(RuleViolation) as exc:
            application_reject(application=application, actor=operator, reason=reason)
        assert exc.value.message == "Укажите причину отказа."
        assert exc.value.fields == {"reason": ["Обязательное поле."]}
    application.refresh_from_db()
    assert application.status == RegistrationApplication.Status.PENDING


def test_rejection_tells_the_applicant_the_reason(operator, django_capture_on_commit_callbacks):
    application = submit()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        application_reject(application=application, actor=operator, reason="  Приказ не подписан руководителем. ")
    application.refresh_from_db()
    assert application.status == RegistrationApplication.Status.REJECTED
    assert application.rejection_reason == "Приказ не подписан руководителем."
    assert application.decided_by == operator
    assert not Organisation.objects.exists()
    assert not User.objects.filter(phone="+79123456789").exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sokolova@example.org"]
    assert mail.outbox[0].subject == "Заявка на регистрацию отклонена"
    assert "Причина: Приказ не подписан руководителем." in mail.outbox[0].body
    with pytest.raises(Conflict):
        application_approve(application=application, actor=operator)
    with pytest.raises(Conflict):
        application_reject(application=application, actor=operator, reason="Ещё раз")
