from django.core.management.base import BaseCommand

from stats.demo import HISTORY_DAYS, demo_history_load


class Command(BaseCommand):
    help = (
        "Дать демонстрационным организациям историю за последние дни (сообщения, посещения, вступления) "
        "и посчитать по ней статистику; повторный запуск ничего не добавляет."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=HISTORY_DAYS, help="сколько дней истории (по умолчанию 90)")

    def handle(self, *args, days, **options):
        report = demo_history_load(days=days)
        if not report.organisations:
            self.stdout.write("История демонстрационных организаций уже есть (или они не загружены).")
            return
        self.stdout.write(
            f"История за {days} дн.: организаций — {report.organisations}, сообщений — {report.messages}, "
            f"отметок посещения — {report.presence}, заявок на вступление — {report.join_requests}, "
            f"жалоб — {report.reports}, отказов по правилам содержания — {report.refusals}, "
            f"дней показателей посчитано — {report.buckets}."
        )
