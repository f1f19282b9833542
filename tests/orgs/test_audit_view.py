"""«Журнал действий» as administrators and leaders meet it: their organisation's entries only, filters, CSV."""

import csv
import io
import pathlib
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orgs.audit_labels import ACTION_LABELS, action_label
from orgs.models import AuditEntry, Membership
from orgs.services.membership import teacher_reject
from tests.factories import OrganisationFactory, UserFactory, admin_of, member, teacher_of

pytestmark = pytest.mark.django_db
IRKUTSK = ZoneInfo("Asia/Irkutsk")


@pytest.fixture
def org():
    return OrganisationFactory(short_name="Школа № 7", time_zone="Asia/Irkutsk")


@pytest.fixture
def admin(org):
    return admin_of(org)


def entry(org, action="invite.created", actor=None, when=None, **fields):
    return AuditEntry.objects.create(
        organisation=org,
        actor=actor,
        action=action,
        object_type=fields.pop("object_type", "invite"),
        object_id=fields.pop("object_id", "1"),
        object_repr=fields.pop("object_repr", "5А — обучающийся"),
        created_at=when or timezone.now(),
        **fields,
    )


def page(client, user, org, **params):
    client.force_login(user)
    return client.get(reverse("orgs:audit", args=[org.pk]), params)


def test_admin_sees_own_org_entries_in_russian_with_local_time_and_address(client, org, admin):
    other = OrganisationFactory(short_name="Школа № 9")
    when = datetime(2026, 3, 2, 6, 5, tzinfo=ZoneInfo("UTC"))  # 14:05 in Irkutsk
    entry(
        org,
        "join_request.rejected",
        actor=admin,
        when=when,
        object_repr="Заявка Петрова",
        details={"reason": "Нет такого ученика"},
        ip_address="192.0.2.7",
    )
    entry(other, "invite.created", object_repr="Чужая ссылка 9Б")

    response = page(client, admin, org)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Заявка на вступление отклонена" in html
    assert "Заявка Петрова" in html
    assert "Причина: Нет такого ученика" in html
    assert "02.03.2026 14:05" in html
    assert "192.0.2.7" in html
    assert admin.full_name in html
    assert "Чужая ссылка 9Б" not in html


def test_entry_written_by_a_service_appears_with_its_details(client, org, admin):
    teacher = member(org, Membership.Role.TEACHER, verified=False)
    teacher_reject(membership=teacher, actor=admin, reason="Не работает в школе")

    html = page(client, admin, org).content.decode()

    assert "Педагогу отказано в подтверждении" in html
    assert "Причина: Не работает в школе" in html


def test_director_sees_the_log_and_the_nav_entry(client, org, admin):
    director = teacher_of(org, position=Membership.Position.DIRECTOR)
    entry(org, actor=admin)

    response = page(client, director, org)

    assert response.status_code == 200
    assert "Создана ссылка-приглашение" in response.content.decode()
    assert reverse("orgs:audit", args=[org.pk]) in response.content.decode()


def test_teacher_is_refused_and_has_no_nav_entry(client, org):
    teacher = teacher_of(org)
    assert page(client, teacher, org).status_code == 403
    home = client.get(reverse("orgs:org_home", args=[org.pk])).content.decode()
    assert reverse("orgs:audit", args=[org.pk]) not in home


def test_admin_of_another_org_gets_404(client, org):
    outsider = admin_of(OrganisationFactory())
    entry(org)
    assert page(client, outsider, org).status_code == 404


def test_anonymous_is_sent_to_login(client, org):
    response = client.get(reverse("orgs:audit", args=[org.pk]))
    assert response.status_code == 302


def test_newest_first_and_paginated_by_50(client, org, admin):
    start = timezone.now() - timedelta(days=1)
    for i in range(55):
        entry(org, object_repr=f"Запись {i:02d}", when=start + timedelta(minutes=i))

    first = page(client, admin, org).content.decode()
    second = page(client, admin, org, page=2).content.decode()

    assert first.index("Запись 54") < first.index("Запись 53")
    assert "Запись 05" in first and "Запись 04" not in first
    assert "Запись 04" in second and "Запись 00" in second and "Запись 05" not in second


def test_filter_by_action_group(client, org, admin):
    entry(org, "invite.revoked", object_repr="Отозванная ссылка")
    entry(org, "join_request.approved", object_repr="Одобренная заявка")
    entry(org, "group.created", object_repr="Новый класс 6В")
    entry(org, "teacher.verified", object_repr="Подтверждённый педагог")

    html = page(client, admin, org, group="join_requests").content.decode()
    assert "Одобренная заявка" in html
    assert "Отозванная ссылка" not in html and "Новый класс 6В" not in html

    html = page(client, admin, org, group="structure").content.decode()
    assert "Новый класс 6В" in html and "Одобренная заявка" not in html

    html = page(client, admin, org, group="people").content.decode()
    assert "Подтверждённый педагог" in html and "Отозванная ссылка" not in html


def test_filter_by_actor_select_and_by_name(client, org, admin):
    colleague = admin_of(org)
    colleague.last_name = "Жукова"
    colleague.save()
    entry(org, actor=admin, object_repr="Сделал первый")
    entry(org, actor=colleague, object_repr="Сделала вторая")
    entry(org, "invite.annulled", actor=None, object_repr="Сделала система")

    response = page(client, admin, org, actor=colleague.pk)
    html = response.content.decode()
    assert "Сделала вторая" in html and "Сделал первый" not in html and "Сделала система" not in html
    # The «Кто» list offers the people in the log, and nobody else.
    choices = dict(response.context["form"].fields["actor"].choices)
    assert str(admin.pk) in choices and str(colleague.pk) in choices
    assert str(UserFactory().pk) not in choices

    html = page(client, admin, org, q="жуков").content.decode()
    assert "Сделала вторая" in html and "Сделал первый" not in html

    html = page(client, admin, org, actor="system").content.decode()
    assert "Сделала система" in html and "Сделала вторая" not in html


def test_filter_by_date_range_in_the_organisation_time_zone(client, org, admin):
    # 23:30 on 1 March in Irkutsk is still 1 March there, though 15:30 UTC.
    entry(org, object_repr="Первое марта", when=datetime(2026, 3, 1, 23, 30, tzinfo=IRKUTSK))
    entry(org, object_repr="Второе марта", when=datetime(2026, 3, 2, 0, 30, tzinfo=IRKUTSK))
    entry(org, object_repr="Пятое марта", when=datetime(2026, 3, 5, 12, 0, tzinfo=IRKUTSK))

    html = page(client, admin, org, date_from="2026-03-02", date_to="2026-03-04").content.decode()
    assert "Второе марта" in html
    assert "Первое марта" not in html and "Пятое марта" not in html

    html = page(client, admin, org, date_to="2026-03-01").content.decode()
    assert "Первое марта" in html and "Второе марта" not in html


def test_reversed_date_range_is_explained(client, org, admin):
    response = page(client, admin, org, date_from="2026-03-05", date_to="2026-03-01")
    assert "Дата окончания раньше даты начала." in response.content.decode()


def test_query_count_does_not_grow_with_entries(client, org, admin):
    actors = [admin_of(org) for _ in range(3)]
    client.force_login(admin)
    url = reverse("orgs:audit", args=[org.pk])

    def queries_with(total):
        for i in range(AuditEntry.objects.filter(organisation=org).count(), total):
            entry(org, actor=actors[i % 3], details={"role": "student", "group": "5А", "count": i})
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert len(response.context["rows"]) == min(total, 50)
        return len(captured)

    ten, hundred = queries_with(10), queries_with(100)
    assert ten == hundred
    # Session, user, the documents gate, rights, the page's two queries, the navigation's counts (join requests,
    # teachers waiting).
    assert hundred <= 24


def test_csv_export_of_the_filtered_log(client, org, admin):
    when = datetime(2026, 3, 2, 9, 15, tzinfo=IRKUTSK)
    entry(
        org,
        "invite.created",
        actor=admin,
        when=when,
        object_repr='=HYPERLINK("http://evil")',
        details={"role": "student", "group": "5А", "max_uses": None},
        ip_address="198.51.100.4",
    )
    entry(org, "group.created", actor=admin, when=when, object_repr="Класс 6В")
    entry(OrganisationFactory(), "invite.created", object_repr="Чужая")

    response = page(client, admin, org, group="invites", export="csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Когда (время: Иркутск (UTC+8))", "Кто", "Действие", "Объект", "Подробности", "Адрес"]
    assert rows[1:] == [
        [
            "02.03.2026 09:15:00",
            admin.full_name,
            "Создана ссылка-приглашение",
            '\'=HYPERLINK("http://evil")',
            "Роль: обучающийся; Класс или группа: 5А; Число переходов: без ограничения",
            "198.51.100.4",
        ]
    ]


def test_every_action_in_the_code_has_a_label():
    root = pathlib.Path(__file__).resolve().parents[2]
    code = r'"([a-z_]+\.[a-z_]+)"'
    patterns = [rf"action={code}", rf"_set_status\([^)]*{code}", rf"{code} if \w+ else", rf"else {code}"]
    codes = set()
    for app in ("orgs", "invites"):
        for path in (root / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in patterns:
                codes |= set(re.findall(pattern, text))
    assert {"invite.created", "invite.regenerated", "student.enrolled", "student.transferred"} <= codes
    assert codes <= ACTION_LABELS.keys(), sorted(codes - ACTION_LABELS.keys())
    assert action_label("something.new") == "something.new"
