"""The demo school in the browser: the administrator moves the demo student from 5А to 5Б on the person page, and
the student and the parent change chats exactly as the structure says."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from chats.models import Chat, ChatMember
from orgs.demo_data import DEMO_PASSWORD, SCHOOL_ADMIN, SCHOOL_PARENT, SCHOOL_STUDENT
from orgs.models import Group, Organisation, TeachingAssignment
from portal.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, base, phone):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(phone)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("button", name="Выйти").first).to_be_visible()


def active_chats(user, organisation) -> set[int]:
    return set(
        ChatMember.objects.filter(user=user, chat__organisation=organisation, left_at__isnull=True).values_list(
            "chat_id", flat=True
        )
    )


def structure_chats_of_class(group, kinds) -> set[int]:
    return set(Chat.objects.filter(group=group, kind__in=kinds, is_archived=False).values_list("pk", flat=True))


def subject_chats(group) -> set[int]:
    assert TeachingAssignment.objects.filter(group=group, valid_to__isnull=True).exists()
    return structure_chats_of_class(group, [Chat.Kind.SUBJECT])


def test_moving_the_demo_student_between_classes_moves_their_chats(browser, live_server, axe_check):
    call_command("load_demo", stdout=StringIO())
    school = Organisation.objects.get(kind="school")
    a, b = (Group.objects.get(organisation=school, kind=Group.Kind.CLASS, name=name) for name in ("5А", "5Б"))
    seventh = Group.objects.get(organisation=school, kind=Group.Kind.CLASS, name="7Б")
    student = User.objects.get(phone=SCHOOL_STUDENT.phone)
    parent = User.objects.get(phone=SCHOOL_PARENT.phone)
    general = Chat.objects.filter(organisation=school, kind=Chat.Kind.GENERAL_CHANNEL)
    channels = set(general.values_list("pk", flat=True))
    student_chats_before = active_chats(student, school)
    of_a = set(Chat.objects.filter(group=a).values_list("pk", flat=True))  # the structure's and the curator's own
    own_chat_a = Chat.objects.get(group=a, kind=Chat.Kind.OTHER)
    assert channels | structure_chats_of_class(a, [Chat.Kind.CLASS]) | subject_chats(a) <= student_chats_before
    assert own_chat_a.pk in student_chats_before
    parents_chats = {g: structure_chats_of_class(g, [Chat.Kind.CLASS_PARENTS]) for g in (a, b, seventh)}
    assert parents_chats[a] | parents_chats[seventh] <= active_chats(parent, school)

    base = live_server.url
    admin_context = browser.new_context(locale="ru-RU")
    page = admin_context.new_page()
    sign_in(page, base, SCHOOL_ADMIN.phone)
    page.goto(f"{base}/orgs/{school.pk}/people/{student.pk}/")
    transfer = page.locator(".card", has=page.get_by_role("heading", name="Перевести"))
    transfer.get_by_label("Класс").select_option(label=str(b))
    transfer.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Обучающийся зачислен.")).to_be_visible()
    admin_context.close()

    # The student is in 5Б's class and subject chats and in none of 5А's, the curator's own 5А chat included;
    # the general channel and the student council stay.
    class_b = structure_chats_of_class(b, [Chat.Kind.CLASS]) | subject_chats(b)
    assert active_chats(student, school) == (student_chats_before - of_a) | class_b
    assert channels <= active_chats(student, school)
    # The parent follows the child into 5Б's parents' chat, leaves 5А's, and keeps 7Б's for the other child.
    parent_now = active_chats(parent, school)
    assert parents_chats[b] <= parent_now and parents_chats[seventh] <= parent_now
    assert not parents_chats[a] & parent_now
    # The history stays: the student's rows in 5А's chats are closed, not deleted.
    assert ChatMember.objects.filter(user=student, chat__group=a, left_at__isnull=False).exists()

    student_context = browser.new_context(locale="ru-RU")
    page = student_context.new_page()
    sign_in(page, base, SCHOOL_STUDENT.phone)
    page.goto(f"{base}/orgs/{school.pk}/chats/")
    class_b = Chat.objects.get(group=b, kind=Chat.Kind.CLASS)
    class_a = Chat.objects.get(group=a, kind=Chat.Kind.CLASS)
    expect(page.get_by_role("link", name=class_b.title, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=class_a.title, exact=True)).to_have_count(0)
    # 5А's chat is now closed to the student, by id too.
    response = page.goto(f"{base}/chats/{class_a.pk}/")
    assert response.status == 404
    student_context.close()
