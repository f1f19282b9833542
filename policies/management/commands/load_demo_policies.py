from orgs.demo import DemoLoadCommand
from policies.demo import demo_policies_load


class Command(DemoLoadCommand):
    help = (
        "Ввести в действие «Положение» и «Порядок» демонстрационных организаций (утверждает их директор) и отметить "
        "ознакомление части работников; повторный запуск ничего не дублирует."
    )

    def load(self, organisation):
        return demo_policies_load(organisation=organisation)

    def describe(self, added):
        return "введены в действие " + ", ".join(f"«{v.document.get_kind_display()}» {v.number}" for v in added)
