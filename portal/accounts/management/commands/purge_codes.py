from django.core.management.base import BaseCommand

from portal.accounts.services import otp_purge_expired


class Command(BaseCommand):
    help = "Удаляет просроченные и использованные одноразовые коды (можно запускать повторно)."

    def handle(self, *args, **options):
        deleted = otp_purge_expired()
        self.stdout.write(f"Удалено кодов: {deleted}")
