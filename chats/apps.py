from django.apps import AppConfig


class ChatsConfig(AppConfig):
    name = "chats"
    verbose_name = "Чаты и каналы"

    def ready(self):
        from . import audit_labels, receivers  # noqa: F401  (receivers connect the orgs signals)

        audit_labels.register()
