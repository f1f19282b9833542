"""A class page: the roster with parents, the curator and the teachers."""

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
    people = selectors.class_people(group)  # the API's members?group= answers with the same people
    context = {
        "group": group,
        "roster": people.roster,
        "curator": people.curator,
        "teaching": people.teaching,
        **page_sections("class", request, organisation=org, group=group),
    }
    return render(request, "orgs/class.html", context)
