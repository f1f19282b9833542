"""Chats follow the organisation: its system channels at approval, its chats after every structural change; the
polls' versions follow their voters' names and accounts."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from orgs.signals import member_left, organisation_created, structure_changed

from .services.polls import polls_renew_for_voter
from .services.sync import chats_sync_joined, chats_sync_organisation, chats_sync_scope


@receiver(organisation_created, dispatch_uid="chats.organisation_created")
def _organisation_created(sender, organisation, **kwargs):
    # Sent inside the approval's transaction: the channels and their first members come with the organisation.
    chats_sync_organisation(organisation=organisation)


@receiver(structure_changed, dispatch_uid="chats.structure_changed")
def _structure_changed(sender, organisation, user_ids=(), group_ids=(), additive=False, **kwargs):
    if additive:
        # People only gained (joined, were enrolled, linked to a child): their rows are added here, after the
        # change committed, by a few written-out reads and one insert that leaves a row already there alone
        # (~1.5 ms), locking nothing — cheaper than a Celery job's own cost on the same cores, and the person is
        # in their chats when the page answers. A failure is logged (the signal is sent robustly) and the nightly
        # `resync_chats` repairs it.
        chats_sync_joined(organisation=organisation, user_ids=user_ids, group_ids=group_ids)
    else:
        chats_sync_scope(organisation=organisation, user_ids=user_ids, group_ids=group_ids)


@receiver(member_left, dispatch_uid="chats.member_left")
def _member_left(sender, organisation, user_id, **kwargs):
    # The person's rows leave the chats the structure no longer gives them; a chat they owned passes to its heir
    # (the class's curator, else an administrator) by the sync's one rule.
    chats_sync_scope(organisation=organisation, user_ids=[user_id])


# What a poll shows of its voters (their names, their votes) is kept under the poll's version: a change of a voter's
# name, or their account deleted with their votes, gives the polls they voted in a new one.
NAME_FIELDS = {"last_name", "first_name", "patronymic"}


@receiver(post_save, sender=get_user_model(), dispatch_uid="chats.person_saved")
def _person_saved(sender, instance, created, update_fields=None, **kwargs):
    if created or (update_fields is not None and not NAME_FIELDS.intersection(update_fields)):
        return  # a new person has no votes; a saved login time or password changes no name
    polls_renew_for_voter(user_id=instance.pk)


@receiver(pre_delete, sender=get_user_model(), dispatch_uid="chats.person_deleted")
def _person_deleted(sender, instance, **kwargs):
    polls_renew_for_voter(user_id=instance.pk)
