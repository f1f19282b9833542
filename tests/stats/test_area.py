"""«Муниципалитет»: the methodologist reads the statistics of every organisation of their municipality and nothing
else of them; small counts of people are hidden; the area's total counts a person once; targets are inherited
organisation → area → default; every look is in each school's audit log."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from chats.models import Chat
from chats.services.messages import message_post
from chats.services.sync import chats_sync_organisation
from orgs.models import AuditEntry, Membership
from stats.days import local_day
from stats.models import FillState, OrgDayCount, UserDay
from stats.registry import indicators
from stats.services.areas import area_get_or_create, methodologist_attach
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, admin_of, teacher_of

pytestmark = pytest.mark.django_db
Role = Membership.Role

# (registered, active in 7 days) per role, and other counts of an ordinary organisation: every figure is ≥ 5.
BIG = {"teacher": (40, 33), "student": (400, 113), "parent": (300, 95)}


def yesterday():
    return local_day(timezone.now(), "Asia/Irkutsk") - timedelta(days=1)


def filled(name: str, people=BIG, *, messages=(30, 6), chats=7, classes=12, with_parent=(400, 250), day=None, **fields):
    """An organisation of the municipality whose statistics are filled up to `day`, yesterday by default (rows
    written directly)."""
    org = OrganisationFactory(short_name=name, **fields)
    day = day or yesterday()
    values = {("coverage.v1", "classes"): classes, ("chats_active.v1", "chats.active_7d"): chats}
    values[("coverage.v1", "students.joined")], values[("coverage.v1", "students.with_parent")] = with_parent
    for role, (registered, active) in people.items():
        values[("coverage.v1", f"members.{role}")] = registered
        values[("active_users.v1", f"wau.{role}")] = active
    rows = [OrgDayCount(organisation=org, indicator=i, subgroup=s, day=day, value=v) for (i, s), v in values.items()]
    for back in range(40):  # messages every day: a 30-day period holds 30 days of them
        meaningful, trivial = messages
        for subgroup, value in (("messages", meaningful + trivial), ("messages.trivial", trivial)):
            rows.append(
                OrgDayCount(
                    organisation=org,
                    indicator="activity.v1",
                    subgroup=subgroup,
                    day=day - timedelta(days=back),
                    value=value,
                )
            )
    OrgDayCount.objects.bulk_create(rows)
    FillState.objects.bulk_create(
        FillState(indicator=ind.id, organisation=org, last_filled_day=day) for ind in indicators()
    )
    return org


@pytest.fixture
def area():
    return area_get_or_create(region="Республика Бурятия", municipality="Селенгинский район")


@pytest.fixture
def methodologist(area):
    user = UserFactory()
    methodologist_attach(area=area, user=user)
    return user


def signed_in(user):
    client = APIClient()
    client.force_login(user)
    return client


def page(client, area, **query):
    return client.get(reverse("stats:area", args=[area.pk]), query)


def api(client, area, **query):
    return client.get(f"/api/v1/areas/{area.pk}/stats/", query)


def test_the_municipality_is_found_however_the_profile_spells_it(area):
    school = filled("Школа № 1")
    college = filled("Колледж", region="республика  Бурятия ", municipality="СЕЛЕНГИНСКИЙ район")
    filled("Чужая", municipality="Кабанский район")
    assert area_get_or_create(region=" Республика Бурятия", municipality="селенгинский  район") == area
    from stats.areas import area_organisations

    assert [o.pk for o in area_organisations(area)] == [college.pk, school.pk]
    assert str(area) == "Селенгинский район, Республика Бурятия"


def test_who_reads_the_municipality(area, methodologist):
    school, college = filled("Школа № 1"), filled("Колледж")
    other_area = area_get_or_create(region="Республика Бурятия", municipality="Кабанский район")
    stranger = UserFactory()
    methodologist_attach(area=other_area, user=stranger)
    director = teacher_of(school, position=Membership.Position.DIRECTOR)
    operator = UserFactory(is_superuser=True, is_staff=True)

    for user in (methodologist, operator):
        client = signed_in(user)
        response = page(client, area)
        assert response.status_code == 200
        assert school.short_name in response.content.decode() and college.short_name in response.content.decode()
        for fmt in ("csv", "xlsx"):
            assert page(client, area, export=fmt).status_code == 200
        assert {row["name"] for row in api(client, area).json()["results"]} == {"Школа № 1", "Колледж"}
    assert [a["id"] for a in signed_in(methodologist).get("/api/v1/areas/").json()["results"]] == [area.pk]

    for user in (stranger, director):
        client = signed_in(user)
        assert page(client, area).status_code == 404
        assert page(client, area, export="csv").status_code == 404
        assert api(client, area).status_code == 404
        assert client.get(f"/api/v1/areas/{area.pk}/stats/targets/").status_code == 404
    assert [a["id"] for a in signed_in(stranger).get("/api/v1/areas/").json()["results"]] == [other_area.pk]
    assert signed_in(director).get("/api/v1/areas/").json()["results"] == []
    empty = page(signed_in(stranger), other_area)  # a municipality with no organisation on the portal yet
    assert empty.status_code == 200 and "пока нет организаций" in empty.content.decode()
    assert api(signed_in(stranger), other_area).json()["results"] == []

    anonymous = APIClient()
    response = page(anonymous, area)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert api(anonymous, area).status_code == 401


# Pages meant for people outside the organisation: asking to join it.
OUTSIDERS_WELCOME = {"join/orgs/<int:org_id>/request/", "join/orgs/<int:org_id>/request/sent/"}


def _org_urls(org, ids: dict):
    """Every browser page that belongs to an organisation, its ids filled with the organisation's own objects."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p

    for route, _pattern in walk(get_resolver().url_patterns):
        if not ("<int:org_id>" in route or "<int:chat_id>" in route) or route.startswith(("api/", "admin/")):
            continue
        if route in OUTSIDERS_WELCOME:
            continue
        url = "/" + route
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route):
            value = org.pk if name == "org_id" else ids.get(name, 1) if converter == "int" else "csv"
            url = url.replace(f"<{converter + ':' if converter else ''}{name}>", str(value))
        yield url


def test_the_methodologist_gets_nothing_of_the_organisations_but_their_statistics(area, methodologist):
    school = filled("Школа № 1")
    group = ClassFactory(organisation=school)
    admin = admin_of(school)
    chats_sync_organisation(organisation=school)
    channel = Chat.objects.get(organisation=school, kind="general_channel")
    message = message_post(chat=channel, actor=admin, text="Объявление")
    client = signed_in(methodologist)
    ids = {"group_id": group.pk, "user_id": admin.pk, "pk": group.pk, "chat_id": channel.pk, "message_id": message.pk}
    walked = 0
    for url in _org_urls(school, ids):
        response = client.get(url)
        assert response.status_code in (404, 405), (url, response.status_code)
        walked += 1
    assert walked > 20
    assert client.get("/api/v1/orgs/").json()["results"] == []
    for path in (
        "",
        "members/",
        "groups/",
        "chats/",
        "invites/",
        "stats/",
        "stats/classes/",
        "stats/targets/",
        "audit/",
    ):
        assert client.get(f"/api/v1/orgs/{school.pk}/{path}").status_code == 404, path
    assert not Membership.objects.filter(user=methodologist).exists()
    # Their home page leads to the municipality, not to «ask to be invited».
    home = client.get("/").content.decode()
    assert reverse("stats:area", args=[area.pk]) in home and "пригласить вас" not in home


def test_a_parent_in_two_organisations_of_the_municipality_counts_once(area, methodologist):
    school, college = filled("Школа № 1"), filled("Колледж")
    day = yesterday()
    both = [UserFactory() for _ in range(5)]
    only_school = UserFactory()
    rows = [
        UserDay(organisation=o, user=u, day=day, roles=UserDay.PARENT, present=True)
        for o in (school, college)
        for u in both
    ]
    rows.append(UserDay(organisation=school, user=only_school, day=day - timedelta(days=3), roles=UserDay.PARENT))
    rows.append(UserDay(organisation=school, user=only_school, day=day - timedelta(days=8), roles=UserDay.PARENT))
    UserDay.objects.bulk_create(rows)
    total = api(signed_in(methodologist), area).json()["total"]
    assert total["parents"]["active_7d"] == 6  # not 11: the five parents of both are counted once
    assert total["parents"]["registered"] == 600  # the organisations' sum, as the page says
    assert total["parents"]["share"] == 1


def test_fewer_than_five_people_are_hidden_everywhere(area, methodologist):
    filled(
        "Малокомплектная",
        {"teacher": (4, 3), "student": (30, 2), "parent": (20, 0)},
        with_parent=(30, 4),
        messages=(2, 1),
        chats=1,
        classes=3,
    )
    client = signed_in(methodologist)
    row = api(client, area).json()["results"][0]
    assert row["staff"] == {"active_7d": None, "registered": None, "share": None, "target": 75, "met": None}
    assert (
        row["students"]["registered"] == 30
        and row["students"]["active_7d"] is None
        and row["students"]["share"] is None
    )
    assert row["parents"]["active_7d"] is None and row["students_with_parent_share"] is None
    # Messages, chats and classes are not people: shown as they are.
    assert (row["messages"], row["messages_trivial"], row["chats_active_7d"], row["classes"]) == (60, 30, 1, 3)
    assert row["status"] == "unknown"

    html = page(client, area).content.decode()
    assert html.count("&lt;5") >= 6 and "Мало данных для сравнения с целями" in html
    text = page(client, area, export="csv").content.decode("utf-8-sig")
    line = next(r for r in csv.reader(io.StringIO(text), delimiter=";") if r and r[0] == "Малокомплектная")
    assert line[1:4] == ["<5", "<5", "<5"] and line[10] == "<5" and line[11] == "30"
    sheet = load_workbook(io.BytesIO(page(client, area, export="xlsx").content)).active
    cells = [c.value for c in next(r for r in sheet.iter_rows() if r[0].value == "Малокомплектная")]
    assert cells[1] == "<5" and cells[10] == "<5" and cells[11] == 30


def test_sorting_by_any_column_puts_hidden_figures_last(area, methodologist):
    filled("Альфа", {"teacher": (40, 20), "student": (100, 40), "parent": (100, 40)})  # 50 %
    filled("Бета", {"teacher": (40, 36), "student": (100, 40), "parent": (100, 40)})  # 90 %
    filled("Гамма", {"teacher": (3, 3), "student": (100, 40), "parent": (100, 40)})  # hidden
    client = signed_in(methodologist)

    def order(**query):
        html = page(client, area, **query).content.decode()
        return sorted(("Альфа", "Бета", "Гамма"), key=lambda name: html.index(f">{name}<")), html

    assert order()[0] == ["Альфа", "Бета", "Гамма"]
    names, html = order(sort="share.staff", dir="desc")
    assert names == ["Бета", "Альфа", "Гамма"]
    assert 'aria-sort="descending"><a href="?days=30&amp;sort=share.staff&amp;dir=asc"' in html
    assert html.count("aria-sort=") == 1
    assert order(sort="share.staff", dir="asc")[0] == ["Альфа", "Бета", "Гамма"]
    assert order(sort="name", dir="desc")[0] == ["Гамма", "Бета", "Альфа"]
    assert order(sort="nonsense")[0] == ["Альфа", "Бета", "Гамма"]
    # Status in words as well as colour.
    assert "Ниже цели: педагоги и сотрудники" in html and "Цели достигнуты" in html


def _targets(client, url):
    return {t["key"]: (t["value"], t["source"]) for t in client.get(url).json()["results"]}


def test_targets_organisation_over_area_over_default(area, methodologist):
    school = filled("Школа № 1")
    admin, director = admin_of(school), teacher_of(school, position=Membership.Position.DIRECTOR)
    org_url, area_url = f"/api/v1/orgs/{school.pk}/stats/targets/", f"/api/v1/areas/{area.pk}/stats/targets/"
    head, admin_client = signed_in(methodologist), signed_in(admin)
    assert _targets(admin_client, org_url)["staff"] == (75, "default")

    assert head.patch(area_url, {"staff": 60, "parents": 40}, format="json").status_code == 200
    assert _targets(admin_client, org_url) == {
        "staff": (60, "area"),
        "students": (30, "default"),
        "parents": (40, "area"),
    }
    assert admin_client.patch(org_url, {"staff": 80}, format="json").status_code == 200
    assert _targets(signed_in(director), org_url)["staff"] == (80, "organisation")
    row = api(head, area).json()["results"][0]
    assert (row["staff"]["target"], row["parents"]["target"]) == (80, 40)
    assert api(head, area).json()["total"]["staff"]["target"] == 60
    dashboard = admin_client.get(reverse("stats:dashboard", args=[school.pk])).content.decode()
    assert "Цель 80 % достигнута" in dashboard  # 33 of 40 active is 83 %
    admin_client.patch(org_url, {"staff": None}, format="json")
    assert _targets(admin_client, org_url)["staff"] == (60, "area")

    wrong = head.patch(area_url, {"students": 101}, format="json")
    assert wrong.status_code == 400
    assert wrong.json()["error"]["fields"]["students"] == ["Целевое значение — целое число процентов от 0 до 100."]
    assert signed_in(director).patch(org_url, {"staff": 10}, format="json").status_code == 403
    assert head.patch(org_url, {"staff": 10}, format="json").status_code == 404

    # The browser forms: the administrator's on the dashboard, the methodologist's on the area page.
    response = admin_client.post(reverse("stats:org_targets", args=[school.pk]), {"staff": "150"}, follow=True)
    assert (
        "Педагоги и сотрудники, %: Целевое значение — целое число процентов от 0 до 100." in response.content.decode()
    )
    admin_client.post(reverse("stats:org_targets", args=[school.pk]), {"students": "35", "staff": ""})
    assert _targets(admin_client, org_url)["students"] == (35, "organisation")
    head.post(reverse("stats:area_targets", args=[area.pk]), {"students": "50", "staff": "60", "parents": "40"})
    assert _targets(head, area_url)["students"] == (50, "area")
    assert _targets(admin_client, org_url)["students"] == (35, "organisation")
    assert signed_in(director).post(reverse("stats:org_targets", args=[school.pk]), {"staff": "5"}).status_code == 403

    changes = AuditEntry.objects.filter(
        organisation=school, action__in=["stats.targets_changed", "stats.area_targets_changed"]
    )
    assert changes.count() == 5


def test_every_look_and_export_is_in_each_schools_log(area, methodologist):
    school, college = filled("Школа № 1"), filled("Колледж")
    client = signed_in(methodologist)
    page(client, area)
    page(client, area, export="xlsx")
    api(client, area)
    for org in (school, college):
        entries = AuditEntry.objects.filter(organisation=org, actor=methodologist).order_by("pk")
        assert [(e.action, e.details.get("format")) for e in entries] == [
            ("stats.area_viewed", None),
            ("stats.area_exported", "XLSX"),
            ("stats.area_viewed", "API"),
        ]
        assert entries[0].details["area"] == "Селенгинский район, Республика Бурятия"
    log = signed_in(admin_of(school)).get(reverse("orgs:audit", args=[school.pk])).content.decode()
    assert "Муниципалитет просмотрел статистику организации" in log
    assert "Муниципалитет выгрузил статистику организации" in log


def test_the_query_count_does_not_grow_with_the_organisations(area, methodologist):
    client = signed_in(methodologist)
    counts = []
    for size in (3, 8):
        while len(FillState.objects.values("organisation").distinct()) < size:
            filled(f"Школа {timezone.now().timestamp()}")
        for request in (lambda: page(client, area, sort="share.parents"), lambda: api(client, area)):
            with CaptureQueriesContext(connection) as queries:
                assert request().status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:], counts
