"""A class page: the roster with parents, the curator and the teachers."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .. import selectors
from ..hooks import page_sections
from ..models import Group
from ..web import org_page


@org_page("view_org")
def class_detail(request, org, group_id):
    group = selectors.group_get(request.user, org, group_id)
    user = request.user
    if group.kind != Group.Kind.CLASS:
        raise PermissionDenied
    if not (user.has_perm("orgs.view_members", org) or user.has_perm("orgs.view_group_roster", group)):
        raise PermissionDenied
    roster = list(selectors.placements(org).filter(group=group).order_by("student__last_name", "student__first_name"))
    parents = defaultdict(list)
    for link in selectors.parent_links(org).filter(child_id__in=[p.student_id for p in roster]):
        parents[link.child_id].append(link.parent)
    context = {
        "group": group,
        "roster": [(p.student, parents.get(p.student_id, [])) for p in roster],
        "curator": selectors.curator_assignments(org).filter(group=group).first(),
        "teaching": selectors.teaching_assignments(org).filter(group=group).order_by("subject"),
        **page_sections("class", request, organisation=org, group=group),
    }
    return render(request, "orgs/class.html", context)
