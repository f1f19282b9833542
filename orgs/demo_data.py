"""The fixed people and structure of the demo organisations (see `orgs.demo`).

Names are written out, never generated, so that every run builds the same organisations.
Accounts without a fixed phone get one from a reserved block: `Block.phone(n)`.
"""

import datetime
from dataclasses import dataclass, field

DEMO_PASSWORD = "Demo-2026!"


@dataclass(frozen=True)
class Account:
    name: str  # «Фамилия Имя Отчество»
    phone: str
    email: str | None = None
    label: str = ""  # set for the published demo accounts

    @property
    def name_parts(self) -> dict:
        last_name, first_name, *rest = self.name.split(" ", 2)
        return {"last_name": last_name, "first_name": first_name, "patronymic": rest[0] if rest else ""}


@dataclass(frozen=True)
class Staff:
    account: Account | str
    position: str = "teacher"
    verified: bool = True
    curator_of: str = ""
    teaches: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class OrgSpec:
    profile: dict
    admin: Account
    order_number: str
    year: tuple[str, datetime.date, datetime.date]
    # (division name, ((grade, letter), ...)); classes are created inside their division.
    divisions: tuple[tuple[str, tuple[tuple[int, str], ...]], ...]
    clubs: tuple[str, ...]
    staff: tuple[Staff, ...]
    # class name → ((student, parent or None), ...); a string is a person with a phone from the org's blocks.
    students: dict[str, tuple[tuple[Account | str, Account | str | None], ...]] = field(default_factory=dict)
    phone_blocks: tuple[str, str, str] = ("", "", "")  # staff, students, parents: "+7900001" → +79000010001…
    # The staff headcount the administrator entered in the profile (not everyone is on the portal yet).
    staff_headcount: int | None = None


def _demo(label, name, phone, email) -> Account:
    return Account(name=name, phone=phone, email=email, label=label)


OPERATOR = _demo("оператор платформы", "Никонов Павел Сергеевич", "+79000000001", "operator@demo.school-portal.ru")
SCHOOL_ADMIN = _demo("администратор школы", "Петрова Галина Михайловна", "+79000000002", "admin@demo.school-portal.ru")
SCHOOL_DIRECTOR = _demo("директор школы", "Соколова Ирина Викторовна", "+79000000003", "director@demo.school-portal.ru")
SCHOOL_CURATOR = _demo(
    "классный руководитель 5А", "Морозова Елена Сергеевна", "+79000000004", "curator@demo.school-portal.ru"
)
SCHOOL_TEACHER = _demo(
    "учитель математики (5А, 7Б)", "Кузнецов Дмитрий Александрович", "+79000000005", "teacher@demo.school-portal.ru"
)
SCHOOL_STUDENT = _demo("ученик 5А", "Лебедев Артём Ильич", "+79000000007", "student@demo.school-portal.ru")
SCHOOL_PARENT = _demo(
    "родитель (дети в 5А и 7Б)", "Лебедева Светлана Юрьевна", "+79000000008", "parent@demo.school-portal.ru"
)
COLLEGE_ADMIN = _demo(
    "администратор колледжа", "Захарова Ольга Николаевна", "+79000000012", "college-admin@demo.school-portal.ru"
)
COLLEGE_CURATOR = _demo(
    "куратор группы ЭС-21", "Сергеев Виктор Павлович", "+79000000014", "college-curator@demo.school-portal.ru"
)
# Attached to the municipality of both demo organisations by the statistics app (`load_demo_area`): a member of none.
METHODOLOGIST = _demo(
    "методист муниципалитета (статистика обеих демо-организаций)",
    "Ильина Наталья Борисовна",
    "+79000000020",
    "methodologist@demo.school-portal.ru",
)

DEMO_ACCOUNTS = (
    OPERATOR,
    SCHOOL_ADMIN,
    SCHOOL_DIRECTOR,
    SCHOOL_CURATOR,
    SCHOOL_TEACHER,
    SCHOOL_STUDENT,
    SCHOOL_PARENT,
    COLLEGE_ADMIN,
    COLLEGE_CURATOR,
    METHODOLOGIST,
)

SCHOOL = OrgSpec(
    profile={
        "kind": "school",
        "full_name": "Муниципальное бюджетное общеобразовательное учреждение "
        "«Средняя общеобразовательная школа № 12 г. Гусиноозёрска»",
        "short_name": "МБОУ «СОШ № 12 г. Гусиноозёрска»",
        "address": "671160, Республика Бурятия, Селенгинский район, г. Гусиноозёрск, ул. Школьная, д. 12",
        "region": "Республика Бурятия",
        "municipality": "Селенгинский район",
        "contact_phone": "+7 (30145) 4-12-12",
        "contact_email": "school12@demo.school-portal.ru",
        "time_zone": "Asia/Irkutsk",
    },
    admin=SCHOOL_ADMIN,
    order_number="57-ОД",
    staff_headcount=14,
    year=("2026/2027", datetime.date(2026, 9, 1), datetime.date(2027, 5, 31)),
    divisions=(
        ("Начальная школа", ((1, "А"),)),
        ("Основная школа", ((5, "А"), (5, "Б"), (7, "Б"), (9, "А"))),
        ("Средняя школа", ((11, "А"),)),
    ),
    clubs=("Робототехника", "Школьный театр «Байкальская сказка»"),
    staff=(
        Staff(SCHOOL_DIRECTOR, position="director"),
        Staff("Васильев Андрей Николаевич", position="deputy", teaches=(("Физика", ("9А", "11А")),)),
        Staff(SCHOOL_CURATOR, curator_of="5А", teaches=(("Русский язык", ("5А",)),)),
        Staff(SCHOOL_TEACHER, teaches=(("Математика", ("5А", "7Б")),)),
        Staff("Иванова Ольга Петровна", curator_of="1А", teaches=(("Окружающий мир", ("1А",)),)),
        Staff("Павлова Наталья Игоревна", curator_of="5Б", teaches=(("Английский язык", ("5А", "5Б")),)),
        Staff("Григорьев Сергей Михайлович", curator_of="7Б", teaches=(("История", ("7Б", "9А")),)),
        Staff("Белова Татьяна Андреевна", curator_of="9А", teaches=(("Литература", ("9А", "11А")),)),
        Staff("Николаева Марина Владимировна", curator_of="11А", teaches=(("Химия", ("11А",)),)),
        Staff("Фёдоров Алексей Игоревич", verified=False, teaches=(("Информатика", ("9А",)),)),
        Staff("Смирнова Анастасия Олеговна", verified=False),
    ),
    students={
        "1А": (
            ("Андреев Максим Павлович", "Андреева Юлия Сергеевна"),
            ("Борисова Ева Дмитриевна", "Борисов Дмитрий Олегович"),
            ("Волков Тимофей Романович", "Волкова Анна Викторовна"),
            ("Герасимова Алиса Константиновна", None),
            ("Денисов Марк Евгеньевич", None),
            ("Ершова Виктория Алексеевна", None),
        ),
        "5А": (
            (SCHOOL_STUDENT, SCHOOL_PARENT),
            ("Александрова София Андреевна", "Александров Андрей Викторович"),
            ("Богданов Иван Сергеевич", "Богданова Елена Николаевна"),
            ("Виноградова Мария Олеговна", None),
            ("Голубев Кирилл Денисович", None),
            ("Дмитриева Анна Максимовна", None),
            ("Егоров Михаил Артёмович", None),
        ),
        "5Б": (
            ("Жуков Даниил Алексеевич", "Жукова Ольга Ивановна"),
            ("Зайцева Варвара Игоревна", "Зайцев Игорь Петрович"),
            ("Ильин Роман Викторович", None),
            ("Калинина Дарья Сергеевна", None),
            ("Комаров Егор Андреевич", None),
            ("Ларионова Ксения Павловна", None),
        ),
        "7Б": (
            ("Лебедева Полина Ильинична", SCHOOL_PARENT),
            ("Макаров Никита Олегович", "Макарова Наталья Геннадьевна"),
            ("Медведева Алёна Романовна", None),
            ("Никитин Глеб Сергеевич", "Никитина Ирина Александровна"),
            ("Орлова Вероника Денисовна", None),
            ("Попов Лев Андреевич", None),
        ),
        "9А": (
            ("Романов Степан Ильич", "Романова Татьяна Викторовна"),
            ("Савельева Екатерина Алексеевна", "Савельев Алексей Николаевич"),
            ("Тарасов Артемий Максимович", None),
            ("Ушакова Милана Евгеньевна", None),
            ("Филиппов Матвей Олегович", None),
            ("Фролова Анастасия Дмитриевна", None),
        ),
        "11А": (
            ("Харитонов Владислав Игоревич", "Харитонова Светлана Николаевна"),
            ("Цветкова Алина Сергеевна", "Цветков Сергей Валерьевич"),
            ("Чернов Илья Андреевич", None),
            ("Шестакова Яна Павловна", None),
            ("Щербаков Денис Викторович", None),
            ("Яковлева Полина Романовна", None),
        ),
    },
    phone_blocks=("+7900001", "+7900002", "+7900003"),
)

COLLEGE = OrgSpec(
    profile={
        "kind": "college",
        "full_name": "Государственное бюджетное профессиональное образовательное учреждение "
        "«Гусиноозёрский энерготехнический колледж»",
        "short_name": "ГБПОУ «Гусиноозёрский энерготехнический колледж»",
        "address": "671160, Республика Бурятия, Селенгинский район, г. Гусиноозёрск, ул. Энергетиков, д. 5",
        "region": "Республика Бурятия",
        "municipality": "Селенгинский район",
        "contact_phone": "+7 (30145) 4-05-05",
        "contact_email": "college@demo.school-portal.ru",
        "time_zone": "Asia/Irkutsk",
    },
    admin=COLLEGE_ADMIN,
    order_number="112-ОД",
    staff_headcount=8,
    year=("2026/2027", datetime.date(2026, 9, 1), datetime.date(2027, 6, 30)),
    divisions=(
        ("Энергетическое отделение", ((2, "ЭС-21"), (2, "ЭС-22"))),
        ("Механическое отделение", ((2, "ТМ-23"),)),
    ),
    clubs=("Студенческое научное общество", "Волейбол"),
    staff=(
        Staff("Бадмаев Баир Цыренович", position="director"),
        Staff(COLLEGE_CURATOR, curator_of="ЭС-21", teaches=(("Электрические машины", ("ЭС-21",)),)),
        Staff("Кравченко Людмила Анатольевна", curator_of="ЭС-22", teaches=(("Математика", ("ЭС-22", "ТМ-23")),)),
        Staff("Полякова Инна Валерьевна", curator_of="ТМ-23", teaches=(("Техническая механика", ("ТМ-23",)),)),
        Staff("Данилов Константин Юрьевич", verified=False, teaches=(("Охрана труда", ("ЭС-22",)),)),
    ),
    students={
        "ЭС-21": (
            ("Абрамов Вадим Олегович", "Абрамова Людмила Петровна"),
            ("Белоусов Георгий Андреевич", None),
            ("Гусева Ульяна Сергеевна", "Гусев Сергей Иванович"),
            ("Дорофеев Антон Николаевич", None),
            ("Киселёв Павел Дмитриевич", None),
        ),
        "ЭС-22": (
            ("Лазарев Руслан Игоревич", "Лазарева Оксана Викторовна"),
            ("Мартынова Диана Алексеевна", None),
            ("Носков Ярослав Евгеньевич", None),
            ("Осипов Игорь Витальевич", None),
            ("Пахомова Карина Андреевна", "Пахомов Андрей Юрьевич"),
        ),
        "ТМ-23": (
            ("Рябов Семён Александрович", None),
            ("Субботин Олег Михайлович", "Субботина Галина Ивановна"),
            ("Титов Богдан Сергеевич", None),
            ("Уваров Евгений Павлович", None),
            ("Федотова Алина Игоревна", None),
        ),
    },
    phone_blocks=("+7900004", "+7900005", "+7900006"),
)
