from django.core.management.base import BaseCommand, CommandError

from chats.services.sync import SyncReport, chats_sync_organisation
from orgs.models import Organisation


class Command(BaseCommand):
    help = "Привести чаты в соответствие со структурой организаций (повторный запуск ничего не меняет)."

    def add_arguments(self, parser):
        parser.add_argument("--org", type=int, help="ID организации (по умолчанию — все действующие)")

    def handle(self, *args, org=None, **options):
        organisations = Organisation.objects.filter(is_active=True)
        if org is not None:
            organisations = Organisation.objects.filter(pk=org)
            if not organisations.exists():
                raise CommandError(f"Организация с ID {org} не найдена.")
        total = SyncReport()
        for organisation in organisations.order_by("pk"):
            report = chats_sync_organisation(organisation=organisation)
            total += report
            self.stdout.write(f"{organisation.short_name} (ID {organisation.pk}): {report}")
        self.stdout.write(f"Итого: {total}")
