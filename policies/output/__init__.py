"""A version of a regulation laid out as a Russian organisational document (ГОСТ Р 7.0.97-2016), for print.

`layout` reads the version's own frozen content and data snapshot (never the organisation's current data) and
says what goes where: the organisation's name, the agreement stamps top left, the approval stamp top right, the
document type, date and number, the heading, the numbered clauses, the director's signature of an order, the QR
code of the version's page. `pdf.version_pdf` and `docx.version_docx` print that same layout, so that the two
files say the same words in the same places.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..models import Document, DocumentVersion

# Page margins, mm (ГОСТ Р 7.0.97-2016, п. 6.1): left, right, top, bottom.
MARGINS = {"left": 20, "right": 10, "top": 20, "bottom": 20}
DRAFT_MARK = "ПРОЕКТ"
BLANK_DATE = "«___» ____________ 20___ г."
BLANK_NUMBER = "______"
SIGN_LINE = "________________"
ORDER_COMMAND = "ПРИКАЗЫВАЮ:"


@dataclass(frozen=True)
class Stamp:
    title: str  # «УТВЕРЖДАЮ», «УТВЕРЖДЕНО», «СОГЛАСОВАНО»
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Clause:
    number: str
    text: str


@dataclass(frozen=True)
class Section:
    number: str
    title: str
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Layout:
    title: str  # the file's title: «Положение об использовании … (версия 1.0)»
    organisation: str
    draft: bool
    agreements: tuple[Stamp, ...]
    approval: Stamp | None  # None for an order: the director signs it below the text
    doc_type: str  # «ПОЛОЖЕНИЕ», «ПОРЯДОК», «ПРИКАЗ»
    date: str
    number: str  # empty when the document has no registration number of its own
    heading: str
    preamble: str
    command: str  # an order's «ПРИКАЗЫВАЮ:», on a line of its own after the preamble
    sections: tuple[Section, ...]
    signature: tuple[str, str] | None  # (position, name) under an order
    url: str  # the version's page in the portal (the QR code)
    footnote: str  # under the QR code


def signature_name(short_name: str) -> str:
    """«Иванова А.П.» as a signature names a person: «А.П. Иванова» (ГОСТ Р 7.0.97, п. 5.23)."""
    last, _, initials = (short_name or "").partition(" ")
    return f"{initials} {last}".strip() if initials else last


def version_url(version: DocumentVersion) -> str:
    """The version's page at the portal's configured address: the same in every copy, whoever downloads it."""
    path = reverse("policies:version", args=[version.document.organisation_id, version.pk])
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _day(version: DocumentVersion, moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, ZoneInfo(version.document.organisation.time_zone)).date()


def _dmy(day: datetime.date) -> str:
    return f"{day:%d.%m.%Y}"


def _approval(version: DocumentVersion, organisation: str) -> Stamp:
    method = version.approval_method
    if method == DocumentVersion.ApprovalMethod.ORDER:
        return Stamp(
            "УТВЕРЖДЕНО",
            ("приказом директора", organisation, f"от {_dmy(version.order_date)} № {version.order_number}"),
        )
    if method == DocumentVersion.ApprovalMethod.IN_APP:
        name = signature_name(version.approved_by.short_name)
        return Stamp(
            "УТВЕРЖДАЮ",
            (f"Директор {organisation}", f"{SIGN_LINE} {name}", _dmy(_day(version, version.approved_at))),
        )
    director = (version.data.get("director") or {}).get("short_name", "")
    return Stamp(
        "УТВЕРЖДАЮ",
        (f"Директор {organisation}", f"{SIGN_LINE} {signature_name(director) or SIGN_LINE}", BLANK_DATE),
    )


def _date_and_number(version: DocumentVersion) -> tuple[str, str]:
    if version.approval_method == DocumentVersion.ApprovalMethod.ORDER:
        return _dmy(version.order_date), version.order_number
    if version.approved_at:
        return _dmy(_day(version, version.approved_at)), ""
    return BLANK_DATE, BLANK_NUMBER


def layout(version: DocumentVersion, agreements) -> Layout:
    """What the printed version shows, from its frozen content and data snapshot (agreements in protocol order)."""
    content, data = version.content, version.data
    is_order = version.document.kind == Document.Kind.ORDER
    short_name = data.get("short_name", "")
    draft = not version.is_frozen
    date, number = _date_and_number(version)
    director = (
        version.approved_by.short_name if version.approved_by_id else (data.get("director") or {}).get("short_name", "")
    )
    sections = tuple(
        Section(
            number=s.get("number", ""),
            title=s.get("title", ""),
            clauses=tuple(Clause(c["number"], c["text"]) for c in s["clauses"]),
        )
        for s in content.get("sections", [])
    )
    heading = content.get("subject", "")
    preamble = content.get("preamble", "")
    command = ""
    if is_order and preamble.endswith(ORDER_COMMAND):
        preamble, command = preamble.removesuffix(ORDER_COMMAND).rstrip(), ORDER_COMMAND
    return Layout(
        title=f"{version.document.get_kind_display()} ({'проект, ' if draft else ''}версия {version.number})",
        organisation=data.get("full_name", ""),
        draft=draft,
        agreements=tuple(
            Stamp("СОГЛАСОВАНО", (a.body, f"Протокол № {a.protocol_number} от {_dmy(a.protocol_date)}"))
            for a in agreements
        ),
        approval=None if is_order else _approval(version, short_name),
        doc_type=content.get("heading", ""),
        date=date,
        number=number,
        heading=heading[:1].upper() + heading[1:],
        preamble=preamble,
        command=command,
        sections=sections,
        signature=("Директор", signature_name(director)) if is_order else None,
        url=version_url(version),
        footnote=(
            f"Версия {version.number}{' (проект)' if draft else ''}. "
            "Текст документа и сведения о его утверждении — на портале по QR-коду"
        ),
    )
