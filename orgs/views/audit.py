"""«Журнал действий»: the organisation's audit trail for administrators and leaders, filterable, with a CSV export."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User

# The one table writer (and formula-injection guard) of the project's spreadsheet exports.
from portal.spreadsheets import CSV_TYPE, csv_table

from .. import selectors
from ..audit_labels import action_group_choices, action_group_q, action_label, detail_items, details_text
from ..models import AuditEntry, Organisation
from ..web import org_page

PAGE_SIZE = 50
SYSTEM = "system"
CSV_HEADERS = ("Когда", "Кто", "Действие", "Объект", "Подробности", "Адрес")


class AuditFilterForm(forms.Form):
    group = forms.ChoiceField(label=_("Раздел"), required=False)
    actor = forms.ChoiceField(label=_("Кто"), required=False)
    q = forms.CharField(label=_("Имя или фамилия"), required=False, max_length=100)
    date_from = forms.DateField(label=_("С даты"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("По дату"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("Все разделы")), *action_group_choices()]
        self.fields["actor"].choices = [("", _("Все")), (SYSTEM, _("Система (автоматически)"))] + [
            (str(u.pk), u.full_name) for u in actors
        ]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Дата окончания раньше даты начала."))
        return data


def log_actors(organisation: Organisation):
    """The people who appear in the organisation's log, for the «Кто» list."""
    ids = selectors.audit_entries(organisation).filter(actor__isnull=False).values("actor_id")
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "patronymic", "pk")


def filter_entries(qs, organisation: Organisation, data: dict):
    """Narrow the log by action group, actor (or a name search) and a date range in the organisation's time zone."""
    if data.get("group"):
        qs = qs.filter(action_group_q(data["group"]))
    actor = data.get("actor")
    if actor == SYSTEM:
        qs = qs.filter(actor__isnull=True)
    elif actor:
        qs = qs.filter(actor_id=int(actor))
    for word in (data.get("q") or "").split()[:4]:
        qs = qs.filter(
            Q(actor__last_name__icontains=word)
            | Q(actor__first_name__icontains=word)
            | Q(actor__patronymic__icontains=word)
        )
    zone = ZoneInfo(organisation.time_zone)
    if data.get("date_from"):
        qs = qs.filter(created_at__gte=datetime.datetime.combine(data["date_from"], datetime.time.min, tzinfo=zone))
    if data.get("date_to"):
        next_day = data["date_to"] + datetime.timedelta(days=1)
        qs = qs.filter(created_at__lt=datetime.datetime.combine(next_day, datetime.time.min, tzinfo=zone))
    return qs


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    # As the organisation's clocks showed it; formatted here, since template date filters use the site's zone.
    when: str
    label: str
    details: list[tuple[str, str]]

    @property
    def who(self) -> str:
        return self.entry.actor.full_name if self.entry.actor else gettext("Система")


def _rows(entries, organisation: Organisation) -> list[AuditRow]:
    zone = ZoneInfo(organisation.time_zone)
    return [
        AuditRow(
            e,
            f"{timezone.localtime(e.created_at, zone):%d.%m.%Y %H:%M}",
            action_label(e.action, organisation.vocabulary),
            detail_items(e.action, e.details, organisation.vocabulary),
        )
        for e in entries
    ]


def audit_csv(entries, organisation: Organisation) -> bytes:
    """The filtered log as CSV in UTF-8 with a BOM and «;» between fields, as Excel with Russian settings opens it."""
    zone = ZoneInfo(organisation.time_zone)
    rows = (
        [
            f"{timezone.localtime(e.created_at, zone):%d.%m.%Y %H:%M:%S}",
            e.actor.full_name if e.actor else "Система",
            action_label(e.action, organisation.vocabulary),
            e.object_repr,
            details_text(e.action, e.details, organisation.vocabulary),
            e.ip_address or "",
        ]
        for e in entries.iterator(chunk_size=2000)
    )
    return csv_table([f"Когда (время: {organisation.get_time_zone_display()})", *CSV_HEADERS[1:]], rows)


@org_page("view_audit")
def audit(request, org):
    form = AuditFilterForm(request.GET or None, actors=log_actors(org))
    entries = selectors.audit_entries(org).order_by("-created_at", "-id")
    if form.is_bound:
        form.is_valid()  # a field with an error is left out of cleaned_data; the others still filter
        entries = filter_entries(entries, org, form.cleaned_data)
    if request.GET.get("export") == "csv":
        today = timezone.localtime(timezone.now(), ZoneInfo(org.time_zone)).date()
        response = HttpResponse(audit_csv(entries, org), content_type=CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="audit-{org.pk}-{today:%Y-%m-%d}.csv"'
        return response
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orgs/audit.html", {"form": form, "page": page, "rows": _rows(page.object_list, org)})
