from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Статистика использования"

    def ready(self):
        from . import receivers  # noqa: F401  (marks backdated changes of orgs and chats for recount)
