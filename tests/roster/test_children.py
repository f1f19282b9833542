"""A young pupil of the imported roster, with no phone or e-mail, joins through their parent's personal link: the
parent joins, the child's account is made in the right class with the imported name, and the parent hands the
child a single-use sign-in link."""

import re

import pytest

from invites.models import Invite, JoinRequest
from invites.tokens import decrypt
from orgs.models import ParentLink, Placement
from roster.models import RosterEntry
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, admin_of, student_in

from .helpers import csv_bytes, pupil, run_import

pytestmark = pytest.mark.django_db

PASSWORD = "pass-Word-123"


@pytest.fixture
def school():
    org = OrganisationFactory()
    cls = ClassFactory(organisation=org, grade=1, letter="А", name="1А")
    admin = admin_of(org)
    run_import(
        org,
        admin,
        csv_bytes(
            [
                pupil(
                    "Данилов",
                    "Артём",
                    "1А",
                    born="30.08.2019",
                    parent="Данилова Мария Петровна",
                    contact="+79001110006",
                )
            ]
        ),
    )
    entry = RosterEntry.objects.select_related("invite", "parent_invite").get()
    return org, cls, entry


def _parent_token(entry):
    return decrypt(entry.parent_invite.token_encrypted)


def test_parent_joins_and_the_child_lands_in_the_class_with_the_imported_name(school, client):
    org, cls, entry = school
    parent = UserFactory(last_name="Данилова", first_name="Мария")
    client.force_login(parent)
    token = _parent_token(entry)

    page = client.get(f"/join/{token}/").content.decode()
    assert "Данилов А." in page and "У ребёнка ещё нет учётной записи" in page
    assert "Выберите своего ребёнка" not in page and "Отправить заявку" not in page

    done = client.post(f"/join/{token}/")
    assert done.status_code == 200
    entry.refresh_from_db()
    child = entry.user
    assert (child.last_name, child.first_name, child.patronymic) == ("Данилов", "Артём", "Иванович")
    assert child.phone is None and child.email is None and child.managed_by_parent
    assert Placement.objects.get(student=child, valid_to__isnull=True).group == cls
    assert ParentLink.objects.filter(parent=parent, child=child, valid_to__isnull=True).exists()
    assert not JoinRequest.objects.exists()
    assert Invite.objects.get(pk=entry.invite_id).status == Invite.Status.USED_UP  # nobody else takes the child's place

    # The parent's home page leads to the child's sign-in; the link made there signs the child in, once.
    home = client.get(f"/orgs/{org.pk}/").content.decode()
    assert f"/orgs/{org.pk}/children/{child.pk}/sign-in/" in home
    made = client.post(f"/orgs/{org.pk}/children/{child.pk}/sign-in/").content.decode()
    assert "Ссылка для входа готова" in made
    link = made.split('id="child-link" type="text" readonly value="')[1].split('"')[0]
    path = link.split("testserver")[1]

    device = type(client)()
    assert "Данилов Артём" in device.get(path).content.decode()
    signed_in = device.post(path)
    assert signed_in.status_code == 302 and signed_in["Location"] == f"/orgs/{org.pk}/"
    assert int(device.session["_auth_user_id"]) == child.pk
    again = type(client)().post(path)
    assert again.status_code == 410 and "уже использована или устарела" in again.content.decode()


def test_the_same_through_the_api(school, api):
    org, cls, entry = school
    token = _parent_token(entry)
    preview = api.get(f"/api/v1/invites/{token}/").json()
    assert preview["child_required"] is False
    # The child's name is not shown before signing in (a word of its own: the factory's random names of the
    # link's author may hold «Даниловна», which is nobody's surname here).
    assert not re.search(r"\bДанилов\b|\bАртём\b", str(preview)), preview

    parent = UserFactory()
    api.force_authenticate(parent)
    response = api.post(f"/api/v1/invites/{token}/redeem/", {}, format="json")
    assert response.status_code == 201, response.json()
    entry.refresh_from_db()
    assert Placement.objects.get(student=entry.user, valid_to__isnull=True).group == cls
    assert ParentLink.objects.filter(parent=parent, child=entry.user).exists()


def test_another_parent_cannot_make_the_child_sign_in_and_a_student_cannot_be_the_parent(school, client):
    org, cls, entry = school
    classmate = student_in(cls)
    client.force_login(classmate)
    refused = client.post(f"/join/{_parent_token(entry)}/")
    assert refused.status_code == 400 and "учётной записью ребёнка" in refused.content.decode()
    entry.refresh_from_db()
    assert entry.user is None  # nothing was made

    parent = UserFactory()
    client.force_login(parent)
    client.post(f"/join/{_parent_token(entry)}/")
    entry.refresh_from_db()
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.post(f"/orgs/{org.pk}/children/{entry.user.pk}/sign-in/").status_code == 404


def test_a_child_link_already_revoked_gives_a_clear_message(school, client):
    org, cls, entry = school
    Invite.objects.filter(pk=entry.invite_id).update(status=Invite.Status.REVOKED)
    client.force_login(UserFactory())
    response = client.post(f"/join/{_parent_token(entry)}/")
    assert response.status_code == 400
    assert "Личная ссылка ребёнка больше не действует" in response.content.decode()
    assert not ParentLink.objects.exists()


def test_a_pupil_who_joined_first_binds_the_parent_link_as_before(school):
    from invites.services.redeem import invite_redeem

    org, cls, entry = school
    kid = UserFactory()
    invite_redeem(token=decrypt(entry.invite.token_encrypted), user=kid)
    parent = UserFactory()
    assert invite_redeem(token=_parent_token(entry), user=parent).kind == "joined"
    assert ParentLink.objects.get(parent=parent).child == kid


def test_a_parent_of_twins_in_one_class_joins_for_the_second_too(school):
    from invites.services.redeem import invite_redeem

    org, cls, entry = school
    admin = entry.source.created_by
    run_import(
        org, admin, csv_bytes([pupil("Данилов", "Борис", "1А", born="30.08.2019", parent="Данилова Мария Петровна")])
    )
    twin = RosterEntry.objects.select_related("parent_invite").get(first_name="Борис")
    parent = UserFactory()
    assert invite_redeem(token=_parent_token(entry), user=parent).kind == "joined"
    assert invite_redeem(token=_parent_token(twin), user=parent).kind == "joined"
    children = set(ParentLink.objects.filter(parent=parent).values_list("child__first_name", flat=True))
    assert children == {"Артём", "Борис"}
