"""Roster import: the students and staff of a school from an e-journal's CSV or XLSX, previewed, then applied as
one job. Sits on top of `invites` (each imported person gets a personal link), which it hears through a hook it
registers, so that a person who joins by their link takes over their roster entry."""

from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "roster"
    verbose_name = "Импорт контингента"

    def ready(self):
        from invites.hooks import pending_child_providers, redemption_listeners

        from . import audit_labels, receivers  # noqa: F401
        from .services.joining import roster_entry_joined

        if roster_entry_joined not in redemption_listeners:
            redemption_listeners.append(roster_entry_joined)
        from .services.children import pending_child_of

        if pending_child_of not in pending_child_providers:
            pending_child_providers.append(pending_child_of)
        audit_labels.register()
        from orgs import onboarding

        from .onboarding import lists_step

        onboarding.register(lists_step)
