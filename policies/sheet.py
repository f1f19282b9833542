"""«Лист ознакомления» of a version: who has read it, when and how, as a PDF laid out like a school's paper sheet
(the empty lines of those who have not read it are left for signatures) and as an XLSX table."""

import datetime

from django.template.loader import render_to_string
from django.utils import timezone

from portal.pdf import html_to_pdf
from portal.spreadsheets import xlsx_bytes, xlsx_sheet, xlsx_workbook

from .models import Acknowledgement, AcknowledgementCampaign
from .selectors import approval_text
from .selectors_ack import Progress, progress, version_in_force_of

Method = Acknowledgement.Method
HEADERS = ("№", "ФИО", "Должность", "Дата ознакомления", "Подпись / отметка", "Способ")


def _mark(ack: Acknowledgement | None) -> str:
    if ack is None:
        return ""
    day = f"{ack.acknowledged_on:%d.%m.%Y}"
    if ack.method == Method.PORTAL:
        return f"ознакомление в портале {day}"
    if ack.method == Method.PARENT:
        return f"ознакомление в портале {day}, отметка родителя {ack.recorded_by.short_name}"
    recorded = timezone.localtime(ack.recorded_at)
    return f"подпись на бумаге (отметка: {ack.recorded_by.short_name}, {recorded:%d.%m.%Y})"


def sheet_rows(p: Progress) -> list[dict]:
    """The lines of the sheet: those who have read it (by date), then those who have not (by name)."""
    rows = []
    for number, row in enumerate(p.rows, start=1):
        ack = row.acknowledgement
        rows.append(
            {
                "number": number,
                "name": row.person.full_name,
                "position": row.position or "нет в организации",
                "date": ack.acknowledged_on if ack else None,
                "mark": _mark(ack),
                "method": ack.get_method_display() if ack else "",
            }
        )
    return rows


def _title(campaign: AcknowledgementCampaign) -> dict:
    version = version_in_force_of(campaign)
    return {
        "version": version,
        "organisation": version.data.get("full_name") or campaign.document.organisation.full_name,
        # «ПОЛОЖЕНИЕ» + «об использовании портала …» reads «Положение об использовании портала …».
        "document": f"{version.content.get('heading', '').capitalize()} {version.content.get('subject', '')}".strip()
        or campaign.document.get_kind_display(),
        "approval": approval_text(version) if version.approved_at else "",
    }


def sheet_pdf(campaign: AcknowledgementCampaign) -> bytes:
    p = progress(campaign)
    context = {
        **_title(campaign),
        "rows": sheet_rows(p),
        "done": len([r for r in p.done if not r.left]),
        "total": len(p.pending) + len([r for r in p.done if not r.left]),
        "made_at": timezone.localtime(),
    }
    return html_to_pdf(render_to_string("policies/sheet.html", context))


def sheet_xlsx(campaign: AcknowledgementCampaign) -> bytes:
    title = _title(campaign)
    p = progress(campaign)
    caption = (
        f"Лист ознакомления: {title['document']}, версия {title['version'].number}"
        + (f", {title['approval']}" if title["approval"] else "")
        + f" — {title['organisation']}"
    )
    rows = [(r["number"], r["name"], r["position"], r["date"], r["mark"], r["method"]) for r in sheet_rows(p)]
    workbook = xlsx_workbook()
    xlsx_sheet(workbook, "Лист ознакомления", HEADERS, rows, widths=(5, 36, 26, 16, 48, 22), caption=caption)
    return xlsx_bytes(workbook)


def sheet_filename(campaign: AcknowledgementCampaign, extension: str) -> str:
    """ASCII, as portal.downloads wants: acknowledgement-<kind>-<major>-<date>.<ext>."""
    return f"acknowledgement-{campaign.document.kind}-{campaign.major}-{datetime.date.today():%Y%m%d}.{extension}"
