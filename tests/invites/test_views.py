"""The invite pages as people meet them: the join page and its outcomes, managing links, join requests."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from invites import tokens
from invites.models import Invite, InvitePolicy, JoinRequest, Redemption
from invites.services import links, redeem
from orgs.models import Membership, ParentLink, Placement
from portal.accounts.models import User
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    UserFactory,
    admin_of,
    curator_of,
    student_in,
    teacher_of,
)

pytestmark = pytest.mark.django_db


def make(org, actor, **kw):
    kw.setdefault("role", "student")
    return links.invite_create(organisation=org, actor=actor, **kw)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def join_url(token):
    return reverse("invites:join", args=[token])


# --- The join page ---------------------------------------------------------------------------


def test_join_page_shows_org_target_role_inviter_and_expiry_in_org_time(client, org, cls, admin):
    expires = datetime(2026, 12, 5, 18, 0, tzinfo=ZoneInfo("Asia/Irkutsk"))
    InvitePolicy.objects.create(organisation=org, max_days=3650)
    _, token = make(org, admin, target_group=cls, expires_at=expires)
    response = client.get(join_url(token))
    assert response.status_code == 200
    page = text(response)
    assert "Приглашение в «Школа № 7»" in page
    assert "класс 5А" in page
    assert "ученик" in page
    assert admin.full_name in page
    assert "до 5 декабря 2026, 18:00 (Иркутск)" in page
    assert "Получить код" in page  # a visitor signs up right here


def test_college_link_speaks_the_colleges_words(client):
    college = OrganisationFactory(kind="college", short_name="Колледж связи")
    group = ClassFactory(organisation=college, grade=2, letter="ЭС-21", name="ЭС-21")
    _, token = make(college, admin_of(college), target_group=group)
    page = text(client.get(join_url(token)))
    assert "группа ЭС-21" in page and "обучающийся" in page


def test_visitor_signs_up_with_a_code_and_joins(
    client, org, cls, admin, sms_outbox, django_capture_on_commit_callbacks
):
    _, token = make(org, admin, target_group=cls)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            join_url(token),
            {
                "last_name": "Цыренова",
                "first_name": "Дарима",
                "patronymic": "Баировна",
                "identifier": "8 902 555-12-34",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("invites:join_code", args=[token])
    assert not User.objects.filter(phone="+79025551234").exists()  # nobody is created before the code
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["text"]).group(1)
    assert sms_outbox[-1]["phone"] == "+79025551234"

    wrong = client.post(
        reverse("invites:join_code", args=[token]), {"code": "000000" if code != "000000" else "111111"}
    )
    assert wrong.status_code == 400 and "Неверный код" in text(wrong)

    response = client.post(reverse("invites:join_code", args=[token]), {"code": code, "password": ""})
    assert response.status_code == 200
    assert "Вы присоединились" in text(response) and "5А" in text(response)
    user = User.objects.get(phone="+79025551234")
    assert (user.last_name, user.first_name, user.patronymic) == ("Цыренова", "Дарима", "Баировна")
    assert not user.has_usable_password()
    assert Placement.objects.filter(student=user, group=cls, valid_to__isnull=True).exists()
    assert response.wsgi_request.user == user  # signed in


def test_sign_up_with_an_existing_phone_signs_into_that_account(
    client, org, cls, admin, sms_outbox, django_capture_on_commit_callbacks
):
    existing = UserFactory(phone="+79025550000", last_name="Иванов")
    _, token = make(org, admin, target_group=cls)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(join_url(token), {"last_name": "Другой", "first_name": "Человек", "identifier": "+79025550000"})
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["text"]).group(1)
    response = client.post(reverse("invites:join_code", args=[token]), {"code": code})
    assert response.status_code == 200
    assert User.objects.filter(phone="+79025550000").count() == 1
    existing.refresh_from_db()
    assert existing.last_name == "Иванов"
    assert Placement.objects.filter(student=existing, group=cls).exists()


def test_signed_in_user_joins_in_one_click_and_again_is_harmless(client, org, cls, admin):
    _, token = make(org, admin, target_group=cls, max_uses=None)
    user = UserFactory()
    client.force_login(user)
    page = text(client.get(join_url(token)))
    assert "Присоединиться" in page and user.full_name in page
    response = client.post(join_url(token))
    assert response.status_code == 200
    assert "Вы присоединились" in text(response)
    assert reverse("orgs:org_home", args=[org.pk]) in text(response)
    again = client.post(join_url(token))
    assert again.status_code == 200
    assert "Вы уже участник" in text(again)
    assert Redemption.objects.filter(user=user).count() == 1


def test_teacher_link_joins_staff_unverified_and_says_what_next(client, org, admin):
    _, token = make(org, admin, role="teacher")
    teacher = UserFactory()
    client.force_login(teacher)
    page = text(client.get(join_url(token)))
    assert "«Учительская»" in page and "учитель" in page
    response = client.post(join_url(token))
    assert response.status_code == 200
    assert "проверит и подтвердит ваш статус" in text(response)
    assert Membership.objects.get(user=teacher, organisation=org).verification == "pending"


def test_link_needing_approval_sends_a_request(client, org, cls, admin):
    _, token = make(org, admin, target_group=cls, requires_approval=True)
    client.force_login(UserFactory())
    response = client.post(join_url(token))
    assert response.status_code == 202
    assert "Заявка отправлена" in text(response)
    assert JoinRequest.objects.filter(status="pending", group=cls).count() == 1


def test_parent_chooses_child_by_surname_and_initial(client, org, cls, admin):
    kid = student_in(cls, UserFactory(last_name="Бадмаев", first_name="Алдар", patronymic="Жаргалович"))
    _, token = make(org, admin, role="parent", target_group=cls, max_uses=None)
    parent = UserFactory()
    client.force_login(parent)
    page = text(client.get(join_url(token)))
    assert "Бадмаев А." in page
    assert "Алдар" not in page and "Жаргалович" not in page
    missing = client.post(join_url(token), {})
    assert missing.status_code == 400
    response = client.post(join_url(token), {"child": kid.pk})
    assert response.status_code == 202
    assert "Заявка отправлена" in text(response) and "Бадмаев А." in text(response)
    assert JoinRequest.objects.get(user=parent).child == kid


def test_parent_with_bound_child_joins_tied_to_that_child(client, org, cls, admin):
    kid = student_in(cls)
    _, token = make(org, admin, role="parent", target_group=cls, bound_student=kid)
    parent = UserFactory()
    client.force_login(parent)
    response = client.post(join_url(token))
    assert response.status_code == 200 and "Вы присоединились" in text(response)
    assert ParentLink.objects.filter(parent=parent, child=kid, valid_to__isnull=True).exists()


def test_student_in_another_class_is_told_to_ask_the_administrator(client, org, cls, admin):
    other = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    kid = student_in(other)
    _, token = make(org, admin, target_group=cls)
    client.force_login(kid)
    response = client.post(join_url(token))
    assert response.status_code == 400
    page = text(response)
    assert "Вы уже состоите в классе «5Б»" in page and "администратора" in page
    assert "Присоединиться" in page  # the page is still there, nothing lost
    assert not Placement.objects.filter(student=kid, group=cls).exists()


def test_childs_own_account_on_a_parent_link_gets_the_same_device_explanation(client, org, cls, admin):
    kid = student_in(cls)
    _, token = make(org, admin, role="parent", target_group=cls, bound_student=kid)
    client.force_login(kid)
    page = text(client.get(join_url(token)))
    assert "учётной записью обучающегося" in page  # warned before pressing anything
    response = client.post(join_url(token))
    assert response.status_code == 400
    page = text(response)
    assert "Вы вошли под учётной записью ребёнка" in page
    assert "ребёнок уже вошёл на портал" in page
    assert reverse("invites:join_switch", args=[token]) in page
    switched = client.post(reverse("invites:join_switch", args=[token]))
    assert switched["Location"] == join_url(token)
    assert not ParentLink.objects.filter(child=kid).exists()


# --- Outcome pages for links that do not work -------------------------------------------------


def test_unknown_link_is_404_and_counts_against_the_address(client, settings):
    settings.INVITE_LOOKUP_FAILURES_PER_HOUR = 3
    for _ in range(3):
        response = client.get(join_url(tokens.new_token()))
        assert response.status_code == 404
        assert "Ссылка не найдена" in text(response)
    limited = client.get(join_url(tokens.new_token()))
    assert limited.status_code == 429
    assert "Слишком много попыток" in text(limited)


def test_malformed_link_looks_like_an_unknown_one(client):
    response = client.get(join_url("short"))
    assert response.status_code == 404 and "Ссылка не найдена" in text(response)


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, 410, "Срок действия ссылки истёк"),
        ({"status": "used_up"}, 410, "Ссылка уже использована"),
        ({"status": "revoked"}, 410, "Ссылка отозвана"),
        ({"status": "paused"}, 409, "Ссылка приостановлена"),
    ],
)
def test_links_that_do_not_work_have_their_own_pages(client, org, cls, admin, change, status, words):
    invite, token = make(org, admin, target_group=cls)
    Invite.objects.filter(pk=invite.pk).update(**change)
    response = client.get(join_url(token))
    assert response.status_code == status
    assert words in text(response)
    assert admin.full_name in text(response)  # who to ask for a new one
    client.force_login(UserFactory())
    assert client.post(join_url(token)).status_code == status


# --- Managing links ----------------------------------------------------------------------------


def test_admin_creates_a_link_and_sees_it_with_expiry_in_org_time(client, org, cls, admin):
    client.force_login(admin)
    form = client.get(reverse("invites:create", args=[org.pk]) + "?role=student")
    assert form.status_code == 200 and "Если не указать — 14 дн." in text(form)  # the policy's default is shown
    response = client.post(
        reverse("invites:create", args=[org.pk]),
        {
            "role": "student",
            "target_group": cls.pk,
            "uses": "many",
            "max_uses": "30",
            "expires_at": "",
            "recipient_name": "5А целиком",
        },
    )
    invite = Invite.objects.get()
    assert response["Location"] == reverse("invites:detail", args=[org.pk, invite.pk])
    assert invite.max_uses == 30 and invite.target_group == cls
    detail = text(client.get(response["Location"]))
    assert links.invite_url(invite) in detail
    assert "Скопировать" in detail
    listing = text(client.get(reverse("invites:list", args=[org.pk])))
    local = timezone.localtime(invite.expires_at, ZoneInfo("Asia/Irkutsk"))
    assert f"{local:%H:%M} (Иркутск)" in listing and "5А целиком" in listing


def test_expiry_typed_in_the_form_means_the_organisations_clock(client, org, cls, admin):
    client.force_login(admin)
    when = timezone.localtime(timezone.now() + timedelta(days=2), ZoneInfo("Asia/Irkutsk")).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    client.post(
        reverse("invites:create", args=[org.pk]),
        {"role": "student", "target_group": cls.pk, "uses": "one", "expires_at": when.strftime("%Y-%m-%dT%H:%M")},
    )
    assert Invite.objects.get().expires_at == when


def test_create_form_shows_the_services_refusal(client, org, cls, admin):
    client.force_login(admin)
    too_late = timezone.localtime(timezone.now() + timedelta(days=120), ZoneInfo("Asia/Irkutsk"))
    response = client.post(
        reverse("invites:create", args=[org.pk]),
        {"role": "student", "target_group": cls.pk, "uses": "one", "expires_at": too_late.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 400
    assert "Ссылка не может действовать дольше 90 дн. (правило организации)." in text(response)
    assert not Invite.objects.exists()


def test_unverified_teacher_is_told_why_they_cannot_invite(client, org, cls):
    teacher = teacher_of(org, verified=False)
    curator_of(cls, teacher)
    client.force_login(teacher)
    response = client.get(reverse("invites:create", args=[org.pk]))
    assert response.status_code == 403
    assert "Приглашать смогут только подтверждённые педагоги" in text(response)
    assert (
        client.post(
            reverse("invites:create", args=[org.pk]), {"role": "student", "target_group": cls.pk, "uses": "one"}
        ).status_code
        == 403
    )
    assert not Invite.objects.exists()


def test_list_filters_by_status_role_and_class(client, org, cls, admin):
    other = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    make(org, admin, target_group=cls, recipient_name="Первый")
    expired, _ = make(org, admin, target_group=other, recipient_name="Второй")
    Invite.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    make(org, admin, role="teacher", recipient_name="Третий")
    client.force_login(admin)
    url = reverse("invites:list", args=[org.pk])
    assert [n for n in ("Первый", "Второй", "Третий") if n in text(client.get(url, {"status": "expired"}))] == [
        "Второй"
    ]
    assert [n for n in ("Первый", "Второй", "Третий") if n in text(client.get(url, {"role": "teacher"}))] == ["Третий"]
    assert [n for n in ("Первый", "Второй", "Третий") if n in text(client.get(url, {"group": cls.pk}))] == ["Первый"]


def _list_queries(client, django_assert_max_num_queries, count):
    org = OrganisationFactory()
    group = ClassFactory(organisation=org)
    admin = admin_of(org)
    kid = student_in(group)
    for n in range(count):
        _, token = make(org, admin, role="parent", target_group=group, bound_student=kid, recipient_name=f"R{n}")
        if n % 3 == 0:  # some rows with redemptions, counted in the same query
            redeem.invite_redeem(token=token, user=UserFactory())
    client.force_login(admin)
    url = reverse("invites:list", args=[org.pk])
    client.get(url)  # warm the content-type cache
    # 42: the navigation also counts the teachers awaiting verification, for an administrator, and every page asks
    # once whether the person has a user agreement to accept or documents to acknowledge (policies' gate).
    with django_assert_max_num_queries(42) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(re.findall(rf'href="/orgs/{org.pk}/invites/\d+/"', text(response))) == min(count, 25)
    return len(captured.captured_queries)


def test_invite_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    assert _list_queries(client, django_assert_max_num_queries, 3) == _list_queries(
        client, django_assert_max_num_queries, 30
    )


def test_actions_revoke_regenerate_pause_resume(client, org, cls, admin):
    invite, token = make(org, admin, target_group=cls)
    client.force_login(admin)
    action = lambda name: client.post(reverse("invites:action", args=[org.pk, invite.pk, name]))  # noqa: E731
    response = action("pause")
    assert "Ссылка приостановлена." in _messages(response)
    assert client.get(join_url(token)).status_code == 409
    action("resume")
    assert client.get(join_url(token)).status_code == 200
    action("regenerate")
    assert client.get(join_url(token)).status_code == 404  # the old link is dead
    invite.refresh_from_db()
    new_token = links.invite_url(invite).rstrip("/").rsplit("/", 1)[1]
    assert client.get(join_url(new_token)).status_code == 200
    # Revoking asks first, without any script: the button leads to a page that names the link.
    detail = text(client.get(reverse("invites:detail", args=[org.pk, invite.pk])))
    revoke_url = reverse("invites:action", args=[org.pk, invite.pk, "revoke"])
    assert f'href="{revoke_url}"' in detail
    confirm = client.get(revoke_url)
    assert confirm.status_code == 200
    assert f"Отозвать ссылку № {invite.pk}?" in text(confirm) and "Отменить это нельзя" in text(confirm)
    action("revoke")  # a bare press is not a confirmation
    assert client.get(join_url(new_token)).status_code == 200
    client.post(revoke_url, {"confirm": "yes"})
    assert client.get(join_url(new_token)).status_code == 410
    assert "Ссылка отозвана" in text(client.get(join_url(new_token)))
    # A revoked link's page has no actions left, and no hint about a button that is gone.
    detail = text(client.get(reverse("invites:detail", args=[org.pk, invite.pk])))
    assert "Действия" not in detail and "Выпустить новую ссылку" not in detail


def test_curator_relays_admins_link_and_redemptions_show_the_path(client, org, cls, admin):
    curator = curator_of(cls)
    parent_invite, _ = make(org, admin, target_group=cls, max_uses=None)
    client.force_login(curator)
    listing = text(client.get(reverse("invites:list", args=[org.pk])))
    assert "Передать от своего имени" in listing
    response = client.post(reverse("invites:relay", args=[org.pk, parent_invite.pk]), {"max_uses": "10"})
    child = Invite.objects.get(relayed_from=parent_invite)
    assert response["Location"] == reverse("invites:detail", args=[org.pk, child.pk])
    assert child.created_by == curator and child.max_uses == 10
    student = UserFactory(last_name="Перешедший")
    redeem.invite_redeem(token=links.invite_url(child).rstrip("/").rsplit("/", 1)[1], user=student)
    client.force_login(admin)
    detail = text(client.get(reverse("invites:detail", args=[org.pk, parent_invite.pk])))
    assert "Перешедший" in detail and f"№ {child.pk}" in detail and curator.short_name in detail


def test_curator_cannot_relay_into_another_class(client, org, cls, admin):
    other = ClassFactory(organisation=org, grade=6, letter="В", name="6В")
    invite, _ = make(org, admin, target_group=other)
    client.force_login(curator_of(cls))
    assert client.get(reverse("invites:relay", args=[org.pk, invite.pk])).status_code == 404


def test_revoke_all_for_a_class_and_own(client, org, cls, admin):
    other = ClassFactory(organisation=org, grade=6, letter="Г", name="6Г")
    a, _ = make(org, admin, target_group=cls)
    b, _ = make(org, admin, target_group=other)
    client.force_login(admin)
    asked = client.post(reverse("invites:revoke_all", args=[org.pk]), {"scope": "group", "group": cls.pk})
    assert "Отозвать все действующие ссылки?" in text(asked) and "Все ссылки в класс</strong>: 5А" in text(asked)
    assert Invite.objects.get(pk=a.pk).status == "active"  # asked, not yet revoked
    response = client.post(
        reverse("invites:revoke_all", args=[org.pk]), {"scope": "group", "group": cls.pk, "confirm": "yes"}
    )
    assert "Отозвано ссылок: 1." in _messages(response)
    assert Invite.objects.get(pk=a.pk).status == "revoked" and Invite.objects.get(pk=b.pk).status == "active"
    curator = curator_of(cls)
    mine, _ = make(org, curator, target_group=cls)
    client.force_login(curator)
    response = client.post(reverse("invites:revoke_all", args=[org.pk]), {"scope": "organisation", "confirm": "yes"})
    assert Invite.objects.get(pk=b.pk).status == "active"  # a curator cannot revoke the organisation's links
    client.post(reverse("invites:revoke_all", args=[org.pk]), {"scope": "own", "confirm": "yes"})
    assert Invite.objects.get(pk=mine.pk).status == "revoked" and Invite.objects.get(pk=b.pk).status == "active"


def test_teacher_sees_only_own_links_and_students_see_no_invite_pages(client, org, cls, admin):
    make(org, admin, target_group=cls, recipient_name="Админская")
    teacher = curator_of(cls)
    make(org, teacher, target_group=cls, recipient_name="Моя")
    client.force_login(teacher)
    page = text(client.get(reverse("invites:list", args=[org.pk])))
    assert "Моя" in page and "Админская" not in page
    client.force_login(student_in(cls))
    assert client.get(reverse("invites:list", args=[org.pk])).status_code == 403


def test_other_organisations_user_gets_404_on_invite_pages(client, org, cls, admin):
    invite, _ = make(org, admin, target_group=cls)
    request = JoinRequest.objects.create(organisation=org, user=UserFactory(), role="student", group=cls)
    other = OrganisationFactory()
    client.force_login(admin_of(other))
    for url in [
        reverse("invites:list", args=[org.pk]),
        reverse("invites:create", args=[org.pk]),
        reverse("invites:detail", args=[org.pk, invite.pk]),
        reverse("invites:join_requests", args=[org.pk]),
        reverse("invites:detail", args=[other.pk, invite.pk]),  # A's invite under B's address
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("invites:action", args=[org.pk, invite.pk, "revoke"]), {"confirm": "yes"}).status_code
        == 404
    )
    assert client.get(reverse("invites:action", args=[org.pk, invite.pk, "revoke"])).status_code == 404
    assert (
        client.post(reverse("invites:join_request_decide", args=[other.pk, request.pk, "approve"])).status_code == 404
    )
    invite.refresh_from_db()
    request.refresh_from_db()
    assert invite.status == "active" and request.status == "pending"


# --- Join requests ---------------------------------------------------------------------------------


def test_queue_count_in_the_navigation_and_stale_flag(client, org, cls, admin):
    old = JoinRequest.objects.create(organisation=org, user=UserFactory(last_name="Давний"), role="student", group=cls)
    JoinRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=4))
    JoinRequest.objects.create(organisation=org, user=UserFactory(last_name="Свежий"), role="teacher")
    client.force_login(admin)
    home = text(client.get(reverse("orgs:org_home", args=[org.pk])))
    assert "2 заявки" in home
    queue = text(client.get(reverse("invites:join_requests", args=[org.pk])))
    assert "Давний" in queue and "Свежий" in queue
    assert queue.count("ждёт решения дольше 3 дн.") == 1
    assert re.search(r"Давний.{0,200}ждёт решения дольше 3 дн.", queue)


def _queue_queries(client, django_assert_max_num_queries, count):
    org = OrganisationFactory()
    group = ClassFactory(organisation=org)
    admin = admin_of(org)
    for n in range(count):
        JoinRequest.objects.create(
            organisation=org, user=UserFactory(), role="student", group=group, message=f"Сообщение {n}"
        )
    client.force_login(admin)
    url = reverse("invites:join_requests", args=[org.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as captured:
        response = client.get(url)
    assert text(response).count("Сообщение ") == min(count, 25)
    return len(captured.captured_queries)


def test_join_request_queue_query_count_does_not_grow(client, django_assert_max_num_queries):
    assert _queue_queries(client, django_assert_max_num_queries, 3) == _queue_queries(
        client, django_assert_max_num_queries, 30
    )


def test_curator_sees_only_own_class_requests(client, org, cls, admin):
    other = ClassFactory(organisation=org, grade=7, letter="Б", name="7Б")
    JoinRequest.objects.create(organisation=org, user=UserFactory(last_name="Своя"), role="student", group=cls)
    theirs = JoinRequest.objects.create(
        organisation=org, user=UserFactory(last_name="Чужая"), role="student", group=other
    )
    JoinRequest.objects.create(organisation=org, user=UserFactory(last_name="Учитель"), role="teacher")
    curator = curator_of(cls)
    client.force_login(curator)
    assert "1 заявка" in text(client.get(reverse("orgs:org_home", args=[org.pk])))
    queue = text(client.get(reverse("invites:join_requests", args=[org.pk])))
    assert "Своя" in queue and "Чужая" not in queue and "Учитель" not in queue
    response = client.post(reverse("invites:join_request_decide", args=[org.pk, theirs.pk, "approve"]))
    assert response.status_code == 404
    assert JoinRequest.objects.get(pk=theirs.pk).status == "pending"


def test_students_have_no_queue(client, org, cls):
    client.force_login(student_in(cls))
    assert client.get(reverse("invites:join_requests", args=[org.pk])).status_code == 403
    assert "заявк" not in text(client.get(reverse("orgs:org_home", args=[org.pk]))).lower()


def test_approve_and_reject_with_a_reason(client, org, cls, admin, django_capture_on_commit_callbacks):
    applicant = UserFactory(email="applicant@example.org")
    approve_me = JoinRequest.objects.create(organisation=org, user=applicant, role="student", group=cls)
    reject_me = JoinRequest.objects.create(organisation=org, user=UserFactory(email="no@example.org"), role="teacher")
    client.force_login(admin)
    decide = lambda r, a, **d: client.post(  # noqa: E731
        reverse("invites:join_request_decide", args=[org.pk, r.pk, a]), d
    )
    with django_capture_on_commit_callbacks(execute=True):
        decide(approve_me, "approve")
    assert Placement.objects.filter(student=applicant, group=cls).exists()
    assert any("одобрена" in m.subject for m in mail.outbox if "applicant@example.org" in m.to)
    response = decide(reject_me, "reject", reason="")
    assert "Укажите причину отказа." in _messages(response)
    with django_capture_on_commit_callbacks(execute=True):
        decide(reject_me, "reject", reason="Не работает у нас")
    reject_me.refresh_from_db()
    assert reject_me.status == "rejected" and reject_me.reason == "Не работает у нас"
    decided = text(client.get(reverse("invites:join_requests", args=[org.pk]), {"status": "rejected"}))
    assert "Не работает у нас" in decided


def test_public_search_and_request_needs_sign_in(client, org, cls):
    OrganisationFactory(short_name="Гимназия № 1", municipality="г. Улан-Удэ")
    found = text(client.get(reverse("invites:search"), {"q": "Школа № 7"}))
    assert "Школа № 7" in found and "Гимназия № 1" not in found
    by_place = text(client.get(reverse("invites:search"), {"municipality": "Улан-Удэ"}))
    assert "Гимназия № 1" in by_place and "Школа № 7" not in by_place
    url = reverse("invites:join_request_new", args=[org.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login")) and "next=" in response["Location"]
    user = UserFactory(last_name="Просящий")
    client.force_login(user)
    missing_class = client.post(url, {"role": "student", "message": "Хочу учиться"})
    assert missing_class.status_code == 400 and "Выберите класс." in text(missing_class)
    response = client.post(url, {"role": "student", "group": cls.pk, "message": "Хочу учиться"})
    assert response["Location"] == reverse("invites:join_request_sent", args=[org.pk])
    assert JoinRequest.objects.get(user=user).message == "Хочу учиться"
    twice = client.post(url, {"role": "student", "group": cls.pk})
    assert "Ваша заявка уже на рассмотрении." in text(twice)
