"""The structure: academic years, the divisions tree, classes by year and grade, clubs, the staff group."""

import datetime
import zoneinfo
from collections import defaultdict

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.exceptions import PortalError
from portal.web import apply_error_to_form, perform

from .. import selectors
from ..forms import AcademicYearForm, ClassForm, NamedGroupForm
from ..models import AcademicYear, Group
from ..services.structure import academic_year_create, group_archive, group_create, group_restore, group_update
from ..web import org_page

Kind = Group.Kind
CREATABLE = {Kind.DIVISION, Kind.CLASS, Kind.CLUB}


# The page indents divisions by CSS classes .depth-0 … .depth-6 (no inline styles under the CSP); deeper ones
# stay at the last step.
DEEPEST_INDENT = 6


def _tree(divisions: list[Group]) -> list[tuple[Group, int]]:
    """Divisions in tree order with their indentation depth (at most DEEPEST_INDENT), for an indented list."""
    ids = {d.pk for d in divisions}
    children = defaultdict(list)
    for d in divisions:
        children[d.parent_id if d.parent_id in ids else None].append(d)
    out: list[tuple[Group, int]] = []

    def walk(parent_id, depth):
        for node in children.get(parent_id, []):
            out.append((node, min(depth, DEEPEST_INDENT)))
            walk(node.pk, depth + 1)

    walk(None, 0)
    return out


def _classes_by_year(classes: list[Group]) -> list[tuple[AcademicYear, list[tuple[int | None, list[Group]]]]]:
    years: dict[int, tuple[AcademicYear, dict]] = {}
    for group in classes:
        year, grades = years.setdefault(group.academic_year_id, (group.academic_year, defaultdict(list)))
        grades[group.grade].append(group)
    ordered = sorted(years.values(), key=lambda item: item[0].starts_on, reverse=True)
    return [(year, sorted(grades.items(), key=lambda g: (g[0] is None, g[0] or 0))) for year, grades in ordered]


@org_page("view_members")
def structure(request, org):
    groups = list(selectors.groups_for_user(request.user, org, include_archived=True))
    active = [g for g in groups if not g.is_archived]
    context = {
        "years": AcademicYear.objects.filter(organisation=org),
        "staff_group": next((g for g in active if g.kind == Kind.STAFF), None),
        "divisions": _tree([g for g in active if g.kind == Kind.DIVISION]),
        "classes_by_year": _classes_by_year([g for g in active if g.kind == Kind.CLASS]),
        "clubs": [(g, None) for g in active if g.kind == Kind.CLUB],  # as the divisions' rows, outside the tree
        "archived": [g for g in groups if g.is_archived],
        "can_edit": request.user.has_perm("orgs.manage_org", org),
    }
    return render(request, "orgs/structure.html", context)


def _school_year_now(org) -> dict:
    """The school year going on today in the organisation's time zone: 1 September to 31 August."""
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(org.time_zone))
    first = today.year if today.month >= 9 else today.year - 1
    return {
        "name": f"{first}/{first + 1}",
        "starts_on": datetime.date(first, 9, 1),
        "ends_on": datetime.date(first + 1, 8, 31),
        "is_current": True,
    }


@org_page("manage_org")
def year_create(request, org):
    """A new academic year, filled in with the one going on today; `next` leads back (e.g. to an import's preview)."""
    form = AcademicYearForm(request.POST or None, initial=_school_year_now(org))
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = ""
    if request.method == "POST" and form.is_valid():
        try:
            academic_year_create(organisation=org, actor=request.user, **form.cleaned_data)
        except PortalError as error:
            apply_error_to_form(form, error)
        else:
            messages.success(request, _("Учебный год «%(name)s» добавлен.") % {"name": form.cleaned_data["name"]})
            return redirect(back or reverse("orgs:structure", args=[org.pk]))
    return render(request, "orgs/year_form.html", {"form": form, "next": back})


def _new_title(org, kind) -> str:
    if kind == Kind.CLASS:
        return _("Новый класс") if org.vocabulary.is_class else _("Новая группа")
    if kind == Kind.DIVISION:
        return _("Новое подразделение")
    return _("Новое объединение внеурочной деятельности")


@org_page("manage_org")
def group_new(request, org, kind):
    if kind not in CREATABLE:
        raise Http404
    form_class = ClassForm if kind == Kind.CLASS else NamedGroupForm
    form = form_class(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        try:
            group = group_create(organisation=org, actor=request.user, kind=kind, **form.cleaned_data)
        except PortalError as error:
            apply_error_to_form(form, error)
        else:
            messages.success(request, _("Добавлено в структуру: «%(name)s».") % {"name": group.name})
            return redirect("orgs:structure", org.pk)
    return render(request, "orgs/group_form.html", {"form": form, "title": _new_title(org, kind)})


@org_page("manage_org")
def group_edit(request, org, group_id):
    group = selectors.group_get(request.user, org, group_id)
    if group.kind == Kind.STAFF:
        messages.error(
            request, _("Группа «%(name)s» создаётся автоматически; её нельзя изменить.") % {"name": group.name}
        )
        return redirect("orgs:structure", org.pk)
    if group.kind == Kind.CLASS:
        initial = {"grade": group.grade, "letter": group.letter, "parent": group.parent_id}
        form = ClassForm(request.POST or None, org=org, editing=True, initial=initial)
    else:
        form = NamedGroupForm(
            request.POST or None, org=org, group=group, initial={"name": group.name, "parent": group.parent_id}
        )
    if request.method == "POST" and form.is_valid():
        try:
            group_update(group=group, actor=request.user, **form.cleaned_data)
        except PortalError as error:
            apply_error_to_form(form, error)
        else:
            messages.success(request, _("Изменения сохранены."))
            return redirect("orgs:structure", org.pk)
    return render(
        request,
        "orgs/group_form.html",
        {"form": form, "group": group, "title": _("Изменить «%(name)s»") % {"name": group.name}},
    )


def _group_change(request, org, group_id, service, done: str):
    """Archive or restore one group (`done` names it as %(name)s) and go back to the structure."""
    group = selectors.group_get(request.user, org, group_id)
    perform(request, lambda: service(group=group, actor=request.user), done % {"name": group.name})
    return redirect("orgs:structure", org.pk)


@require_POST
@org_page("manage_org")
def group_archive_view(request, org, group_id):
    return _group_change(request, org, group_id, group_archive, _("Перенесено в архив: «%(name)s»."))


@require_POST
@org_page("manage_org")
def group_restore_view(request, org, group_id):
    return _group_change(request, org, group_id, group_restore, _("Восстановлено из архива: «%(name)s»."))
