"""What invites do on the news of orgs: a verified teacher who came by a curator link gets the named class."""

from django.dispatch import receiver

from orgs.signals import teacher_verified

from .services.staff_links import curator_links_complete


@receiver(teacher_verified, dispatch_uid="invites.curator_links_on_verification")
def complete_curator_links(sender, organisation, membership, **kwargs):
    curator_links_complete(organisation=organisation, membership=membership, actor=membership.verified_by)
