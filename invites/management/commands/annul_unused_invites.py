from django.core.management.base import BaseCommand

from invites.services.jobs import invites_annul_unused


class Command(BaseCommand):
    help = "Аннулирует невостребованные ссылки-приглашения и сообщает их авторам (можно запускать повторно)."

    def handle(self, *args, **options):
        self.stdout.write(f"Аннулировано ссылок: {invites_annul_unused()}")
