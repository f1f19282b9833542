"""What the roster does on the news of orgs: a confirmed teacher gets the curatorship (and a leading position)
their imported row named."""

from django.dispatch import receiver

from orgs.signals import teacher_verified

from .services.staff_joining import staff_entry_confirm


@receiver(teacher_verified, dispatch_uid="roster.staff_entry_on_verification")
def _teacher_verified(sender, organisation, membership, **kwargs):
    staff_entry_confirm(membership=membership, actor=membership.verified_by)
