"""The words an organisation's kind selects (SPEC "Domain")."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Vocabulary:
    staff_group: str
    group: str
    groups: str
    group_genitive: str
    group_locative: str
    curator: str
    teacher: str
    teachers: str
    student: str
    students: str
    general_channel: str
    staff_channel: str
    grade: str


SCHOOL = Vocabulary(
    staff_group="Учительская",
    group="класс",
    groups="классы",
    group_genitive="класса",
    group_locative="классе",
    curator="классный руководитель",
    teacher="учитель",
    teachers="учителя",
    student="ученик",
    students="ученики",
    general_channel="Общешкольный канал",
    staff_channel="Учительская",
    grade="параллель",
)
COLLEGE = Vocabulary(
    staff_group="Сотрудники",
    group="группа",
    groups="группы",
    group_genitive="группы",
    group_locative="группе",
    curator="куратор",
    teacher="преподаватель",
    teachers="преподаватели",
    student="обучающийся",
    students="обучающиеся",
    general_channel="Общий канал",
    staff_channel="Сотрудники",
    grade="курс",
)
ADDITIONAL = Vocabulary(
    staff_group="Сотрудники",
    group="группа",
    groups="группы",
    group_genitive="группы",
    group_locative="группе",
    curator="руководитель группы",
    teacher="педагог",
    teachers="педагоги",
    student="обучающийся",
    students="обучающиеся",
    general_channel="Общий канал",
    staff_channel="Сотрудники",
    grade="год обучения",
)
KINDERGARTEN = Vocabulary(
    staff_group="Сотрудники",
    group="группа",
    groups="группы",
    group_genitive="группы",
    group_locative="группе",
    curator="воспитатель группы",
    teacher="педагог",
    teachers="педагоги",
    student="воспитанник",
    students="воспитанники",
    general_channel="Общий канал",
    staff_channel="Сотрудники",
    grade="возрастная ступень",
)

BY_KIND = {"school": SCHOOL, "college": COLLEGE, "additional": ADDITIONAL, "kindergarten": KINDERGARTEN}
