from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from orgs.demo import load_demo, summary
from portal.exceptions import PortalError


class Command(BaseCommand):
    help = "Загрузить демонстрационные школу и колледж с участниками; повторный запуск ничего не дублирует."

    def handle(self, *args, **options):
        try:
            report = load_demo()
        except (PortalError, ValidationError) as exc:
            raise CommandError(f"Демонстрационные данные не загружены: {exc}") from exc
        self.stdout.write(summary(report))
        # Documents and chats are built by their own apps, which orgs does not import.
        if apps.is_installed("policies"):
            call_command("load_demo_policies", stdout=self.stdout)
        if apps.is_installed("chats"):
            call_command("resync_chats", stdout=self.stdout)
            call_command("load_demo_chats", stdout=self.stdout)
        if apps.is_installed("stats"):
            call_command("load_demo_area", stdout=self.stdout)
