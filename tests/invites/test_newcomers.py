"""What a newcomer meets when joining: no dead ends for parents, their own pending requests, truthful invite
pages, a confirmed revocation, kits that fit the link, and a create form that fits the role."""

import re

import pypdfium2
import pytest
import zxingcpp
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from invites.kits import kit_pdf
from invites.models import Invite, JoinRequest, Redemption
from invites.services import links
from invites.services.redeem import invite_redeem
from orgs.models import ParentLink
from tests.factories import ClassFactory, UserFactory, curator_of, member, student_in

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def join_url(token):
    return reverse("invites:join", args=[token])


def parent_link(org, admin, cls, **kw):
    kw.setdefault("max_uses", None)
    return links.invite_create(organisation=org, actor=admin, role="parent", target_group=cls, **kw)


def pdf_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    found = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    return " ".join(found.split())


def qr_count(pdf: bytes) -> int:
    document = pypdfium2.PdfDocument(pdf)
    count = 0
    for i in range(len(document)):
        image = document[i].render(scale=2).to_pil()
        count += sum(1 for c in zxingcpp.read_barcodes(image) if c.format == zxingcpp.BarcodeFormat.QRCode)
    document.close()
    return count


# --- 2. A parent link for a class with nobody on its list -----------------------------------------


def test_parent_of_an_empty_class_types_the_childs_name_and_the_curator_confirms(client, org, cls, admin):
    _, token = parent_link(org, admin, cls)
    parent = UserFactory(last_name="Очирова", first_name="Дарима")
    client.force_login(parent)
    page = text(client.get(join_url(token)))
    assert "Фамилия и имя ребёнка" in page and "Список класса на портале пока пуст" in page
    assert "Отправить заявку" in page
    empty = client.post(join_url(token), {})
    assert empty.status_code == 400 and "Обязательное поле" in text(empty)  # a clear field, not a dead end

    response = client.post(join_url(token), {"child_name": "  Очиров   Баир "})
    assert response.status_code == 202 and "Заявка отправлена" in text(response)
    assert "Заявка видна на главной странице, пока её не рассмотрят: там же её можно отозвать." in text(response)
    request = JoinRequest.objects.get(user=parent)
    assert (request.child, request.child_name, request.status) == (None, "Очиров Баир", "pending")

    # The curator sees the typed name; with nobody on the list they are told why they cannot approve yet.
    curator = curator_of(cls)
    client.force_login(curator)
    queue = text(client.get(reverse("invites:join_requests", args=[org.pk])))
    assert "ребёнок, как указал родитель: <strong>Очиров Баир</strong>" in queue
    assert "пока никого нет: одобрить заявку можно, когда ребёнок вступит" in queue
    # Once the child has joined, the curator picks them and approves: the parent is linked to that child.
    kid = student_in(cls, UserFactory(last_name="Очиров", first_name="Баир"))
    queue = text(client.get(reverse("invites:join_requests", args=[org.pk])))
    assert "Чей это родитель" in queue and f'<option value="{kid.pk}">{kid.full_name}</option>' in queue
    decide = reverse("invites:join_request_decide", args=[org.pk, request.pk, "approve"])
    stranger = student_in(ClassFactory(organisation=org, grade=6, letter="Б", name="6Б"))
    client.post(decide, {"child": stranger.pk})  # not of this class: refused
    assert JoinRequest.objects.get(pk=request.pk).status == "pending"
    client.post(decide, {"child": kid.pk})
    assert JoinRequest.objects.get(pk=request.pk).status == "approved"
    assert ParentLink.objects.filter(parent=parent, child=kid, valid_to__isnull=True).exists()


def test_parent_of_a_class_with_pupils_may_type_a_name_when_the_child_is_not_listed(client, org, cls, admin):
    student_in(cls, UserFactory(last_name="Бадмаев", first_name="Алдар"))
    _, token = parent_link(org, admin, cls)
    client.force_login(UserFactory())
    page = text(client.get(join_url(token)))
    assert "Бадмаев А." in page and "Фамилия и имя ребёнка" in page
    neither = client.post(join_url(token), {})
    assert neither.status_code == 400 and "Выберите ребёнка из списка или впишите его фамилию и имя." in text(neither)
    assert client.post(join_url(token), {"child_name": "Цыренов Тимур"}).status_code == 202
    assert JoinRequest.objects.get().child_name == "Цыренов Тимур"


def test_administrator_is_warned_about_a_parent_link_to_an_empty_class_and_the_kit_says_what_to_do(
    client, org, cls, admin
):
    client.force_login(admin)
    response = client.post(
        reverse("invites:create", args=[org.pk]),
        {"role": "parent", "target_group": cls.pk, "uses": "many", "max_uses": "30"},
    )
    invite = Invite.objects.get()
    warning = "В списке класса 5А на портале пока никого нет."
    assert any(warning in m for m in messages_of(response))
    assert warning in text(client.get(reverse("invites:detail", args=[org.pk, invite.pk])))
    kit = pdf_text(kit_pdf([invite], org, cls))
    assert "выберите или впишите ребёнка" in kit and "Ребёнка подтвердит классный руководитель." in kit
    # A class with pupils, or a link bound to a child, warns of nothing.
    kid = student_in(cls)
    assert warning not in text(client.get(reverse("invites:detail", args=[org.pk, invite.pk])))
    bound, _ = parent_link(org, admin, cls, bound_student=kid)
    assert "пока никого нет" not in text(client.get(reverse("invites:detail", args=[org.pk, bound.pk])))


def test_api_parent_names_the_child_and_the_approver_chooses_them(org, cls, admin):
    _, token = parent_link(org, admin, cls)
    parent = UserFactory()
    api = APIClient()
    api.force_authenticate(parent)
    preview = api.get(f"/api/v1/invites/{token}/").json()
    assert preview["child_required"] is True and preview["children"] == []
    missing = api.post(f"/api/v1/invites/{token}/redeem/", {}, format="json")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "child_required"
    response = api.post(f"/api/v1/invites/{token}/redeem/", {"child_name": "Очиров Баир"}, format="json")
    assert response.status_code == 201 and response.json()["outcome"] == "requested"
    request = JoinRequest.objects.get(user=parent)
    kid = student_in(cls)
    api.force_authenticate(admin)
    row = api.get(f"/api/v1/orgs/{org.pk}/join-requests/{request.pk}/").json()
    assert row["child"] is None and row["child_name"] == "Очиров Баир"
    refused = api.post(f"/api/v1/orgs/{org.pk}/join-requests/{request.pk}/approve/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "child_required"
    approved = api.post(f"/api/v1/orgs/{org.pk}/join-requests/{request.pk}/approve/", {"child": kid.pk}, format="json")
    assert approved.status_code == 200 and approved.json()["child"]["id"] == kid.pk
    assert ParentLink.objects.filter(parent=parent, child=kid).exists()


# --- 3. Pending requests on the sender's home page, and withdrawing them --------------------------


def test_pending_request_shows_on_the_senders_home_page_and_can_be_withdrawn(client, org, cls, admin):
    curator = curator_of(cls)
    invite, token = parent_link(org, admin, cls, max_uses=1)
    parent = UserFactory()
    client.force_login(parent)
    client.post(join_url(token), {"child_name": "Очиров Баир"})
    request = JoinRequest.objects.get(user=parent)
    assert Invite.objects.get(pk=invite.pk).status == "used_up"

    home = text(client.get(reverse("orgs:home")))
    assert "Попросите администратора пригласить вас" not in home
    assert "Ваши заявки на вступление" in home and "ваша заявка ждёт решения" in home
    assert "Школа № 7</strong>, класс 5А" in home
    assert "Ждёт решения с" in home and "(Иркутск)" in home
    assert f"Решает: классный руководитель {curator.short_name} или администратор организации" in home
    withdraw = reverse("invites:join_request_withdraw", args=[request.pk])
    assert withdraw in home

    confirm = client.get(withdraw)
    assert confirm.status_code == 200 and "Отозвать заявку?" in text(confirm)
    assert JoinRequest.objects.get(pk=request.pk).status == "pending"  # looking is not withdrawing
    response = client.post(withdraw)
    assert response["Location"] == reverse("orgs:home")
    assert "Заявка в «Школа № 7» отозвана." in messages_of(response)
    assert JoinRequest.objects.get(pk=request.pk).status == "withdrawn"
    assert "Ваши заявки на вступление" not in text(client.get(reverse("orgs:home")))
    # Nobody joined, so the personal link works again for its holder.
    invite.refresh_from_db()
    assert (invite.status, invite.use_count) == ("active", 0) and not Redemption.objects.filter(user=parent).exists()

    client.force_login(curator)
    queue = text(client.get(reverse("invites:join_requests", args=[org.pk])))
    assert "Новых заявок нет." in queue and "Очиров Баир" not in queue


def test_member_with_a_second_request_sees_it_on_the_organisation_page(client, org, cls, admin):
    first = student_in(cls)
    parent = UserFactory()
    _, token_first = parent_link(org, admin, cls, bound_student=first)
    invite_redeem(token=token_first, user=parent)
    other = ClassFactory(organisation=org, grade=2, letter="В", name="2В")
    _, token = parent_link(org, admin, other)
    invite_redeem(token=token, user=parent, child_name="Второй Ребёнок")
    client.force_login(parent)
    home = client.get(reverse("orgs:home"), follow=True)  # one organisation: straight to its page
    assert "Ваши заявки на вступление" in text(home) and "Второй Ребёнок" in text(home)


def test_nobody_withdraws_anothers_request_and_a_decided_one_stays(client, org, cls, admin):
    request = JoinRequest.objects.create(organisation=org, user=UserFactory(), role="student", group=cls)
    client.force_login(UserFactory())
    assert client.post(reverse("invites:join_request_withdraw", args=[request.pk])).status_code == 404
    client.force_login(admin)
    assert client.post(reverse("invites:join_request_withdraw", args=[request.pk])).status_code == 404
    assert JoinRequest.objects.get(pk=request.pk).status == "pending"
    JoinRequest.objects.filter(pk=request.pk).update(status="approved")
    client.force_login(request.user)
    assert client.get(reverse("invites:join_request_withdraw", args=[request.pk])).status_code == 404


def test_api_lists_and_withdraws_own_requests_only(org, cls, admin):
    mine = JoinRequest.objects.create(organisation=org, user=UserFactory(), role="student", group=cls)
    theirs = JoinRequest.objects.create(organisation=org, user=UserFactory(), role="teacher")
    api = APIClient()
    api.force_authenticate(mine.user)
    rows = api.get("/api/v1/join-requests/mine/").json()
    assert [r["id"] for r in rows] == [mine.pk]
    assert rows[0]["organisation_name"] == "Школа № 7" and rows[0]["group"]["name"] == "5А"
    assert "администратор организации" in rows[0]["deciders"]
    assert api.post(f"/api/v1/join-requests/mine/{theirs.pk}/withdraw/").status_code == 404
    response = api.post(f"/api/v1/join-requests/mine/{mine.pk}/withdraw/")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert JoinRequest.objects.get(pk=theirs.pk).status == "pending"
    assert api.get("/api/v1/join-requests/mine/").json() == []


# --- 4. The invite page says truthfully what happens ------------------------------------------------


def test_invite_page_says_a_parent_choosing_a_child_waits_for_the_curator(client, org, cls, admin):
    kid = student_in(cls)
    chooses, token = parent_link(org, admin, cls)
    bound, _ = parent_link(org, admin, cls, bound_student=kid)
    student, _ = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    asks, _ = links.invite_create(
        organisation=org, actor=admin, role="student", target_group=cls, requires_approval=True
    )
    client.force_login(admin)

    def terms(invite):
        page = text(client.get(reverse("invites:detail", args=[org.pk, invite.pk])))
        return re.search(r"<dt>Вступление</dt><dd>(.*?)</dd>", page).group(1)

    assert terms(chooses).startswith("после подтверждения: родитель выбирает ребёнка")
    assert "классный руководитель или администратор подтверждает" in terms(chooses)
    assert terms(bound) == "сразу" and terms(student) == "сразу"
    assert terms(asks) == "после одобрения: заявку рассматривает классный руководитель или администратор"
    client.force_login(UserFactory())
    join = text(client.get(join_url(token)))
    assert "Родитель вступает, когда классный руководитель или администратор подтвердит" in join


# --- 8. Kits: personal words only on personal links, N copies of a shared one ---------------------


def test_kit_calls_only_single_use_links_personal(org, cls, admin):
    shared, _ = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls, max_uses=30)
    shared_text = pdf_text(kit_pdf([shared], org, cls))
    assert "личн" not in shared_text.lower()
    assert "Общая ссылка: до 30 человек." in shared_text
    personal, _ = links.invite_create(
        organisation=org, actor=admin, role="student", target_group=cls, recipient_name="Бадмаев Алдар"
    )
    personal_text = pdf_text(kit_pdf([personal], org, cls))
    assert "Личная ссылка: только для того, кому выписана." in personal_text
    assert "Личные карточки отдайте только тем, кому они выписаны." in personal_text


def test_shared_links_kit_prints_as_many_cards_as_asked(client, org, cls, admin):
    shared, _ = links.invite_create(organisation=org, actor=admin, role="parent", target_group=cls, max_uses=None)
    client.force_login(admin)
    detail = text(client.get(reverse("invites:detail", args=[org.pk, shared.pk])))
    assert "Сколько карточек" in detail and 'max="40"' in detail
    kit = reverse("invites:kit", args=[org.pk, shared.pk])
    response = client.get(kit, {"copies": 7})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert qr_count(response.content) == 7
    too_many = client.get(kit, {"copies": 41}, follow=True)
    assert "Убедитесь, что это значение меньше либо равно 40." in text(too_many)
    personal, _ = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    one = client.get(reverse("invites:kit", args=[org.pk, personal.pk]), {"copies": 7})
    assert qr_count(one.content) == 1  # a personal link is one card, however many are asked


# --- 9. The create form fits the role; a teacher's sign-up is filled from «Кому» --------------------


def test_create_form_shows_only_the_fields_of_the_chosen_role(client, org, cls, admin):
    client.force_login(admin)
    url = reverse("invites:create", args=[org.pk])
    chooser = text(client.get(url))
    assert "Кого приглашаете" in chooser and "?role=teacher" in chooser and "Создать ссылку" not in chooser
    teacher = client.get(url, {"role": "teacher"}).context["form"]
    assert "target_group" not in teacher.fields and "bound_student" not in teacher.fields
    assert teacher["uses"].value() == "one"
    student = client.get(url, {"role": "student"}).context["form"]
    assert "target_group" in student.fields and "bound_student" not in student.fields
    assert student["uses"].value() == "many" and student["max_uses"].value() == 30
    parent = client.get(url, {"role": "parent"}).context["form"]
    assert "bound_student" in parent.fields and parent["uses"].value() == "many"
    client.post(url, {"role": "teacher", "uses": "one", "recipient_name": "Аюшеев Баир Цыренович"})
    invite = Invite.objects.get()
    assert invite.role == "teacher" and invite.max_uses == 1 and invite.target_group.kind == "staff"


def test_curator_is_offered_no_teacher_role(client, org, cls):
    client.force_login(curator_of(cls))
    page = text(client.get(reverse("invites:create", args=[org.pk])))
    assert "?role=student" in page and "?role=teacher" not in page
    assert client.post(reverse("invites:create", args=[org.pk]), {"role": "teacher"}).context["form"] is None


def test_teachers_sign_up_is_filled_from_the_invites_recipient(client, org, admin):
    _, token = links.invite_create(
        organisation=org, actor=admin, role="teacher", recipient_name="Аюшеев Баир Цыренович"
    )
    form = client.get(join_url(token)).context["form"]
    assert (form["last_name"].value(), form["first_name"].value(), form["patronymic"].value()) == (
        "Аюшеев",
        "Баир",
        "Цыренович",
    )
    shared, shared_token = links.invite_create(
        organisation=org, actor=admin, role="teacher", recipient_name="Методобъединение", max_uses=None
    )
    assert client.get(join_url(shared_token)).context["form"]["last_name"].value() is None


def test_unverified_teacher_is_not_offered_roles(client, org, cls):
    teacher = member(org, "teacher", verified=False).user
    curator_of(cls, teacher)
    client.force_login(teacher)
    assert client.get(reverse("invites:create", args=[org.pk]), {"role": "student"}).status_code == 403


# --- 13. Quotes never nest, and no «(а)» forms on the invite pages -----------------------------------


def test_invite_pages_put_an_organisations_own_quotes_inside_and_write_no_a_forms(client, admin, cls):
    org = cls.organisation
    org.short_name = "МБОУ «СОШ № 12»"
    org.save()
    invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    join = text(client.get(join_url(token)))
    assert "Приглашение в «МБОУ „СОШ № 12“»" in join and "«МБОУ «" not in join
    assert "Кто пригласил" in join and "(а)" not in join
    client.force_login(admin)
    for url in (reverse("invites:detail", args=[org.pk, invite.pk]), reverse("invites:list", args=[org.pk])):
        page = text(client.get(url))
        assert "Автор ссылки" in page and "(а)" not in page
    links.invite_revoke(invite=invite, actor=admin)
    client.logout()
    failed = text(client.get(join_url(token)))
    assert "Ссылку выдал этот человек:" in failed and "«МБОУ „СОШ № 12“»" in failed and "(а)" not in failed


def test_api_tells_the_terms_and_prints_a_shared_links_cards(org, cls, admin):
    chooses, _ = parent_link(org, admin, cls)
    personal, _ = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    api = APIClient()
    api.force_authenticate(admin)
    row = api.get(f"/api/v1/orgs/{org.pk}/invites/{chooses.pk}/").json()
    assert row["requires_approval"] is False and row["join_terms"].startswith("после подтверждения")
    cards = api.get(f"/api/v1/orgs/{org.pk}/invites/{chooses.pk}/cards/?copies=4", HTTP_ACCEPT="application/pdf")
    assert cards.status_code == 200 and qr_count(cards.content) == 4
    assert api.get(f"/api/v1/orgs/{org.pk}/invites/{chooses.pk}/cards/?copies=41").status_code == 400
    one = api.get(f"/api/v1/orgs/{org.pk}/invites/{personal.pk}/cards/?copies=4", HTTP_ACCEPT="application/pdf")
    assert qr_count(one.content) == 1
    links.invite_revoke(invite=personal, actor=admin)
    gone = api.get(f"/api/v1/orgs/{org.pk}/invites/{personal.pk}/cards/")
    assert gone.status_code == 400 and gone.json()["error"]["code"] == "invite_not_printable"
