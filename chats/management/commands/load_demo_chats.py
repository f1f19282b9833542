from chats.demo import demo_chats_load
from orgs.demo import DemoLoadCommand


class Command(DemoLoadCommand):
    help = (
        "Создать в демонстрационных организациях чаты руководителя и классного руководителя; "
        "повторный запуск ничего не дублирует."
    )

    def load(self, organisation):
        return demo_chats_load(organisation=organisation)

    def describe(self, added):
        return "созданы чаты " + ", ".join(f"«{chat.title}»" for chat in added)
