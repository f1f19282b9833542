"""Files as e-journals write them: encodings, separators, a BOM, XLSX, Russian headers, the limits."""

import pytest
from django.utils import translation

from portal.exceptions import RuleViolation
from roster import reading
from roster.columns import guess_mapping, mapping_problems
from roster.reading import read_table

from .helpers import STUDENT_HEADERS, csv_bytes, pupil, xlsx_bytes


@pytest.fixture(autouse=True)
def _russian():
    """The messages are asserted in Russian, whatever language an earlier test left active."""
    with translation.override("ru"):
        yield


ROWS = [pupil("Ёлкина", "Алёна", "5А"), pupil("Щукин", "Фёдор", "6Б")]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1251"])
@pytest.mark.parametrize("sep", [";", ","])
def test_csv_in_every_encoding_and_separator(encoding, sep):
    header, body = read_table(csv_bytes(ROWS, sep=sep, encoding=encoding), "list.csv")
    assert header == STUDENT_HEADERS
    assert [number for number, _row in body] == [2, 3]
    assert body[0][1][:4] == ["Ёлкина", "Алёна", "Иванович", "5А"]


def test_quoted_fields_with_the_separator_inside():
    data = 'ФИО;Класс\r\n"Иванов Иван; младший";5А\r\n'.encode("cp1251")
    _header, body = read_table(data, "list.csv")
    assert body == [(2, ["Иванов Иван; младший", "5А"])]


def test_xlsx_with_dates_and_blank_rows():
    from datetime import date

    data = xlsx_bytes([["Иванов", "Иван", "", "5А", date(2015, 3, 7)], [None] * 5, ["Петров", "Пётр", "", "5Б", None]])
    _header, body = read_table(data, "list.xlsx")
    assert [number for number, _row in body] == [2, 4]
    assert body[0][1][4] == "07.03.2015"


def test_russian_headers_are_recognised_however_written():
    headers = ["Ф.И.О.", "класс ", "Дата рождения", "Эл. почта", "Телефон родителя", "ФИО законного представителя"]
    mapping = guess_mapping("students", headers)
    assert mapping == {
        "full_name": 0,
        "group": 1,
        "birth_date": 2,
        "email": 3,
        "parent_contact": 4,
        "parent_name": 5,
    }
    assert mapping_problems("students", mapping) == []
    assert mapping_problems("students", guess_mapping("students", ["Ученик (полностью)", "Кл."])) == [
        "Укажите столбцы «Фамилия» и «Имя» или один столбец «ФИО».",
        "Укажите столбец «Класс».",
    ]


def test_size_limit_has_a_clear_message():
    with pytest.raises(RuleViolation) as error:
        read_table(b"x" * (reading.MAX_BYTES + 1), "big.csv")
    assert "больше 10 МБ" in error.value.message


def test_row_limit_has_a_clear_message():
    rows = "\r\n".join(f"Иванов{i};Иван;5А" for i in range(reading.MAX_ROWS + 1))
    with pytest.raises(RuleViolation) as error:
        read_table(("Фамилия;Имя;Класс\r\n" + rows).encode(), "many.csv")
    assert "больше 20 000 строк" in error.value.message
    # Exactly at the limit is accepted.
    rows = "\r\n".join(f"Иванов{i};Иван;5А" for i in range(reading.MAX_ROWS))
    assert len(read_table(("Фамилия;Имя;Класс\r\n" + rows).encode(), "many.csv")[1]) == reading.MAX_ROWS


@pytest.mark.parametrize(
    ("data", "name", "text"),
    [
        (b"", "a.csv", "Файл пуст."),
        (b"PK\x03\x04garbage", "a.xlsx", "Файл XLSX повреждён"),
        ("Фамилия;Имя\r\n".encode(), "a.csv", "нет строк после заголовка"),
        (b"\x81\x98\xff\xfe", "a.csv", "кодировке UTF-8 или Windows-1251"),
        # A picture sent as a list: Windows-1251 decodes any bytes, the control characters give it away (PostgreSQL
        # could not even store a NUL of it).
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file.png", "Файл не похож на таблицу"),
        ("Фамилия;Имя;Класс\r\nИванов;Иван\x00;5А\r\n".encode(), "a.csv", "Файл не похож на таблицу"),
    ],
)
def test_unreadable_files_are_refused_in_russian(data, name, text):
    with pytest.raises(RuleViolation) as error:
        read_table(data, name)
    assert text in error.value.message


def test_xlsx_blank_rows_do_not_count_towards_the_limit(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = [["Иванов", "Иван", "", "5А"], [None] * 4, [None] * 4, [None] * 4, ["Петров", "Пётр", "", "5А"]]
    _header, body = read_table(xlsx_bytes(rows), "list.xlsx")
    assert [number for number, _row in body] == [2, 6]
    with pytest.raises(RuleViolation):
        read_table(xlsx_bytes(rows + [["А", "Б", "", "5А"]] * 2), "list.xlsx")
