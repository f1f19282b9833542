from django.apps import AppConfig


class InvitesConfig(AppConfig):
    name = "invites"
    verbose_name = "Приглашения"

    def ready(self):
        from orgs.hooks import register_join_origin

        from . import audit_labels, receivers, sections  # noqa: F401  (receivers connect the orgs signals)
        from .selectors import join_origins

        register_join_origin(join_origins)
        sections.register()
        audit_labels.register()
