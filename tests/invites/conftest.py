"""Fixtures shared by the invites page tests: a school in Irkutsk time with class 5А and its administrator."""

import pytest

from tests.factories import ClassFactory, OrganisationFactory, admin_of


@pytest.fixture
def org():
    return OrganisationFactory(short_name="Школа № 7", time_zone="Asia/Irkutsk")


@pytest.fixture
def cls(org):
    return ClassFactory(organisation=org, grade=5, letter="А", name="5А")


@pytest.fixture
def admin(org):
    return admin_of(org)
