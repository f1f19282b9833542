"""Invites follow the organisation: a person who leaves stops admitting anyone."""

from django.dispatch import receiver

from orgs.signals import member_left

from .services.leaving import invites_stop_for_leaver


@receiver(member_left, dispatch_uid="invites.member_left")
def _member_left(sender, organisation, user_id, actor_id=None, **kwargs):
    invites_stop_for_leaver(organisation=organisation, user_id=user_id, actor_id=actor_id)
