from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Статистика использования"

    def ready(self):
        # receivers mark backdated changes of orgs and chats for recount
        from . import audit_labels, receivers, sections  # noqa: F401

        sections.register()
        audit_labels.register()
