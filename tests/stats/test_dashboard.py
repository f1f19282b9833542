"""«Статистика» in the browser: who may open it, that it shows what the statistics tables hold, the stale warning,
the weak spots, and that its cost does not grow with the number of classes."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chats.models import Message
from stats import selectors
from stats.days import local_day
from stats.models import FillState
from stats.services.fill import stats_advance
from tests.factories import OrganisationFactory, admin_of, curator_of

from .filled import filled_organisation
from .helpers import at, world

pytestmark = pytest.mark.django_db


def url(org) -> str:
    return f"/orgs/{org.pk}/stats/"


@pytest.fixture
def filled():
    return filled_organisation(3)


def page(client, user, org, query=""):
    client.force_login(user)
    return client.get(url(org) + query)


def text(response) -> str:
    """The page's words without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("director", 200), ("curator", 200), ("teacher", 403), ("student", 403), ("parent", 403)],
)
def test_who_may_open_the_dashboard(client, filled, who, status):
    assert page(client, filled.people[who], filled.organisation).status_code == status


def test_another_organisations_administrator_gets_404(client, filled):
    stranger = admin_of(OrganisationFactory())
    assert page(client, stranger, filled.organisation).status_code == 404


def test_the_headline_shows_weekly_shares_against_targets_with_trends(client, filled):
    words = text(page(client, filled.people["director"], filled.organisation))
    # Staff: 33 of 40 active (83 %) against 75 %, a week before 26 of 40 (65 %); 12 of 40 took part (30 %).
    assert (
        "83 % 33 из 40 зарегистрированных Участвовали (писали): 30 %, 12 чел. ✓ Цель 75 % достигнута "
        "↑ на 18 п. п. больше" in words
    )
    # Students: 113 of 400 (28 %) below 30 %, up from 106 (26.5 %, shown as 27 %); 40 took part (10 %).
    assert "28 % 113 из 400 зарегистрированных Участвовали (писали): 10 %, 40 чел. ✗ Ниже цели 30 % ↑ на 1" in words
    # Parents: 90 of 300, as a week before; 15 took part (5 %).
    assert "30 % 90 из 300 зарегистрированных Участвовали (писали): 5 %, 15 чел. ✓ Цель 30 % достигнута →" in words


def test_the_charts_carry_title_description_and_their_data(client, filled):
    response = page(client, filled.people["admin"], filled.organisation)
    html = response.content.decode()
    assert html.count('<svg class="chart-svg"') == 3
    for key in ("active", "messages", "joins"):
        assert f'<title id="chart-{key}-title">' in html and f'<desc id="chart-{key}-desc">' in html
    # Coordinates are SVG numbers even in a Russian page: «44,0» would be read as two coordinates.
    coordinates = re.findall(r' (?:x|y|x1|x2|y1|y2)="([^"]*)"', html)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in coordinates), coordinates[:10]
    y = filled.yesterday
    words = text(response)
    # Yesterday (the 14th day, index 13): 46 messages of which 13 trivial — 33 meaningful shown apart.
    assert f"{y:%d.%m.%Y} 33 13" in words
    # The messages table of 30 days: 30 rows, the days before the history are zeros.
    messages_table = html.split('id="chart-messages-desc"')[1].split("</table>")[0]
    assert messages_table.count('<th scope="row">') == 30
    assert f"{y - timedelta(days=29):%d.%m.%Y}</th><td>0</td><td>0</td>" in messages_table


def test_ninety_days_on_request(client, filled):
    html = page(client, filled.people["admin"], filled.organisation, "?days=90").content.decode()
    messages_table = html.split('id="chart-messages-desc"')[1].split("</table>")[0]
    assert messages_table.count('<th scope="row">') == 90
    assert '<a href="?days=90" aria-current="page">' in html


def test_the_class_table_marks_weak_spots_in_words(client, filled):
    words = text(page(client, filled.people["admin"], filled.organisation))
    weak, strong = filled.classes[0].name, filled.classes[1].name
    # Weak spots (⚠): under half joined, no parents' chat, quiet for 14 days, the curator unverified; few parents
    # is an extra mark (△).
    assert (
        f"{weak} 10 из 25 (40 %) ⚠ мало 3 (30 %) △ мало есть ⚠ нет 2 не было за 90 дней ⚠ тихо ⚠ не подтверждён"
        in words
    ), words
    assert f"{strong} 24 из 25 (96 %) 20 (83 %) есть есть 15 {filled.yesterday:%d.%m.%Y} подтверждён" in words


def test_the_curator_sees_only_their_class_and_no_organisation_figures(client, filled):
    response = page(client, filled.people["curator"], filled.organisation)
    words = text(response)
    assert "Статистика моих классов" in words
    assert filled.classes[0].name in words
    assert not any(f'<th scope="row">{c.name}</th>' in response.content.decode() for c in filled.classes[1:])
    assert "Активны за неделю" not in words and "зарегистрированных" not in words
    # The class's own series: one student line, joins by link only.
    assert "По одобренным заявкам" not in words and "Педагоги" not in words


def test_update_time_in_the_organisations_zone_and_no_warning_when_fresh(client, filled):
    state = FillState.objects.filter(organisation=filled.organisation).order_by("-updated_at").first()
    local = timezone.localtime(state.updated_at, timezone=ZoneInfo(filled.organisation.time_zone))
    words = text(page(client, filled.people["admin"], filled.organisation))
    assert f"Данные обновлены в {local:%H:%M}" in words
    assert "отстаёт" not in words


def test_a_stale_fill_is_announced(client, filled):
    behind = filled.yesterday - timedelta(days=3)
    FillState.objects.filter(organisation=filled.organisation).update(last_filled_day=behind)
    words = text(page(client, filled.people["admin"], filled.organisation))
    assert f"Статистика отстаёт: последние посчитанные данные — за {behind:%d.%m.%Y}" in words


def test_nothing_filled_yet_is_said_plainly(client):
    org = OrganisationFactory()
    words = text(page(client, admin_of(org), org))
    assert "Статистика ещё не посчитана" in words
    assert "Данных по классам за этот день ещё нет" in words


def test_linked_from_home_and_navigation_for_leaders_and_from_home_for_curators(client, filled):
    org = filled.organisation
    for who in ("admin", "director"):
        html = page(client, filled.people[who], org).content.decode()
        assert f'href="/orgs/{org.pk}/stats/" aria-current="page">Статистика</a>' in html
        client.force_login(filled.people[who])
        home = client.get(f"/orgs/{org.pk}/").content.decode()
        assert "появится в следующих версиях" not in home
        assert f'<a href="/orgs/{org.pk}/stats/">Статистика использования портала</a>' in home
    client.force_login(filled.people["curator"])
    home = client.get(f"/orgs/{org.pk}/").content.decode()
    assert f'<a href="/orgs/{org.pk}/stats/">Статистика моих классов</a>' in home
    client.force_login(filled.people["teacher"])
    assert "/stats/" not in client.get(f"/orgs/{org.pk}/").content.decode()


def queries_of(client, user, org) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(org)).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["admin", "curator"])
def test_the_page_costs_the_same_for_3_and_12_classes(client, who):
    small, large = filled_organisation(3, days=3), filled_organisation(12, days=3)
    for extra in large.classes[1:4]:  # a curator of several classes costs no more either
        curator_of(extra, large.people["curator"])
    queries_of(client, small.people[who], small.organisation)  # uncounted: fills the process's caches once
    assert queries_of(client, small.people[who], small.organisation) == queries_of(
        client, large.people[who], large.organisation
    )


def test_after_a_real_fill_the_page_shows_what_the_selectors_read(client):
    """The counts written by the job itself (not by hand), read back through the selectors, are what the page says."""

    w = world(students=3, start=local_day(timezone.now(), "Asia/Irkutsk") - timedelta(days=4))
    org = w.organisation
    yesterday = local_day(timezone.now(), org.time_zone) - timedelta(days=1)
    Message.objects.create(
        chat=w.class_chat,
        author=w.students[0],
        text="Завтра контрольная, повторите дроби",
        created_at=at(org, yesterday, 600),
    )
    stats_advance()
    values = selectors.class_day_values(organisation_id=org.pk, indicator_ids=("coverage.v1",), day=yesterday)[
        w.group.pk
    ]
    joined, planned = values[("coverage.v1", "students.joined")], values[("coverage.v1", "students.planned")]
    assert (joined, planned) == (3, 25)
    words = text(page(client, admin_of(org), org))
    assert "отстаёт" not in words and "Данные обновлены в" in words
    assert f"{w.group.name} {joined} из {planned} (12 %) ⚠ мало 3 (100 %) есть есть" in words
    assert f"{yesterday:%d.%m.%Y} " in words.split(w.group.name)[-1]
