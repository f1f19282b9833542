"""A document template: sections of clauses whose text has {placeholders}, and its rendering to stored content.

The content of a version is plain JSON, so that a frozen version shows what was approved whatever the code says
later: {"heading", "subject", "preamble", "sections": [{"key", "number", "title", "clauses": [{"key", "number",
"text"}]}]}. Clauses keep their template key, by which an edited draft is compared with the template.
"""

import datetime
import re
import string
from dataclasses import dataclass

PLATFORM = (
    "портал образовательной организации",
    "портала образовательной организации",
    "порталом образовательной организации",
)
BLANK = "________________"

DUTY_LABELS = {
    "platform": "за работу платформы",
    "personal_data": "за обработку персональных данных",
    "moderation": "за модерацию сообщений",
}


@dataclass(frozen=True)
class Clause:
    key: str
    text: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Template:
    heading: str  # the document type, as the heading's first line («ПОЛОЖЕНИЕ»)
    subject: str  # what the document is about, after the type
    sections: tuple[Section, ...]
    preamble: str = ""
    flat: bool = False  # an order numbers its clauses 1, 2, 3 under no section titles


def _people(data: dict, duty: str) -> str:
    found = [f"{p['short_name']} ({p['position']})" for p in data["responsible"] if p["duty"] == duty]
    return ", ".join(found) if found else BLANK


def context(data: dict) -> dict:
    """The values the placeholders take, from an organisation snapshot (policies.data.organisation_snapshot)."""
    words = data["words"]
    director = data["director"]
    admins = [p["short_name"] for p in data["admins"]]
    return {
        "platform": PLATFORM[0],
        "platform_genitive": PLATFORM[1],
        "platform_instrumental": PLATFORM[2],
        "full_name": data["full_name"],
        "short_name": data["short_name"],
        "address": data["address"],
        "org": words["org"],
        "org_genitive": words["org_genitive"],
        "org_locative": words["org_locative"],
        "curator": words["curator"],
        "curator_cap": words["curator"][:1].upper() + words["curator"][1:],
        "group": words["group"],
        "group_genitive": words["group_genitive"],
        "teachers": words["teachers"],
        "director": director["short_name"] if director else BLANK,
        "admins": ", ".join(admins) if admins else BLANK,
        "platform_person": _people(data, "platform"),
        "personal_data_person": _people(data, "personal_data"),
        "moderation_person": _people(data, "moderation"),
        "forbidden_services": "; ".join(data["forbidden_services"]),
        "academic_year": data["academic_year"],
    }


class _Values(dict):
    def __missing__(self, key):  # an unknown placeholder stays visible rather than failing the whole document
        return "{" + key + "}"


# A value that ends a sentence with its own full stop (initials: «Иванов И.И.») must not leave two.
_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


def fill(text: str, values: dict) -> str:
    return _DOUBLE_STOP.sub(".", string.Formatter().vformat(text, (), _Values(values)))


def clause_number(template: Template, section_index: int, clause_index: int) -> str:
    return str(clause_index + 1) if template.flat else f"{section_index + 1}.{clause_index + 1}"


def render(template: Template, data: dict) -> dict:
    """The template filled from the snapshot, as a version's content."""
    values = context(data)
    sections = []
    for i, section in enumerate(template.sections):
        clauses = [
            {"key": clause.key, "number": clause_number(template, i, j), "text": fill(clause.text, values)}
            for j, clause in enumerate(section.clauses)
        ]
        sections.append(
            {
                "key": section.key,
                "number": "" if template.flat else str(i + 1),
                "title": section.title,
                "clauses": clauses,
            }
        )
    return {
        "heading": template.heading,
        "subject": fill(template.subject, values),
        "preamble": fill(template.preamble, values),
        "sections": sections,
    }


def iter_clauses(content: dict):
    for section in content.get("sections", []):
        yield from section["clauses"]


def today_text(day: datetime.date) -> str:
    return day.strftime("%d.%m.%Y")
