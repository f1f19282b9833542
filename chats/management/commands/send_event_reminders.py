from django.core.management.base import BaseCommand

from chats.services.events import events_send_reminders


class Command(BaseCommand):
    help = "Рассылает напоминания о событиях, время которых подошло (каждое — один раз; можно запускать повторно)."

    def handle(self, *args, **options):
        self.stdout.write(f"Отправлено напоминаний: {events_send_reminders()}")
