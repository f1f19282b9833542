from django.apps import AppConfig


class ChatsConfig(AppConfig):
    name = "chats"
    verbose_name = "Чаты и каналы"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the orgs signals)
