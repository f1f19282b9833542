from django.core.management.base import BaseCommand, CommandError

from orgs.demo_data import METHODOLOGIST, SCHOOL
from portal.accounts.models import User
from stats.services.areas import area_get_or_create, methodologist_attach


class Command(BaseCommand):
    help = (
        "Прикрепить демонстрационного методиста к муниципалитету демо-организаций (вызывается из load_demo); "
        "повторный запуск ничего не добавляет."
    )

    def handle(self, *args, **options):
        user = User.objects.filter(phone=METHODOLOGIST.phone).first()
        if user is None:
            raise CommandError("Сначала загрузите демонстрационные данные: manage.py load_demo.")
        area = area_get_or_create(region=SCHOOL.profile["region"], municipality=SCHOOL.profile["municipality"])
        methodologist_attach(area=area, user=user)
        self.stdout.write(f"Методист муниципалитета «{area}»: {METHODOLOGIST.phone}.")
