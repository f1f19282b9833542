"""The acknowledgement pages and API as people use them: the banner and «Подтверждаю ознакомление», the progress «N из
M» with paper records, the «Лист ознакомления» in PDF and XLSX; the user agreement that every page and the API wait
for."""

import html
import io
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from policies.models import TermsAcceptance
from tests.factories import UserFactory, teacher_of

from .helpers import office
from .test_workflow import in_force

pytestmark = pytest.mark.django_db
BANNER = "Вам направлены документы организации для ознакомления."


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def test_a_teacher_sees_the_banner_reads_the_text_and_acknowledges(client, django_assert_max_num_queries):
    o = office()
    version = in_force(o)
    client.force_login(o.teacher)
    home = reverse("orgs:org_home", args=[o.org.pk])
    assert BANNER in text_of(client.get(home))

    page = text_of(client.get(reverse("policies:acknowledge")))
    assert "Положение об использовании платформы, версия 1.0" in page
    assert version.content["sections"][0]["clauses"][0]["text"] in page  # the text to read is on the page
    assert "Подтверждаю ознакомление" in page

    campaign_id = version.document.campaigns.get().pk
    response = client.post(reverse("policies:acknowledge_one", args=[campaign_id]), follow=True)
    assert "Отмечено: вы ознакомлены с документом." in text_of(response)
    assert BANNER not in text_of(client.get(home))
    assert "Все направленные вам документы прочитаны" in text_of(client.get(reverse("policies:acknowledge")))


def test_the_administrator_sees_23_of_41_style_progress_records_paper_and_downloads_the_sheet(client):
    o = office()
    teacher = teacher_of(o.org)
    teacher.last_name, teacher.first_name = "=HYPERLINK(1)", "Анна"  # a name that a spreadsheet would run
    teacher.save()
    version = in_force(o)
    client.force_login(o.teacher)
    client.post(reverse("policies:acknowledge_one", args=[version.document.campaigns.get().pk]))

    client.force_login(o.admin)
    url = reverse("policies:progress", args=[o.org.pk, version.pk])
    page = text_of(client.get(url))
    assert "Ознакомлены: 1 из 4" in page and o.teacher.full_name in page and o.director.full_name in page
    response = client.post(
        reverse("policies:paper", args=[o.org.pk, version.pk]), {"person": o.director.pk, "day": "2026-09-02"}
    )
    page = text_of(client.get(url))
    assert "Ознакомлены: 2 из 4" in page and "на бумаге" in page and o.admin.short_name in page

    pdf = client.get(reverse("policies:sheet_pdf", args=[o.org.pk, version.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True).stdout.decode()
    text = " ".join(text.split())  # lines wrap where the page is narrow
    for expected in ("ЛИСТ ОЗНАКОМЛЕНИЯ", o.org.full_name, "версия 1.0", "Подпись", o.teacher.last_name):
        assert expected in text, expected
    assert "ознакомление в портале" in text and "на бумаге" in text and "Ознакомлены: 2 из 4" in text

    xlsx = client.get(reverse("policies:sheet_xlsx", args=[o.org.pk, version.pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0] == ["№", "ФИО", "Должность", "Дата ознакомления", "Подпись / отметка", "Способ"]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name[o.teacher.full_name][5] == "в портале"
    assert by_name[o.director.full_name][5] == "на бумаге"
    cell = next(c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"  # stored as text, never run as a formula
    assert response.status_code == 302


def test_a_teacher_cannot_see_the_progress_and_another_organisation_gets_404(client):
    o, other = office(), office()
    version = in_force(o)
    client.force_login(o.teacher)
    assert client.get(reverse("policies:progress", args=[o.org.pk, version.pk])).status_code == 403
    assert client.get(reverse("policies:sheet_pdf", args=[o.org.pk, version.pk])).status_code == 403
    api = f"/api/v1/orgs/{o.org.pk}/acknowledgements/"
    assert client.get(api).status_code == 403
    assert client.get(f"{api}{version.pk}/").status_code == 403
    client.force_login(other.admin)
    assert client.get(reverse("policies:progress", args=[o.org.pk, version.pk])).status_code == 404
    assert client.get(reverse("policies:progress", args=[other.org.pk, version.pk])).status_code == 404
    assert client.get(f"/api/v1/orgs/{other.org.pk}/acknowledgements/{version.pk}/").status_code == 404


def test_the_api_lists_mine_acknowledges_and_shows_progress(client):
    o = office()
    version = in_force(o)
    api = f"/api/v1/orgs/{o.org.pk}/acknowledgements/"
    client.force_login(o.teacher)
    mine = client.get(f"{api}mine/").json()
    assert [p["version"]["number"] for p in mine["pending"]] == ["1.0"] and mine["acknowledged"] == []
    assert client.post(f"{api}{version.pk}/acknowledge/", {}, content_type="application/json").status_code == 201
    again = client.post(f"{api}{version.pk}/acknowledge/", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_acknowledged"
    assert client.get(f"{api}mine/").json()["acknowledged"][0]["method"] == "portal"

    client.force_login(o.admin)
    [summary] = client.get(api).json()["results"]
    assert (summary["kind"], summary["done"], summary["total"]) == ("regulation", 1, 3)
    paper = client.post(
        f"{api}{version.pk}/paper/", {"person": o.director.pk, "day": "2026-09-01"}, content_type="application/json"
    )
    assert paper.status_code == 201 and paper.json()["method"] == "paper"
    detail = client.get(f"{api}{version.pk}/").json()
    assert {r["person"]["id"] for r in detail["acknowledged"]} == {o.teacher.pk, o.director.pk}
    assert [r["person"]["id"] for r in detail["pending"]] == [o.admin.pk]
    sheet = client.get(f"{api}{version.pk}/sheet/?file=xlsx")
    assert sheet.status_code == 200 and sheet["Content-Disposition"].endswith('.xlsx"')
    assert client.get(f"{api}{version.pk}/sheet/?file=doc").status_code == 400


def test_pages_wait_for_the_user_agreement_until_it_is_accepted_and_a_new_redaction_asks_again(client):
    o = office()
    home = reverse("orgs:org_home", args=[o.org.pk])
    client.force_login(o.teacher)
    assert client.get(home).status_code == 200  # no agreement in force: nobody is blocked

    version = in_force(o, "user_terms")
    response = client.get(home)
    assert response.status_code == 302 and response["Location"].startswith(reverse("policies:terms"))
    api = client.get(f"/api/v1/orgs/{o.org.pk}/members/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "terms_not_accepted"
    assert client.get(f"/api/v1/orgs/{o.org.pk}/terms/").json()["accepted"] is False

    page = text_of(client.get(response["Location"]))
    assert "ПОЛЬЗОВАТЕЛЬСКОЕ СОГЛАШЕНИЕ" in page and "Согласие на обработку персональных данных" in page
    refused = client.post(reverse("policies:terms"), {"agree": "on", "next": home}, follow=True)
    assert "дайте согласие на обработку персональных данных" in text_of(refused)
    assert not TermsAcceptance.objects.exists()

    accepted = client.post(reverse("policies:terms"), {"agree": "on", "personal_data_consent": "on", "next": home})
    assert accepted.status_code == 302 and accepted["Location"] == home
    acceptance = TermsAcceptance.objects.get()
    assert (acceptance.user, acceptance.version, acceptance.personal_data_consent) == (o.teacher, version, True)
    assert client.get(home).status_code == 200
    assert client.get(f"/api/v1/orgs/{o.org.pk}/members/").status_code in (200, 403)  # the gate is open

    in_force(o, "user_terms", major=False)  # a minor edit: accepted already
    assert client.get(home).status_code == 200
    in_force(o, "user_terms")  # a new redaction: asked again
    assert client.get(home).status_code == 302
    api_accept = client.post(
        f"/api/v1/orgs/{o.org.pk}/terms/",
        {"agree": True, "personal_data_consent": True},
        content_type="application/json",
    )
    assert api_accept.status_code == 200 and api_accept.json()["accepted"] is True
    assert client.get(home).status_code == 200
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(reverse("orgs:home")).status_code == 200  # not a member: not asked
