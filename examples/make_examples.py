"""Writes the example roster files of examples/ as an e-journal exports them (run it to make them again).

    .venv/bin/python examples/make_examples.py

students-5-7.csv — Windows-1251, «;»: students of the demo school with their parents, and a few rows with
mistakes (a class the school does not have, a date that does not exist, a row repeated, a wrong phone).
staff.xlsx — the demo school's new teachers, one already on the portal and two rows with mistakes.
"""

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

STUDENT_HEADERS = [
    "№", "Фамилия", "Имя", "Отчество", "Класс", "Дата рождения", "E-mail", "Телефон",
    "ФИО родителя (законного представителя)", "Телефон родителя", "Кем приходится",
]  # fmt: skip
STUDENTS = [
    ["Абрамов", "Олег", "Петрович", "5А", "14.03.2015", "", "", "Абрамова Ирина Сергеевна", "+79001110001", "мать"],
    ["Белкина", "Алина", "Юрьевна", "5А", "02.11.2014", "alina.belkina@example.org", "+79001110002",
     "Белкин Юрий Андреевич", "+79001110003", "отец"],
    ["Воронцов", "Илья", "Андреевич", "5Б", "21.06.2015", "", "", "Воронцова Анна Игоревна", "+79001110004", "мать"],
    ["Гусева", "Дарья", "Олеговна", "7Б", "09.01.2013", "", "+79001110005", "Гусев Олег Павлович",
     "oleg.gusev@example.org", "отец"],
    ["Данилов", "Артём", "Ильич", "1А", "30.08.2019", "", "", "Данилова Мария Петровна", "+79001110006", "мать"],
    ["Ефимова", "Злата", "Романовна", "1А", "15.04.2019", "", "", "Ефимова Ольга Ивановна", "+79001110007", "мать"],
    # Already on the portal: the demo pupil of 5А.
    ["Лебедев", "Артём", "Ильич", "5А", "", "", "", "", "", ""],
    # Bad rows: a class the school does not have yet, a date that does not exist, a repeated row, a wrong phone.
    ["Жданов", "Роман", "Сергеевич", "5 Г", "07.07.2015", "", "", "Жданова Вера Николаевна", "+79001110008", "мать"],
    ["Зуева", "Маргарита", "Ивановна", "7Б", "31.02.2013", "", "", "", "", ""],
    ["Абрамов", "Олег", "Петрович", "5А", "14.03.2015", "", "", "Абрамова Ирина Сергеевна", "+79001110001", "мать"],
    ["Исаев", "Тимур", "Маратович", "5Б", "19.09.2015", "", "12-34", "", "", ""],
]  # fmt: skip

STAFF_HEADERS = ["ФИО", "Должность", "Предметы", "Классы", "Классное руководство", "E-mail", "Телефон"]
STAFF = [
    ["Соловьёва Ирина Викторовна", "учитель", "Биология", "7Б, 9А", "", "solovyova@example.org", "+79002220001"],
    ["Тихонов Павел Сергеевич", "учитель", "Физическая культура", "5А, 5Б, 7Б", "", "", "+79002220002"],
    ["Яковлева Елена Борисовна", "педагог-психолог", "", "", "", "yakovleva@example.org", ""],
    # Already on the portal: the demo teacher of mathematics.
    ["Кузнецов Дмитрий Александрович", "учитель", "Математика", "5А, 7Б", "", "", ""],
    # Bad rows: a class the school does not have, a name missing.
    ["Орлов Виктор Петрович", "учитель", "География", "8В", "", "", ""],
    ["", "учитель", "Музыка", "5А", "", "", ""],
]


def main() -> None:
    lines = [";".join(STUDENT_HEADERS)]
    lines += [";".join([str(n), *row]) for n, row in enumerate(STUDENTS, start=1)]
    (HERE / "students-5-7.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))
    book = Workbook()
    sheet = book.active
    sheet.title = "Сотрудники"
    sheet.append(STAFF_HEADERS)
    for row in STAFF:
        sheet.append(row)
    book.save(HERE / "staff.xlsx")


if __name__ == "__main__":
    main()
