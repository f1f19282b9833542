from django.core.management.base import BaseCommand

from invites.services.digest import join_requests_send_digest


class Command(BaseCommand):
    help = (
        "Рассылает администраторам и кураторам сводку заявок на вступление, ждущих решения "
        "(одно письмо в день; можно запускать повторно)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Отправлено писем со сводкой заявок: {join_requests_send_digest()}")
