"""The services the regulations forbid for teaching and school communication: the organisation's content rules in
force (seeded with the federal recommendation's list on first use), which the documents are written from."""


def forbidden_services(organisation) -> list[str]:
    """The names of the services forbidden in this organisation (its content rules in force), by name: what the
    chats refuse is what the documents list."""
    from .models import ForbiddenService
    from .services.content import rule_set_ensure

    rule_set_ensure(organisation.pk)
    enabled = ForbiddenService.objects.filter(organisation_id=organisation.pk, enabled=True)
    return list(enabled.values_list("name", flat=True))
