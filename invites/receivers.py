"""What invites do on the news of orgs: a verified teacher who came by a curator link gets the named class; a person
who leaves stops admitting anyone."""

from django.dispatch import receiver

from orgs.signals import member_left, teacher_verified

from .services.leaving import invites_stop_for_leaver
from .services.staff_links import curator_links_complete


@receiver(teacher_verified, dispatch_uid="invites.curator_links_on_verification")
def complete_curator_links(sender, organisation, membership, **kwargs):
    curator_links_complete(organisation=organisation, membership=membership, actor=membership.verified_by)


@receiver(member_left, dispatch_uid="invites.member_left")
def _member_left(sender, organisation, user_id, actor_id=None, **kwargs):
    invites_stop_for_leaver(organisation=organisation, user_id=user_id, actor_id=actor_id)
