"""The columns of a roster file: the fields we read and the Russian headers e-journals give them.

A header is compared after `header_key` (lower case, «ё» as «е», only letters and digits), so that «Ф.И.О.»,
«ФИО» and «фио » are one header.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from orgs.vocabulary import SCHOOL, Vocabulary


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    headers: tuple[str, ...]
    word: str = ""  # the vocabulary's word that names the column instead of `label` («Группа», «Кураторство»)

    def label_in(self, vocabulary: Vocabulary) -> str:
        """The column's name in the organisation's words: «Класс» in a school, «Группа» in a college."""
        if not self.word:
            return str(self.label)
        text = str(getattr(vocabulary, self.word))
        return text[:1].upper() + text[1:]


NAME_FIELDS = (
    Field("last_name", _("Фамилия"), ("фамилия", "фамилияученика", "фамилияобучающегося")),
    Field("first_name", _("Имя"), ("имя", "имяученика", "имяобучающегося")),
    Field("patronymic", _("Отчество"), ("отчество", "отчествоученика", "отчествообучающегося")),
    Field(
        "full_name",
        _("ФИО"),
        ("фио", "фиоученика", "фиообучающегося", "обучающийся", "ученик", "учащийся", "сотрудник", "педагог"),
    ),
)
CONTACT_FIELDS = (
    Field("email", _("E-mail"), ("email", "электроннаяпочта", "элпочта", "почта", "адресэлектроннойпочты")),
    Field("phone", _("Телефон"), ("телефон", "мобильныйтелефон", "тел", "телефонученика", "контактныйтелефон")),
)

STUDENT_FIELDS = (
    *NAME_FIELDS,
    Field(
        "group",
        _("Класс"),
        ("класс", "классгруппа", "группа", "учебнаягруппа", "класспараллельлитера", "шифргруппы"),
        word="group",
    ),
    Field("birth_date", _("Дата рождения"), ("датарождения", "др", "деньрождения")),
    *CONTACT_FIELDS,
    Field(
        "parent_name",
        _("ФИО родителя"),
        (
            "фиородителя",
            "родитель",
            "законныйпредставитель",
            "фиозаконногопредставителя",
            "родительфио",
            "фиородителязаконногопредставителя",
        ),
    ),
    Field(
        "parent_contact",
        _("Телефон или e-mail родителя"),
        (
            "телефонродителя",
            "контактродителя",
            "emailродителя",
            "телефонemailродителя",
            "телефонзаконногопредставителя",
            "телефонилиemailродителя",
        ),
    ),
    Field(
        "parent_relation", _("Кем приходится"), ("кемприходится", "степеньродства", "родство", "статуспредставителя")
    ),
)

STAFF_FIELDS = (
    *NAME_FIELDS,
    Field("position", _("Должность"), ("должность",)),
    Field("subjects", _("Предметы"), ("предметы", "предмет", "преподаваемыепредметы", "дисциплины")),
    Field(
        "classes_taught",
        _("Классы"),
        ("классы", "преподаётвклассах", "классыпреподавание", "группы", "преподаётвгруппах"),
        word="groups",
    ),
    Field(
        "curator_of",
        _("Классное руководство"),
        ("классноеруководство", "классныйруководитель", "клруководство", "кураторгруппы", "кураторство", "куратор"),
        word="curatorship",
    ),
    *CONTACT_FIELDS,
)

FIELDS = {"students": STUDENT_FIELDS, "staff": STAFF_FIELDS}


def header_key(text: str) -> str:
    return re.sub(r"[^0-9a-zа-я]", "", str(text).lower().replace("ё", "е"))


def fields_of(kind: str) -> dict[str, Field]:
    return {field.name: field for field in FIELDS[kind]}


def guess_mapping(kind: str, headers: list[str]) -> dict[str, int]:
    """Field name → column index for every header we recognise; the first column with a known header wins."""
    known = {header_key(alias): field.name for field in FIELDS[kind] for alias in field.headers}
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = known.get(header_key(header))
        if name and name not in mapping:
            mapping[name] = index
    return mapping


def mapping_problems(kind: str, mapping: dict[str, int], vocabulary: Vocabulary = SCHOOL) -> list[str]:
    """What the mapping lacks before rows can be read: a name (in parts or whole), and a class (group) for
    students."""
    problems = []
    has_name = "full_name" in mapping or ("last_name" in mapping and "first_name" in mapping)
    if not has_name:
        problems.append(str(_("Укажите столбцы «Фамилия» и «Имя» или один столбец «ФИО».")))
    if kind == "students" and "group" not in mapping:
        problems.append(
            str(_("Укажите столбец «%(column)s».") % {"column": fields_of(kind)["group"].label_in(vocabulary)})
        )
    return problems
