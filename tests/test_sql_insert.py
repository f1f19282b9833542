"""`portal.sql.insert_instance`: a new instance saved by a statement built once per model is saved as `save()`
saves it (defaults, the key, the signals the statistics hear), and a row the unique constraints hold is left alone
without an error that would need a savepoint."""

from datetime import timedelta

import pytest
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from orgs.models import AuditEntry, Membership
from portal.sql import insert_instance
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_new_row_is_saved_as_save_saves_it_with_its_signals():
    org = f.OrganisationFactory()
    heard = []

    def listen(signal):
        def receiver(sender, instance, **kwargs):
            heard.append((signal, instance.pk, kwargs.get("created")))

        return receiver

    on_pre, on_post = listen("pre"), listen("post")
    pre_save.connect(on_pre, sender=AuditEntry)
    post_save.connect(on_post, sender=AuditEntry)
    try:
        entry = AuditEntry(organisation=org, action="test.done", details={"ключ": [1, 2]})
        assert insert_instance(entry) is True
    finally:
        pre_save.disconnect(on_pre, sender=AuditEntry)
        post_save.disconnect(on_post, sender=AuditEntry)
    assert entry.pk is not None and not entry._state.adding
    assert heard == [("pre", None, None), ("post", entry.pk, True)]
    saved = AuditEntry.objects.get(pk=entry.pk)
    assert (saved.action, saved.details, saved.created_at) == ("test.done", {"ключ": [1, 2]}, entry.created_at)


def test_a_row_the_unique_constraint_holds_is_left_alone():
    org = f.OrganisationFactory()
    user = f.UserFactory()
    held = f.member(org, Membership.Role.PARENT, user)
    again = Membership(organisation=org, user=user, role=Membership.Role.PARENT)
    assert insert_instance(again, ignoring=True) is False
    assert again.pk is None
    assert list(Membership.objects.filter(organisation=org, user=user).values_list("pk", flat=True)) == [held.pk]
    # The same role ended: the active row is new.
    Membership.objects.filter(pk=held.pk).update(valid_to=timezone.now())
    assert insert_instance(again, ignoring=True) is True
    assert Membership.objects.filter(organisation=org, user=user, valid_to__isnull=True).get().pk == again.pk


def test_a_backdated_membership_is_heard_by_the_statistics(monkeypatch):
    marked = []
    monkeypatch.setattr("stats.receivers.stats_mark_changed", lambda **kwargs: marked.append(kwargs))
    org = f.OrganisationFactory()
    since = timezone.now() - timedelta(days=40)
    row = Membership(organisation=org, user=f.UserFactory(), role=Membership.Role.STUDENT, valid_from=since)
    insert_instance(row)
    assert marked == [{"organisation_id": org.pk, "since": since}]


def test_an_instance_with_a_key_is_not_saved_as_a_new_row():
    entry = AuditEntry(pk=10**9, organisation=f.OrganisationFactory(), action="test.done")
    with pytest.raises(ValueError, match="new row"):
        insert_instance(entry)
    assert not AuditEntry.objects.filter(pk=10**9).exists()
