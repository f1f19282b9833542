from django.core.management.base import BaseCommand

from stats.services.fill import stats_advance


class Command(BaseCommand):
    help = "Досчитать статистику до вчерашнего дня (по местному времени организаций) и пересчитать отмеченные дни."

    def handle(self, *args, **options):
        report = stats_advance()
        if report.busy:
            self.stdout.write("Статистику уже считает другой процесс; ничего не сделано.")
            return
        self.stdout.write(
            f"Статистика досчитана: дней показателей — {report.buckets}, пересчитано — {report.recounted}, "
            f"удалено устаревших строк — {report.purged}."
        )
