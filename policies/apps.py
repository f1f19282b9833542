from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Регламенты и правила"

    def ready(self):
        from orgs import onboarding

        from . import audit_labels
        from .onboarding import documents_step

        onboarding.register(documents_step)
        audit_labels.register()
