"""The set-up path on the administrator's home page: each step's state, the next action, the documents' step."""

import pytest
from django.urls import reverse

from orgs.onboarding import onboarding_steps
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    admin_of,
    curator_of,
    parent_of,
    student_in,
    teacher_of,
)
from tests.policies.helpers import office
from tests.policies.test_workflow import in_force

pytestmark = pytest.mark.django_db


def states(org) -> dict[str, str]:
    steps, _next = onboarding_steps(org)
    return {step.key: step.state for step in steps}


def test_a_new_organisation_starts_with_every_step_to_do():
    org = OrganisationFactory()
    admin_of(org)
    steps, next_step = onboarding_steps(org)
    assert [s.key for s in steps] == ["profile", "lists", "structure", "staff", "students", "parents", "documents"]
    assert states(org) == {
        "profile": "started",  # registration filled the address; contacts and the headcount are missing
        "lists": "todo",
        "structure": "todo",
        "staff": "todo",
        "students": "todo",
        "parents": "todo",
        "documents": "todo",
    }
    assert next_step.key == "profile" and next_step.url == reverse("orgs:profile_edit", args=[org.pk])


def test_steps_follow_the_school_as_it_fills(django_assert_max_num_queries):
    org = OrganisationFactory(contact_phone="+7 (30145) 2-11-11", staff_headcount=2)
    admin_of(org)
    a, b = ClassFactory(organisation=org), ClassFactory(organisation=org)
    curator_of(a)
    pupil = student_in(a)
    assert states(org) | {"documents": None} == {
        "profile": "done",
        "lists": "done",  # the pupils are in their classes: nothing left to load
        "structure": "started",  # one class of two has its curator
        "staff": "started",  # one teacher of a headcount of two
        "students": "started",
        "parents": "todo",
        "documents": None,
    }
    curator_of(b)
    student_in(b)
    teacher_of(org)
    parent_of(pupil, org)
    got = states(org)
    assert (got["structure"], got["staff"], got["students"], got["parents"]) == ("done", "done", "done", "started")
    steps, next_step = onboarding_steps(org)
    assert next_step.key == "parents"
    assert next(s for s in steps if s.key == "parents").detail == "Классы, где вступили родители: 1 из 2"
    with django_assert_max_num_queries(6):
        onboarding_steps(org)


def test_the_documents_step_comes_from_the_policies_app():
    o = office()
    assert states(o.org)["documents"] == "todo"
    in_force(o)
    steps, _ = onboarding_steps(o.org)
    documents = next(s for s in steps if s.key == "documents")
    assert documents.state == "started" and documents.detail == "Действуют: 1 из 4"
    assert documents.url == reverse("policies:documents", args=[o.org.pk])
    in_force(o, "procedure")
    in_force(o, "order")
    assert states(o.org)["documents"] == "started"
    in_force(o, "user_terms")  # the user agreement is one of the documents too
    assert states(o.org)["documents"] == "done"


def test_the_home_page_shows_the_steps_to_administrators_only(client):
    org = OrganisationFactory()
    admin = admin_of(org)
    client.force_login(admin)
    page = client.get(reverse("orgs:org_home", args=[org.pk])).content.decode()
    assert "Подготовка организации к работе" in page
    assert f'href="{reverse("orgs:profile_edit", args=[org.pk])}">Заполнить профиль</a>' in page
    assert 'data-step="documents"' in page
    client.force_login(teacher_of(org))
    page = client.get(reverse("orgs:org_home", args=[org.pk])).content.decode()
    assert "Подготовка организации к работе" not in page
