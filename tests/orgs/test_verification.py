"""«Подтверждение статуса учитель» as the people involved see it: the administrator decides with the contact, the
invite and its creator and the classes taught in front of them, sees how many wait (navigation, home page); the
teacher is told what happens next while waiting, and learns of the decision by e-mail and on the home page."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from invites.services.links import invite_create
from invites.services.redeem import invite_redeem
from orgs.models import Membership
from orgs.services.membership import teacher_verify
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, admin_of, curator_of, teacher_of, teaches

pytestmark = pytest.mark.django_db


def text(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.split())


@pytest.fixture
def college():
    org = OrganisationFactory(kind="college", short_name="Колледж связи")
    group = ClassFactory(organisation=org, grade=2, letter="ЭС-21", name="ЭС-21")
    admin = admin_of(org)
    admin.last_name, admin.first_name, admin.patronymic = "Романова", "Ирина", "Петровна"
    admin.save()
    return org, group, admin


def joined_by_link(org, admin, n: int = 0) -> Membership:
    """A lecturer who signed up by the administrator's staff link, as the join page leaves them: pending."""
    _invite, token = invite_create(organisation=org, actor=admin, role="teacher", max_uses=5)
    teacher = UserFactory(
        last_name="Орлов", first_name="Пётр", phone=f"+791400011{22 + n}", email=f"orlov{n or ''}@example.org"
    )
    invite_redeem(token=token, user=teacher)
    return Membership.objects.get(organisation=org, user=teacher, role="teacher")


def test_the_queue_shows_contact_invite_its_creator_and_classes_taught(client, college):
    org, group, admin = college
    membership = joined_by_link(org, admin)
    teaches(group, membership.user, subject="Электротехника")
    curator_of(group, membership.user)
    client.force_login(admin)
    page = text(client.get(reverse("orgs:verification", args=[org.pk])))
    assert "Орлов Пётр" in page
    assert "+79140001122" in page and "orlov@example.org" in page
    invite = membership.user.redemptions.get().invite
    assert f"по ссылке № {invite.pk}; автор ссылки — Романова Ирина Петровна" in page
    assert "Группы и предметы ЭС-21 — куратор; ЭС-21 — Электротехника" in page


def test_a_teacher_added_without_a_link_and_teaching_nothing_yet_is_shown_as_such(client, college):
    org, _group, admin = college
    teacher_of(org, verified=False)
    client.force_login(admin)
    page = text(client.get(reverse("orgs:verification", args=[org.pk])))
    assert "Вступление не по ссылке-приглашению" in page
    assert "Группы и предметы пока не назначены" in page


def test_the_queue_reads_the_same_number_of_rows_for_one_teacher_or_ten(client, college, django_assert_max_num_queries):
    org, group, admin = college
    client.force_login(admin)
    joined_by_link(org, admin)
    url = reverse("orgs:verification", args=[org.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as one:
        client.get(url)
    for n in range(1, 10):
        teaches(group, joined_by_link(org, admin, n).user, subject="Физика")
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


def test_the_administrator_sees_how_many_wait_in_the_navigation_and_on_the_home_page(client, college):
    org, _group, admin = college
    joined_by_link(org, admin)
    joined_by_link(org, admin, 1)
    client.force_login(admin)
    home = client.get(reverse("orgs:org_home", args=[org.pk])).content.decode()
    nav = re.search(r'<nav class="org-nav".*?</nav>', home, re.S).group(0)
    assert re.search(r"Подтверждение <span class=\"nav-count\">2 ждут</span>", nav)
    assert 'Подтверждение педагогов</a> — <strong class="badge badge-pending">2 ждут решения</strong>' in home


def test_nobody_waiting_shows_no_count(client, college):
    org, _group, admin = college
    client.force_login(admin)
    home = client.get(reverse("orgs:org_home", args=[org.pk])).content.decode()
    assert "nav-count" not in re.search(r'<nav class="org-nav".*?</nav>', home, re.S).group(0)
    assert "ждут решения" not in home and "ждёт решения" not in home


def test_a_waiting_teacher_is_told_what_happens_next_and_gets_no_create_button(client, college):
    org, _group, admin = college
    membership = joined_by_link(org, admin)
    client.force_login(membership.user)
    home = text(client.get(reverse("orgs:org_home", args=[org.pk])))
    assert "Ваш статус ждёт подтверждения" in home
    assert "подтвердит статус «преподаватель»" in home
    assert "Когда статус подтвердят, на orlov@example.org придёт письмо" in home
    invites = client.get(reverse("invites:list", args=[org.pk]))
    assert invites.status_code == 200
    assert "Создать ссылку" not in invites.content.decode()
    assert "Создавать ссылки-приглашения вы сможете, когда администратор подтвердит ваш статус «преподаватель»" in (
        text(invites)
    )


def test_the_verified_teacher_gets_a_letter_and_the_news_on_the_home_page(
    client, college, django_capture_on_commit_callbacks
):
    org, group, admin = college
    membership = joined_by_link(org, admin)
    teaches(group, membership.user, subject="Электротехника")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        teacher_verify(membership=membership, actor=admin)
    [letter] = mail.outbox
    assert letter.to == ["orlov@example.org"]
    assert letter.subject == "Статус подтверждён: Колледж связи"
    assert "Ваш статус подтверждён администратором: вы — преподаватель в «Колледж связи»." in letter.body
    assert "создавать чаты групп, где ведёте занятия" in letter.body
    assert f"/orgs/{org.pk}/" in letter.body

    client.force_login(membership.user)
    home = text(client.get(reverse("orgs:org_home", args=[org.pk])))
    assert "Ваш статус ждёт подтверждения" not in home
    # The day of the verification in the organisation's time zone (Irkutsk, UTC+8): from 16:00 to 24:00 UTC it is
    # already the next day there, while the server's default zone (Moscow) still has the day before.
    membership.refresh_from_db()
    day = timezone.localtime(membership.verified_at, ZoneInfo(org.time_zone))
    assert f"Ваш статус подтверждён {day:%d.%m.%Y}. Теперь вы можете создавать чаты групп" in home
    page = client.get(reverse("invites:list", args=[org.pk])).content.decode()
    assert "Создать ссылку" in page


def test_the_news_leaves_the_home_page_after_a_fortnight(client, college):
    org, _group, admin = college
    membership = joined_by_link(org, admin)
    teacher_verify(membership=membership, actor=admin)
    Membership.objects.filter(pk=membership.pk).update(verified_at=timezone.now() - timedelta(days=15))
    client.force_login(membership.user)
    home = text(client.get(reverse("orgs:org_home", args=[org.pk])))
    assert "Ваш статус подтверждён" not in home and "подтверждён" in home  # the badge stays
