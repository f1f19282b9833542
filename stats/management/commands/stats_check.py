from django.core.management.base import BaseCommand, CommandError

from stats.services.check import stats_lags


class Command(BaseCommand):
    help = "Проверить, что статистика посчитана до вчерашнего дня; код выхода 1, если она отстаёт."

    def handle(self, *args, **options):
        lags, waiting = stats_lags()
        for lag in lags:
            filled = lag.last_filled_day.isoformat() if lag.last_filled_day else "ни одного дня"
            self.stdout.write(f"{lag.organisation}: {lag.indicator} посчитан по {filled}, нужно по {lag.expected_day}")
        if waiting:
            self.stdout.write(f"Дней, ждущих пересчёта дольше часа: {waiting}")
        if lags or waiting:
            raise CommandError("Статистика отстаёт.", returncode=1)
        self.stdout.write("Статистика посчитана вовремя.")
