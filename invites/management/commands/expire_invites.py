from django.core.management.base import BaseCommand

from invites.services.jobs import invites_mark_expired


class Command(BaseCommand):
    help = "Отмечает истёкшие ссылки-приглашения (можно запускать повторно)."

    def handle(self, *args, **options):
        self.stdout.write(f"Отмечено истёкших ссылок: {invites_mark_expired()}")
