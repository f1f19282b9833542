from django.apps import AppConfig


class InvitesConfig(AppConfig):
    name = "invites"
    verbose_name = "Приглашения"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the orgs signals)
