from django.core.management.base import BaseCommand

from chats.demo import demo_chats_load
from orgs.demo_data import COLLEGE, SCHOOL
from orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "Создать в демонстрационных организациях чаты руководителя и классного руководителя; "
        "повторный запуск ничего не дублирует."
    )

    def handle(self, *args, **options):
        # Only the demo organisations: a portal that also holds real ones gets no demo chats in them.
        names = [spec.profile["full_name"] for spec in (SCHOOL, COLLEGE)]
        for organisation in Organisation.objects.filter(full_name__in=names).order_by("pk"):
            created = demo_chats_load(organisation=organisation)
            if created:
                titles = ", ".join(f"«{chat.title}»" for chat in created)
                self.stdout.write(f"{organisation.short_name}: созданы чаты {titles}")
