from django.core.management.base import BaseCommand

from orgs.demo_data import COLLEGE, SCHOOL
from orgs.models import Organisation
from policies.demo import demo_policies_load


class Command(BaseCommand):
    help = (
        "Ввести в действие «Положение» и «Порядок» демонстрационных организаций (утверждает их директор) и отметить "
        "ознакомление части работников; повторный запуск ничего не дублирует."
    )

    def handle(self, *args, **options):
        # Only the demo organisations: a portal that also holds real ones gets no demo documents in them.
        names = [spec.profile["full_name"] for spec in (SCHOOL, COLLEGE)]
        for organisation in Organisation.objects.filter(full_name__in=names).order_by("pk"):
            approved = demo_policies_load(organisation=organisation)
            if approved:
                titles = ", ".join(f"«{v.document.get_kind_display()}» {v.number}" for v in approved)
                self.stdout.write(f"{organisation.short_name}: введены в действие {titles}")
