from datetime import date

from django.core.management.base import BaseCommand, CommandError

from stats.services.fill import stats_backfill


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Дата должна быть в виде ГГГГ-ММ-ДД: {value}") from exc


class Command(BaseCommand):
    help = "Пересчитать статистику за дни с --from по --to (включительно), заменив посчитанное."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", required=True, help="первый день, ГГГГ-ММ-ДД")
        parser.add_argument("--to", dest="last", required=True, help="последний день, ГГГГ-ММ-ДД")
        parser.add_argument("--org", dest="orgs", type=int, action="append", help="id организации (можно несколько)")

    def handle(self, *args, first, last, orgs, **options):
        first, last = _day(first), _day(last)
        if first > last:
            raise CommandError("Первый день позже последнего.")
        report = stats_backfill(first=first, last=last, organisation_ids=orgs)
        if report.busy:
            raise CommandError("Статистику сейчас считает другой процесс; повторите позже.")
        self.stdout.write(f"Пересчитано дней показателей: {report.buckets}.")
