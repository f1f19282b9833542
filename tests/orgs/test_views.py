import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orgs.models import AcademicYear, Group, Membership, Organisation, RegistrationApplication
from tests.factories import (
    AcademicYearFactory,
    ClassFactory,
    OrganisationFactory,
    UserFactory,
    admin_of,
    curator_of,
    member,
    parent_of,
    student_in,
    teacher_of,
    teaches,
)
from tests.orgs.test_registration import order

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _application_data(**overrides):
    data = {
        "kind": "school",
        "full_name": "Муниципальное бюджетное общеобразовательное учреждение «Школа № 7»",
        "short_name": "Школа № 7",
        "address": "г. Кяхта, ул. Ленина, д. 5",
        "region": "Республика Бурятия",
        "municipality": "Кяхтинский район",
        "contact_phone": "",
        "contact_email": "",
        "website": "",
        "time_zone": "Asia/Irkutsk",
        "admin_last_name": "Доржиева",
        "admin_first_name": "Туяна",
        "admin_patronymic": "Баировна",
        "admin_email": "dorzhieva@example.org",
        "admin_phone": "8 (902) 123-45-67",
    }
    return {**data, **overrides}


# --- Registration application ------------------------------------------------------


def test_application_form_stores_the_application_and_shows_success(client):
    UserFactory(is_superuser=True, is_staff=True, email="operator@example.org")
    data = _application_data(order_file=SimpleUploadedFile("prikaz.pdf", PDF, content_type="application/pdf"))
    response = client.post(reverse("orgs:application_create"), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("orgs:application_done")
    assert "Заявка отправлена" in response.content.decode()
    application = RegistrationApplication.objects.get()
    assert application.admin_phone == "+79021234567"
    assert application.status == RegistrationApplication.Status.PENDING
    assert application.order_file.read().startswith(b"%PDF")


def test_a_text_file_named_pdf_is_refused_in_russian_and_nothing_is_stored(client):
    data = _application_data(
        order_file=SimpleUploadedFile("prikaz.pdf", b"just some text, not a PDF", content_type="application/pdf")
    )
    response = client.post(reverse("orgs:application_create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Приказ должен быть файлом PDF, JPEG или PNG." in html
    assert 'value="Школа № 7"' in html  # what was typed stays in the form
    assert RegistrationApplication.objects.count() == 0


def test_application_form_names_each_bad_field(client):
    data = _application_data(admin_phone="12", admin_email="not-an-email", short_name="")
    response = client.post(reverse("orgs:application_create"), data)
    html = response.content.decode()
    assert "Номер телефона указан неверно." in html or "Такого номера телефона не существует." in html
    assert "Введите правильный адрес электронной почты." in html
    assert "Обязательное поле." in html
    assert RegistrationApplication.objects.count() == 0


# --- Operator in the Django admin --------------------------------------------------


def _pending_application():
    return RegistrationApplication.objects.create(
        **{k: v for k, v in _application_data().items() if k != "admin_phone"},
        admin_phone="+79021234567",
        order_file=SimpleUploadedFile("prikaz.pdf", PDF),
    )


def test_operator_approves_an_application_in_the_admin(client, django_capture_on_commit_callbacks):
    application = _pending_application()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    change = client.get(reverse("admin:orgs_registrationapplication_change", args=[application.pk]))
    assert "Одобрить" in change.content.decode() and "Открыть приказ" in change.content.decode()
    assert client.get(reverse("admin:orgs_registrationapplication_order", args=[application.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:orgs_registrationapplication_approve", args=[application.pk]))
    assert response.status_code == 302
    assert any("Заявка одобрена" in m for m in _messages(response))
    org = Organisation.objects.get(short_name="Школа № 7")
    assert Group.objects.filter(organisation=org, kind="staff", name="Учительская").exists()
    assert Membership.objects.filter(organisation=org, role="admin", user__phone="+79021234567").exists()
    assert mail.outbox[-1].to == ["dorzhieva@example.org"]
    again = client.post(reverse("admin:orgs_registrationapplication_approve", args=[application.pk]))
    assert any("Заявка уже рассмотрена." in m for m in _messages(again))


def test_operator_rejects_with_a_reason_on_an_intermediate_page(client):
    application = _pending_application()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("admin:orgs_registrationapplication_reject", args=[application.pk])
    assert "Причина отказа" in client.get(url).content.decode()
    client.post(url, {"reason": "Приказ не подписан."})
    application.refresh_from_db()
    assert application.status == "rejected" and application.rejection_reason == "Приказ не подписан."


def test_audit_entries_are_read_only_in_the_admin(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse("admin:orgs_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:orgs_auditentry_add")).status_code == 403


def test_a_non_operator_cannot_open_the_order_file(client):
    application = _pending_application()
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("admin:orgs_registrationapplication_order", args=[application.pk]))
    assert response.status_code in (302, 403)


# --- Home ----------------------------------------------------------------------------


def test_member_of_one_organisation_goes_straight_to_it(client):
    org = OrganisationFactory()
    client.force_login(admin_of(org))
    response = client.get(reverse("orgs:home"))
    assert response.status_code == 302 and response["Location"] == reverse("orgs:org_home", args=[org.pk])
    html = client.get(response["Location"]).content.decode()
    for link in ("profile", "structure", "people", "verification", "administrators"):
        assert reverse(f"orgs:{link}", args=[org.pk]) in html


def test_operator_sees_the_applications_link(client):
    _pending_application()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(reverse("orgs:home")).content.decode()
    assert reverse("admin:orgs_registrationapplication_changelist") in html


def test_each_role_sees_its_own_things(client):
    org = OrganisationFactory()
    group = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    other = ClassFactory(organisation=org, grade=7, letter="Б", name="7Б")
    curator = curator_of(group)
    teacher = teacher_of(org)
    teaches(other, teacher, "Физика")
    child1, child2 = student_in(group), student_in(other)
    parent = parent_of(child1, org)
    parent_of(child2, org, user=parent)
    director = teacher_of(org, position="director")

    def page(user):
        client.force_login(user)
        return client.get(reverse("orgs:org_home", args=[org.pk])).content.decode()

    assert reverse("orgs:class", args=[org.pk, group.pk]) in page(curator)
    html = page(teacher)
    assert "7Б" in html and "Физика" in html
    html = page(child1)
    assert "5А" in html and curator.last_name in html
    html = page(parent)
    assert child1.full_name in html and child2.full_name in html and "7Б" in html
    html = page(director)
    assert reverse("orgs:people", args=[org.pk]) in html and "Статистика" in html
    assert reverse("orgs:verification", args=[org.pk]) not in html


# --- Structure -----------------------------------------------------------------------


def test_admin_adds_a_year_and_a_class_then_archives_it(client):
    org = OrganisationFactory()
    client.force_login(admin_of(org))
    response = client.post(
        reverse("orgs:year_create", args=[org.pk]),
        {"name": "2026/2027", "starts_on": "2026-09-01", "ends_on": "2027-05-31", "is_current": "on"},
    )
    assert response.status_code == 302
    year = AcademicYear.objects.get(organisation=org)
    response = client.post(
        reverse("orgs:group_new", args=[org.pk, "class"]), {"grade": "5", "letter": "а", "academic_year": year.pk}
    )
    assert response.status_code == 302
    group = Group.objects.get(organisation=org, kind="class")
    assert group.name == "5А"
    html = client.get(reverse("orgs:structure", args=[org.pk])).content.decode()
    assert "5А" in html and "Классы" in html and "Классный руководитель" in html
    response = client.post(reverse("orgs:group_archive", args=[org.pk, group.pk]), follow=True)
    group.refresh_from_db()
    assert group.is_archived
    assert "Перенесено в архив: «5А»." in response.content.decode()


def test_college_structure_speaks_of_groups_and_curators(client):
    org = OrganisationFactory(kind="college")
    ClassFactory(organisation=org, grade=2, letter="ЭС-21", name="ЭС-21")
    client.force_login(admin_of(org))
    html = client.get(reverse("orgs:structure", args=[org.pk])).content.decode()
    assert "Группы" in html and "Куратор" in html and "ЭС-21" in html
    assert "Классный руководитель" not in html


def test_staff_group_cannot_be_archived_and_the_page_says_why(client):
    org = OrganisationFactory()
    staff = Group.objects.get(organisation=org, kind="staff")
    client.force_login(admin_of(org))
    response = client.post(reverse("orgs:group_archive", args=[org.pk, staff.pk]), follow=True)
    staff.refresh_from_db()
    assert not staff.is_archived
    assert "Группу «Учительская» нельзя удалить или архивировать." in response.content.decode()


def test_a_class_without_a_year_gets_the_services_message(client):
    org = OrganisationFactory()
    client.force_login(admin_of(org))
    response = client.post(reverse("orgs:group_new", args=[org.pk, "division"]), {"name": "Начальная школа"})
    assert response.status_code == 302
    assert Group.objects.filter(organisation=org, kind="division", name="Начальная школа").exists()


# --- People ----------------------------------------------------------------------------


def test_people_filters_by_role_class_verification_and_name(client):
    org = OrganisationFactory()
    group, other = ClassFactory(organisation=org), ClassFactory(organisation=org)
    admin = admin_of(org)
    pupil = student_in(group, UserFactory(last_name="Бадмаев"))
    outsider = student_in(other, UserFactory(last_name="Цыренов"))
    waiting = teacher_of(org, verified=False)
    client.force_login(admin)
    url = reverse("orgs:people", args=[org.pk])

    html = client.get(url, {"role": "student"}).content.decode()
    assert pupil.full_name in html and outsider.full_name in html and waiting.full_name not in html
    html = client.get(url, {"group": group.pk}).content.decode()
    assert pupil.full_name in html and outsider.full_name not in html
    html = client.get(url, {"verification": "pending"}).content.decode()
    assert waiting.full_name in html and pupil.full_name not in html
    html = client.get(url, {"q": "Бадмаев"}).content.decode()
    assert pupil.full_name in html and outsider.full_name not in html


def test_verified_teacher_has_the_badge_in_the_list(client):
    org = OrganisationFactory()
    teacher = teacher_of(org, verified=True)
    client.force_login(admin_of(org))
    html = client.get(reverse("orgs:people", args=[org.pk]), {"role": "teacher"}).content.decode()
    assert teacher.full_name in html and "✓ подтверждён" in html


def test_admin_verifies_and_rejects_teachers(client):
    org = OrganisationFactory()
    first, second = teacher_of(org, verified=False), teacher_of(org, verified=False)
    client.force_login(admin_of(org))
    queue = client.get(reverse("orgs:verification", args=[org.pk])).content.decode()
    assert first.full_name in queue and second.full_name in queue
    response = client.post(reverse("orgs:person_action", args=[org.pk, first.pk, "verify"]), follow=True)
    assert "Педагог подтверждён." in response.content.decode()
    assert Membership.objects.get(user=first, role="teacher").verification == "verified"
    response = client.post(reverse("orgs:person_action", args=[org.pk, second.pk, "reject"]), {"reason": ""})
    assert response.status_code == 200 and "Обязательное поле." in response.content.decode()
    client.post(reverse("orgs:person_action", args=[org.pk, second.pk, "reject"]), {"reason": "Не работает у нас."})
    m = Membership.objects.get(user=second, role="teacher")
    assert m.verification == "rejected" and m.verification_note == "Не работает у нас."
    queue = client.get(reverse("orgs:verification", args=[org.pk])).content.decode()
    assert first.full_name not in queue and second.full_name not in queue


def test_the_last_administrator_cannot_be_removed(client):
    org = OrganisationFactory()
    admin = admin_of(org)
    client.force_login(admin)
    response = client.post(reverse("orgs:person_action", args=[org.pk, admin.pk, "remove-admin"]), follow=True)
    assert "Нельзя снять последнего администратора организации" in response.content.decode()
    assert Membership.objects.filter(organisation=org, user=admin, role="admin", valid_to__isnull=True).exists()


def test_admin_appoints_a_teacher_then_the_first_admin_can_leave(client):
    org = OrganisationFactory()
    admin = admin_of(org)
    teacher = teacher_of(org)
    client.force_login(admin)
    candidate = Membership.objects.get(user=teacher, role="teacher")
    refused = client.post(reverse("orgs:administrators", args=[org.pk]), {"membership": candidate.pk})
    assert "Укажите номер приказа." in refused.content.decode()
    assert not Membership.objects.filter(organisation=org, user=teacher, role="admin").exists()
    client.post(
        reverse("orgs:administrators", args=[org.pk]),
        {"membership": candidate.pk, "order_number": "15-к", "order_date": "2026-09-01", "order_file": order()},
    )
    appointed = Membership.objects.get(organisation=org, user=teacher, role="admin", valid_to__isnull=True)
    assert (appointed.appointment_order.number, str(appointed.appointment_order.date)) == ("15-к", "2026-09-01")
    assert appointed.appointment_order.file.name.endswith(".pdf")
    page = client.get(reverse("orgs:administrators", args=[org.pk])).content.decode()
    assert "приказ № 15-к от 01.09.2026" in page
    client.post(reverse("orgs:person_action", args=[org.pk, admin.pk, "remove-admin"]))
    assert not Membership.objects.filter(organisation=org, user=admin, role="admin", valid_to__isnull=True).exists()


def test_person_page_shows_class_parents_and_allows_transfer(client):
    org = OrganisationFactory()
    group, other = ClassFactory(organisation=org), ClassFactory(organisation=org)
    child = student_in(group)
    parent = parent_of(child, org)
    client.force_login(admin_of(org))
    html = client.get(reverse("orgs:person", args=[org.pk, child.pk])).content.decode()
    assert group.name in html and parent.full_name in html
    client.post(reverse("orgs:person_action", args=[org.pk, child.pk, "transfer"]), {"group": other.pk})
    html = client.get(reverse("orgs:class", args=[org.pk, other.pk])).content.decode()
    assert child.full_name in html and parent.full_name in html


def test_curator_and_teaching_are_assigned_from_the_person_page(client):
    org = OrganisationFactory()
    group = ClassFactory(organisation=org)
    teacher = teacher_of(org)
    client.force_login(admin_of(org))
    client.post(reverse("orgs:person_action", args=[org.pk, teacher.pk, "curator"]), {"group": group.pk})
    client.post(
        reverse("orgs:person_action", args=[org.pk, teacher.pk, "teaching"]), {"group": group.pk, "subject": "История"}
    )
    html = client.get(reverse("orgs:class", args=[org.pk, group.pk])).content.decode()
    assert teacher.full_name in html and "История" in html and "✓ подтверждён" in html


# --- Isolation and rights ------------------------------------------------------------------


def _pages_of(org, group, person):
    return [
        reverse("orgs:org_home", args=[org.pk]),
        reverse("orgs:profile", args=[org.pk]),
        reverse("orgs:profile_edit", args=[org.pk]),
        reverse("orgs:structure", args=[org.pk]),
        reverse("orgs:year_create", args=[org.pk]),
        reverse("orgs:group_new", args=[org.pk, "class"]),
        reverse("orgs:group_edit", args=[org.pk, group.pk]),
        reverse("orgs:class", args=[org.pk, group.pk]),
        reverse("orgs:people", args=[org.pk]),
        reverse("orgs:person", args=[org.pk, person.pk]),
        reverse("orgs:person_action", args=[org.pk, person.pk, "reject"]),
        reverse("orgs:verification", args=[org.pk]),
        reverse("orgs:administrators", args=[org.pk]),
    ]


def test_an_administrator_of_b_gets_404_for_every_page_of_a(client):
    org_a, org_b = OrganisationFactory(), OrganisationFactory()
    group = ClassFactory(organisation=org_a)
    person = student_in(group)
    client.force_login(admin_of(org_b))
    for url in _pages_of(org_a, group, person):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("orgs:group_archive", args=[org_a.pk, group.pk]),
        reverse("orgs:person_action", args=[org_a.pk, person.pk, "verify"]),
    ):
        assert client.post(url).status_code == 404, url
    group.refresh_from_db()
    assert not group.is_archived


def test_a_group_of_another_organisation_is_not_found_inside_ours(client):
    org_a, org_b = OrganisationFactory(), OrganisationFactory()
    foreign = ClassFactory(organisation=org_a)
    client.force_login(admin_of(org_b))
    assert client.get(reverse("orgs:class", args=[org_b.pk, foreign.pk])).status_code == 404
    assert client.post(reverse("orgs:group_archive", args=[org_b.pk, foreign.pk])).status_code == 404


def test_a_teacher_gets_403_on_the_administrators_pages(client):
    org = OrganisationFactory()
    group = ClassFactory(organisation=org)
    other_teacher = teacher_of(org, verified=False)
    client.force_login(teacher_of(org))
    for name, args in [
        ("profile_edit", []), ("structure", []), ("year_create", []), ("group_new", ["class"]),
        ("group_edit", [group.pk]), ("people", []), ("verification", []), ("administrators", []),
        ("class", [group.pk]), ("person_action", [other_teacher.pk, "verify"]),
    ]:  # fmt: skip
        response = client.get(reverse(f"orgs:{name}", args=[org.pk, *args]))
        assert response.status_code == 403, name
        assert "Недостаточно прав" in response.content.decode()
    assert client.post(reverse("orgs:person_action", args=[org.pk, other_teacher.pk, "verify"])).status_code == 403
    assert Membership.objects.get(user=other_teacher).verification == "pending"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    org = OrganisationFactory()
    response = client.get(reverse("orgs:people", args=[org.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


# --- Query counts -------------------------------------------------------------------------


def _populate(org, n):
    year = AcademicYear.objects.filter(organisation=org).first() or AcademicYearFactory(organisation=org)
    groups = [ClassFactory(organisation=org, academic_year=year) for _ in range(3)]
    for i in range(n):
        student = student_in(groups[i % 3])
        if i % 2:
            parent_of(student, org)
        if i % 5 == 0:
            member(org, Membership.Role.TEACHER, verified=bool(i % 2))
    for g in groups:
        curator_of(g)


def _count(client, django_assert_max_num_queries, url, bound):
    with django_assert_max_num_queries(bound):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["people", "structure"])
def test_query_count_does_not_grow_with_members(client, django_assert_max_num_queries, page):
    org = OrganisationFactory()
    admin = admin_of(org)
    client.force_login(admin)
    url = reverse(f"orgs:{page}", args=[org.pk])
    _populate(org, 5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    bound = len(small.captured_queries)
    _populate(org, 45)
    _count(client, django_assert_max_num_queries, url, bound)
    _count(client, django_assert_max_num_queries, url + "?role=student", bound)
