"""The REST API as a client sees it: statuses, rows, the error shape, what another organisation can't see."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from orgs.models import Group, Membership, Organisation, Placement, RegistrationApplication
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    UserFactory,
    admin_of,
    curator_of,
    member,
    parent_of,
    student_in,
    teacher_of,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def error(resp):
    body = resp.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "fields"} <= set(body["error"]), body
    return body["error"]


@pytest.fixture
def school():
    org = OrganisationFactory()
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    return org, cls


def test_token_login_by_phone_in_local_form(api):
    user = UserFactory(phone="+79123456789")
    resp = api.post("/api/v1/auth/token/", {"login": "8 (912) 345-67-89", "password": "pass-Word-123"}, format="json")
    assert resp.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {resp.json()['token']}")
    assert api.get("/api/v1/orgs/").status_code == 200
    bad = api.post("/api/v1/auth/token/", {"login": user.email, "password": "wrong"}, format="json")
    assert bad.status_code == 400
    assert error(bad)["message"] == "Неверный логин или пароль."


def test_code_login_gives_token(api, sms_outbox, django_capture_on_commit_callbacks):
    UserFactory(phone="+79123456700")
    with django_capture_on_commit_callbacks(execute=True):
        resp = api.post("/api/v1/auth/code/", {"login": "+7 912 345 67 00"}, format="json")
    assert resp.status_code == 202
    code = sms_outbox[-1]["text"].split(": ")[1][:6]
    resp = api.post("/api/v1/auth/code/verify/", {"login": "89123456700", "code": code}, format="json")
    assert resp.status_code == 200 and resp.json()["token"]
    again = api.post("/api/v1/auth/code/verify/", {"login": "89123456700", "code": code}, format="json")
    assert again.status_code == 400


def test_code_request_for_unknown_person_answers_the_same(api, sms_outbox):
    resp = api.post("/api/v1/auth/code/", {"login": "+79123450000"}, format="json")
    assert resp.status_code == 202
    assert sms_outbox == []


def test_code_sign_in_tells_no_one_whether_an_account_exists(
    api, settings, sms_outbox, django_capture_on_commit_callbacks
):
    """Whoever asks for codes and tries them on an address reads the same answers, account or not: the hourly limit,
    the wrong code and the attempts limit come for an unknown address exactly as for a known one."""
    settings.OTP_MAX_PER_HOUR = 2
    settings.OTP_MAX_ATTEMPTS = 2
    UserFactory(phone="+79123456701")

    def answers(login):
        cache.clear()  # the per-address throttle, so that the two logins start alike
        seen = [api.post("/api/v1/auth/code/", {"login": login}, format="json") for _ in range(3)]
        # Seven digits: never a code that was sent.
        seen += [api.post("/api/v1/auth/code/verify/", {"login": login, "code": "0000000"}) for _ in range(3)]
        return [(r.status_code, r.json()) for r in seen]

    with django_capture_on_commit_callbacks(execute=True):
        known, unknown = answers("+79123456701"), answers("+79123450001")
    assert known == unknown
    assert [status for status, _ in known] == [202, 202, 429, 400, 400, 429]
    assert [m["phone"] for m in sms_outbox] == ["+79123456701"] * 2  # codes reach existing accounts only


def test_unauthenticated_gets_401_in_error_shape(api):
    resp = api.get("/api/v1/orgs/")
    assert resp.status_code == 401
    assert error(resp)["message"] == "Войдите в систему."


def submit(api, **over):
    data = {
        "kind": "college",
        "full_name": "ГБПОУ «Энергетический техникум»",
        "short_name": "ЭТ",
        "address": "г. Гусиноозёрск",
        "region": "Республика Бурятия",
        "municipality": "Селенгинский район",
        "time_zone": "Asia/Irkutsk",
        "admin_last_name": "Петрова",
        "admin_first_name": "Анна",
        "admin_patronymic": "Ивановна",
        "admin_email": "petrova@example.org",
        "admin_phone": "8 914 000-11-22",
        "order_file": SimpleUploadedFile("prikaz.pdf", PDF, content_type="application/pdf"),
    }
    data.update(over)
    return api.post("/api/v1/registrations/", data, format="multipart")


def test_registration_submit_approve_creates_org_staff_group_and_admin(api, django_capture_on_commit_callbacks):
    resp = submit(api)
    assert resp.status_code == 201, resp.content
    app_id = resp.json()["id"]
    assert resp.json()["admin_phone"] == "+79140001122"
    operator = UserFactory(is_superuser=True, is_staff=True)
    api.force_authenticate(operator)
    with django_capture_on_commit_callbacks(execute=True):
        resp = api.post(f"/api/v1/registrations/{app_id}/approve/")
    assert resp.status_code == 200
    org = Organisation.objects.get(pk=resp.json()["id"])
    assert resp.json()["vocabulary"]["staff_group"] == "Сотрудники"
    assert org.groups.get(kind=Group.Kind.STAFF).name == "Сотрудники"
    admin = Membership.objects.get(organisation=org, role="admin").user
    assert admin.phone == "+79140001122"
    assert admin.has_perm("orgs.manage_org", org)
    assert any("одобрена" in m.subject for m in mail.outbox)
    again = api.post(f"/api/v1/registrations/{app_id}/approve/")
    assert again.status_code == 409


def test_registration_with_fake_pdf_is_refused_and_nothing_stored(api):
    resp = submit(api, order_file=SimpleUploadedFile("prikaz.pdf", b"just text", content_type="application/pdf"))
    assert resp.status_code == 400
    assert "PDF, JPEG или PNG" in error(resp)["message"]
    assert RegistrationApplication.objects.count() == 0


def test_registration_missing_fields_lists_them(api):
    resp = api.post("/api/v1/registrations/", {"kind": "school"}, format="multipart")
    assert resp.status_code == 400
    fields = error(resp)["fields"]
    assert "full_name" in fields and "order_file" in fields and "admin_phone" in fields


def test_registration_reject_requires_reason_and_tells_applicant(api, django_capture_on_commit_callbacks):
    app_id = submit(api).json()["id"]
    api.force_authenticate(UserFactory(is_superuser=True, is_staff=True))
    assert api.post(f"/api/v1/registrations/{app_id}/reject/", {}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        resp = api.post(f"/api/v1/registrations/{app_id}/reject/", {"reason": "Нет приказа"}, format="json")
    assert resp.json()["status"] == "rejected"
    assert "Нет приказа" in mail.outbox[-1].body


def test_registrations_are_for_the_operator_only(api):
    app_id = submit(api).json()["id"]
    api.force_authenticate(UserFactory())
    assert api.get("/api/v1/registrations/").status_code == 403
    assert api.post(f"/api/v1/registrations/{app_id}/approve/").status_code == 403


def test_admin_builds_structure(api, school):
    org, _ = school
    api.force_authenticate(admin_of(org))
    resp = api.post(f"/api/v1/orgs/{org.pk}/groups/", {"kind": "class", "grade": 7, "letter": "б"}, format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["name"] == "7Б"
    dup = api.post(f"/api/v1/orgs/{org.pk}/groups/", {"kind": "class", "grade": 7, "letter": "Б"}, format="json")
    assert dup.status_code == 409
    assert "уже есть" in error(dup)["message"]
    staff = org.groups.get(kind="staff")
    resp = api.post(f"/api/v1/orgs/{org.pk}/groups/{staff.pk}/archive/")
    assert resp.status_code == 400
    assert "Учительская" in error(resp)["message"]
    listing = api.get(f"/api/v1/orgs/{org.pk}/groups/", {"kind": "class"})
    assert sorted(g["name"] for g in listing.json()["results"]) == ["5А", "7Б"]


def test_teacher_cannot_edit_structure(api, school):
    org, _ = school
    api.force_authenticate(teacher_of(org))
    resp = api.post(f"/api/v1/orgs/{org.pk}/groups/", {"kind": "club", "name": "Шахматы"}, format="json")
    assert resp.status_code == 403
    assert error(resp)["code"] == "permission_denied"


def test_admin_adds_student_and_transfers(api, school):
    org, cls = school
    other = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    api.force_authenticate(admin_of(org))
    resp = api.post(
        f"/api/v1/orgs/{org.pk}/members/",
        {
            "role": "student",
            "last_name": "Иванов",
            "first_name": "Пётр",
            "phone": "89140001133",
            "group": cls.pk,
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["group"]["group_name"] == "5А"
    mid = resp.json()["id"]
    resp = api.post(f"/api/v1/orgs/{org.pk}/members/{mid}/transfer/", {"group": other.pk}, format="json")
    assert resp.json()["group"]["group_name"] == "5Б"
    assert Placement.objects.filter(student__phone="+79140001133").count() == 2


def test_member_list_filters(api, school):
    org, cls = school
    admin = admin_of(org)
    kid = student_in(cls)
    parent_of(kid, org)
    teacher_of(org, verified=False)
    api.force_authenticate(admin)
    base = f"/api/v1/orgs/{org.pk}/members/"
    assert api.get(base, {"role": "student"}).json()["count"] == 1
    assert api.get(base, {"verification": "pending"}).json()["count"] == 1
    assert {m["role"] for m in api.get(base, {"group": cls.pk}).json()["results"]} == {"student", "parent"}
    assert api.get(base, {"search": kid.last_name}).json()["count"] >= 1


def test_verify_teacher_and_badge(api, school):
    org, _ = school
    api.force_authenticate(admin_of(org))
    m = member(org, "teacher", verified=False)
    resp = api.post(f"/api/v1/orgs/{org.pk}/members/{m.pk}/verify/")
    assert resp.status_code == 200 and resp.json()["is_verified"] is True


def test_last_admin_cannot_be_removed(api, school):
    org, _ = school
    admin = admin_of(org)
    api.force_authenticate(admin)
    m = Membership.objects.get(organisation=org, user=admin, role="admin")
    resp = api.post(f"/api/v1/orgs/{org.pk}/members/{m.pk}/remove-admin/")
    assert resp.status_code == 400
    assert error(resp)["code"] == "last_admin"


def test_make_admin_from_teacher(api, school):
    org, _ = school
    api.force_authenticate(admin_of(org))
    t = member(org, "teacher")
    resp = api.post(f"/api/v1/orgs/{org.pk}/members/{t.pk}/make-admin/")
    assert resp.status_code == 201
    assert t.user.has_perm("orgs.manage_org", org)


def test_curator_sees_own_class_roster_only(api, school):
    org, cls = school
    other = ClassFactory(organisation=org, grade=6, letter="А", name="6А")
    mine, theirs = student_in(cls), student_in(other)
    curator = curator_of(cls)
    api.force_authenticate(curator)
    ids = {m["person"]["id"] for m in api.get(f"/api/v1/orgs/{org.pk}/members/?role=student").json()["results"]}
    assert mine.pk in ids and theirs.pk not in ids


def test_member_list_query_count_does_not_grow(api, school, django_assert_max_num_queries):
    org, cls = school
    api.force_authenticate(admin_of(org))
    for _ in range(3):
        parent_of(student_in(cls), org)
    url = f"/api/v1/orgs/{org.pk}/members/"
    with django_assert_max_num_queries(14) as small:
        api.get(url)
    for _ in range(30):
        parent_of(student_in(cls), org)
    with django_assert_max_num_queries(len(small.captured_queries)):
        resp = api.get(url)
    assert resp.json()["count"] == 1 + 66


def test_assignments_and_parent_links(api, school):
    org, cls = school
    api.force_authenticate(admin_of(org))
    teacher = teacher_of(org)
    kid = student_in(cls)
    parent = member(org, "parent").user
    resp = api.post(f"/api/v1/orgs/{org.pk}/curators/", {"group": cls.pk, "teacher": teacher.pk}, format="json")
    assert resp.status_code == 201
    assert teacher.has_perm("orgs.invite_to_group", cls)
    resp = api.post(
        f"/api/v1/orgs/{org.pk}/teaching-assignments/",
        {"group": cls.pk, "teacher": teacher.pk, "subject": "Физика"},
        format="json",
    )
    assert resp.status_code == 201
    resp = api.post(f"/api/v1/orgs/{org.pk}/parent-links/", {"parent": kid.pk, "child": kid.pk}, format="json")
    assert resp.status_code == 400
    assert "родителем самого себя" in error(resp)["message"]
    resp = api.post(f"/api/v1/orgs/{org.pk}/parent-links/", {"parent": parent.pk, "child": kid.pk}, format="json")
    assert resp.status_code == 201
    cur = api.get(f"/api/v1/orgs/{org.pk}/curators/").json()["results"][0]
    assert api.delete(f"/api/v1/orgs/{org.pk}/curators/{cur['id']}/").status_code == 204
    # Still teaches Физика there (so may invite), but the curator's rights are gone.
    assert not teacher.has_perm("orgs.approve_group_joins", cls)
    assert teacher.has_perm("orgs.invite_to_group", cls)


def test_audit_log_for_admin_not_teacher(api, school):
    org, _ = school
    admin = admin_of(org)
    api.force_authenticate(admin)
    api.post(f"/api/v1/orgs/{org.pk}/groups/", {"kind": "club", "name": "Робототехника"}, format="json")
    rows = api.get(f"/api/v1/orgs/{org.pk}/audit/").json()["results"]
    assert rows[0]["action"] == "group.created" and rows[0]["actor"]["id"] == admin.pk
    api.force_authenticate(teacher_of(org))
    assert api.get(f"/api/v1/orgs/{org.pk}/audit/").status_code == 403


def test_director_reads_audit_but_cannot_edit(api, school):
    org, _ = school
    api.force_authenticate(teacher_of(org, position="director"))
    assert api.get(f"/api/v1/orgs/{org.pk}/audit/").status_code == 200
    assert api.patch(f"/api/v1/orgs/{org.pk}/", {"short_name": "X"}, format="json").status_code == 403


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in (
        "/api/v1/registrations/",
        "/api/v1/orgs/{org_pk}/members/{id}/make-admin/",
        "/api/v1/orgs/{org_pk}/groups/",
        "/api/v1/auth/token/",
        "/api/v1/orgs/{org_pk}/parent-links/",
    ):
        assert path in text
    assert client.get("/api/docs/").status_code == 200


def test_the_administrator_enters_the_staff_headcount_for_the_statistics(api, school):
    org, _ = school
    api.force_authenticate(admin_of(org))
    assert api.get(f"/api/v1/orgs/{org.pk}/").json()["staff_headcount"] is None
    response = api.patch(f"/api/v1/orgs/{org.pk}/", {"staff_headcount": 52}, format="json")
    assert response.status_code == 200 and response.json()["staff_headcount"] == 52
    refused = api.patch(f"/api/v1/orgs/{org.pk}/", {"staff_headcount": -1}, format="json")
    assert refused.status_code == 400 and "staff_headcount" in refused.json()["error"]["fields"]
    org.refresh_from_db()
    assert org.staff_headcount == 52
