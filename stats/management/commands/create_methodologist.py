from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from portal.accounts.models import User
from portal.accounts.phones import normalize_phone
from portal.exceptions import PortalError
from stats.services.areas import area_get_or_create, methodologist_attach


class Command(BaseCommand):
    help = (
        "Сделать пользователя методистом муниципалитета: он увидит только статистику организаций муниципалитета. "
        "Учётная запись должна уже существовать (её создаёт оператор платформы в /admin/ или человек сам)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--phone", help="телефон пользователя, например +79001234567")
        parser.add_argument("--email", help="e-mail пользователя")
        parser.add_argument("--region", required=True, help="субъект РФ, как в профиле организаций")
        parser.add_argument("--municipality", required=True, help="муниципальное образование, как в профиле")

    def handle(self, *args, phone, email, region, municipality, **options):
        if not phone and not email:
            raise CommandError("Укажите --phone или --email пользователя.")
        try:
            match = Q(phone=normalize_phone(phone)) if phone else Q(email__iexact=email)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        users = list(User.objects.filter(match)[:2])
        if len(users) != 1:
            raise CommandError("Пользователь не найден." if not users else "Под этим e-mail несколько пользователей.")
        try:
            area = area_get_or_create(region=region, municipality=municipality)
        except PortalError as error:
            raise CommandError(error.message) from error
        methodologist_attach(area=area, user=users[0])
        self.stdout.write(f"{users[0]} — методист муниципалитета «{area}» (№ {area.pk}).")
