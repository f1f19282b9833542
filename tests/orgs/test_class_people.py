"""«People of class X»: the class page and the API's members?group= answer with one selector
(orgs.selectors.class_people / class_members): the class's students, their parents, its curator and the teachers
who teach it — as SPEC has a class (the class teachers' chat is the curator and the class's teachers)."""

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def page_people(client, user, group) -> set[int]:
    client.force_login(user)
    context = client.get(reverse("orgs:class", args=[group.organisation_id, group.pk])).context
    people = {student.pk for student, _parents in context["roster"]}
    people |= {parent.pk for _student, parents in context["roster"] for parent in parents}
    people |= {context["curator"].teacher_id} | {a.teacher_id for a in context["teaching"]}
    return people


def api_people(api, user, group) -> set[int]:
    api.force_authenticate(user)
    response = api.get(f"/api/v1/orgs/{group.organisation_id}/members/", {"group": group.pk, "page_size": 100})
    assert response.status_code == 200, response.content
    return {row["person"]["id"] for row in response.json()["results"]}


def test_the_class_page_and_the_api_list_the_same_people_of_a_class(client, api):
    org = f.OrganisationFactory()
    group, other = f.ClassFactory(organisation=org, name="5А"), f.ClassFactory(organisation=org, name="5Б")
    curator = f.curator_of(group)
    maths = f.teacher_of(org)
    f.teaches(group, maths)
    kid, lone_kid = f.student_in(group), f.student_in(group)
    mother = f.parent_of(kid, org)
    stranger_kid = f.student_in(other)
    f.parent_of(stranger_kid, org)
    f.teaches(other, f.teacher_of(org))
    expected = {curator.pk, maths.pk, kid.pk, lone_kid.pk, mother.pk}
    for user in (f.admin_of(org), curator):
        assert page_people(client, user, group) == expected
        assert api_people(api, user, group) == expected
