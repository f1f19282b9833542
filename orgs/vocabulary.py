"""The words an organisation's kind selects (SPEC "Domain")."""

from dataclasses import dataclass, replace

from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Vocabulary:
    is_class: bool  # True where a study group is called «класс» (schools)
    staff_group: str
    group: str
    groups: str
    group_genitive: str
    group_locative: str
    group_dative: str
    group_accusative: str
    group_instrumental: str
    groups_genitive: str
    groups_dative: str
    groups_locative: str
    curator: str
    curator_genitive: str
    curators_genitive: str
    curatorship: str
    teacher: str
    teachers: str
    student: str
    students: str
    students_genitive: str
    students_dative: str
    general_channel: str
    staff_channel: str
    grade: str


SCHOOL = Vocabulary(
    is_class=True,
    staff_group=pgettext_lazy("vocabulary", "Учительская"),
    group=pgettext_lazy("vocabulary", "класс"),
    groups=pgettext_lazy("vocabulary", "классы"),
    group_genitive=pgettext_lazy("vocabulary", "класса"),
    group_locative=pgettext_lazy("vocabulary", "классе"),
    group_dative=pgettext_lazy("vocabulary", "классу"),
    group_accusative=pgettext_lazy("vocabulary", "класс"),
    group_instrumental=pgettext_lazy("vocabulary", "классом"),
    groups_genitive=pgettext_lazy("vocabulary", "классов"),
    groups_dative=pgettext_lazy("vocabulary", "классам"),
    groups_locative=pgettext_lazy("vocabulary", "классах"),
    curator=pgettext_lazy("vocabulary", "классный руководитель"),
    curator_genitive=pgettext_lazy("vocabulary", "классного руководителя"),
    curators_genitive=pgettext_lazy("vocabulary", "классных руководителей"),
    curatorship=pgettext_lazy("vocabulary", "классное руководство"),
    teacher=pgettext_lazy("vocabulary", "учитель"),
    teachers=pgettext_lazy("vocabulary", "учителя"),
    student=pgettext_lazy("vocabulary", "ученик"),
    students=pgettext_lazy("vocabulary", "ученики"),
    students_genitive=pgettext_lazy("vocabulary", "учеников"),
    students_dative=pgettext_lazy("vocabulary", "ученикам"),
    general_channel=pgettext_lazy("vocabulary", "Общешкольный канал"),
    staff_channel=pgettext_lazy("vocabulary", "Учительская"),
    grade=pgettext_lazy("vocabulary", "параллель"),
)
COLLEGE = Vocabulary(
    is_class=False,
    staff_group=pgettext_lazy("vocabulary", "Сотрудники"),
    group=pgettext_lazy("vocabulary", "группа"),
    groups=pgettext_lazy("vocabulary", "группы"),
    group_genitive=pgettext_lazy("vocabulary", "группы"),
    group_locative=pgettext_lazy("vocabulary", "группе"),
    group_dative=pgettext_lazy("vocabulary", "группе"),
    group_accusative=pgettext_lazy("vocabulary", "группу"),
    group_instrumental=pgettext_lazy("vocabulary", "группой"),
    groups_genitive=pgettext_lazy("vocabulary", "групп"),
    groups_dative=pgettext_lazy("vocabulary", "группам"),
    groups_locative=pgettext_lazy("vocabulary", "группах"),
    curator=pgettext_lazy("vocabulary", "куратор"),
    curator_genitive=pgettext_lazy("vocabulary", "куратора"),
    curators_genitive=pgettext_lazy("vocabulary", "кураторов"),
    curatorship=pgettext_lazy("vocabulary", "кураторство"),
    teacher=pgettext_lazy("vocabulary", "преподаватель"),
    teachers=pgettext_lazy("vocabulary", "преподаватели"),
    student=pgettext_lazy("vocabulary", "обучающийся"),
    students=pgettext_lazy("vocabulary", "обучающиеся"),
    students_genitive=pgettext_lazy("vocabulary", "обучающихся"),
    students_dative=pgettext_lazy("vocabulary", "обучающимся"),
    general_channel=pgettext_lazy("vocabulary", "Общий канал"),
    staff_channel=pgettext_lazy("vocabulary", "Сотрудники"),
    grade=pgettext_lazy("vocabulary", "курс"),
)
# Colleges, additional education and kindergartens share the words for a group; they differ in a few roles.
ADDITIONAL = replace(
    COLLEGE,
    curator=pgettext_lazy("vocabulary", "руководитель группы"),
    curator_genitive=pgettext_lazy("vocabulary", "руководителя группы"),
    curators_genitive=pgettext_lazy("vocabulary", "руководителей групп"),
    curatorship=pgettext_lazy("vocabulary", "руководство группой"),
    teacher=pgettext_lazy("vocabulary", "педагог"),
    teachers=pgettext_lazy("vocabulary", "педагоги"),
    grade=pgettext_lazy("vocabulary", "год обучения"),
)
KINDERGARTEN = replace(
    ADDITIONAL,
    curator=pgettext_lazy("vocabulary", "воспитатель группы"),
    curator_genitive=pgettext_lazy("vocabulary", "воспитателя группы"),
    curators_genitive=pgettext_lazy("vocabulary", "воспитателей групп"),
    student=pgettext_lazy("vocabulary", "воспитанник"),
    students=pgettext_lazy("vocabulary", "воспитанники"),
    students_genitive=pgettext_lazy("vocabulary", "воспитанников"),
    students_dative=pgettext_lazy("vocabulary", "воспитанникам"),
    grade=pgettext_lazy("vocabulary", "возрастная ступень"),
)

BY_KIND = {"school": SCHOOL, "college": COLLEGE, "additional": ADDITIONAL, "kindergarten": KINDERGARTEN}


def staff_group_name(kind: str) -> str:
    """The staff group's stored name: always the Russian word, whatever language the acting user reads."""
    from django.utils import translation

    with translation.override("ru"):
        return str(BY_KIND[kind].staff_group)
