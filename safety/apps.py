"""Account safety inside organisations: incidents the administrators see when a member reports unauthorised access,
ending a member's sessions, the help page. Depends on `orgs` (and on `portal.accounts`, whose report it hears
through a hook it registers)."""

from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = "Безопасность учётных записей"

    def ready(self):
        from portal.accounts.hooks import access_report_listeners

        from . import audit_labels
        from .services import incidents_open_for_report

        if incidents_open_for_report not in access_report_listeners:
            access_report_listeners.append(incidents_open_for_report)
        audit_labels.register()
