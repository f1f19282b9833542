"""The start page, an organisation's overview for each role, and the public registration application."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from portal.exceptions import PortalError
from portal.web import apply_error_to_form

from .. import onboarding, selectors
from ..forms import ApplicationForm
from ..hooks import page_sections
from ..models import Membership, Placement
from ..services.registration import application_submit
from ..web import org_page

LEADER_POSITIONS = {Membership.Position.DIRECTOR, Membership.Position.DEPUTY}
VERIFIED_NEWS_FOR = timedelta(days=14)


def home(request):
    """Anonymous visitors get the way in; a member of one organisation goes straight to it."""
    if not request.user.is_authenticated:
        return render(request, "orgs/landing.html")
    organisations = list(selectors.organisations_for_user(request.user))
    if len(organisations) == 1 and not request.user.is_superuser:
        return redirect("orgs:org_home", organisations[0].pk)
    entries = [(org, _role_labels(request.user, org)) for org in organisations]
    pending = selectors.pending_applications().count() if request.user.is_superuser else 0
    context = {"entries": entries, "pending_count": pending, **page_sections("home", request)}
    return render(request, "orgs/home.html", context)


def _role_labels(user, org) -> list[str]:
    return [str(Membership.Role(role).label) for role in sorted(selectors.roles_in(user, org))]


@org_page("view_org")
def org_home(request, org):
    """What the viewer's role(s) can do here: links for administrators, own classes, own children."""
    user = request.user
    memberships = list(selectors.members_for_user(user, org).filter(user=user))
    teacher = next((m for m in memberships if m.role == Membership.Role.TEACHER), None)
    context = {
        "memberships": memberships,
        "is_leader": bool(teacher and teacher.position in LEADER_POSITIONS),
        "awaiting_verification": bool(teacher and teacher.verification == Membership.Verification.PENDING),
        # The news of the verification stays on the home page for a fortnight (the letter says it too).
        "verified_lately": bool(
            teacher
            and teacher.verification == Membership.Verification.VERIFIED
            and teacher.verified_at
            and teacher.verified_at > timezone.now() - VERIFIED_NEWS_FOR
        )
        and teacher.verified_at,
        "curated": selectors.curator_assignments(org).filter(teacher=user).order_by("group__grade", "group__name"),
        "teaching": selectors.teaching_assignments(org).filter(teacher=user).order_by("group__grade", "group__name"),
        "own_placement": selectors.placements(org).filter(student=user).first(),
        "children": selectors.parent_links(org)
        .filter(parent=user)
        .prefetch_related(
            Prefetch(
                "child__placements",
                queryset=Placement.objects.filter(organisation=org, valid_to__isnull=True).select_related("group"),
                to_attr="current_placements",
            )
        ),
    }
    if user.has_perm("orgs.manage_org", org):
        context["steps"], context["next_step"] = onboarding.onboarding_steps(org)
    placement = context["own_placement"]
    if placement:
        context["own_curator"] = selectors.curator_assignments(org).filter(group=placement.group).first()
    context.update(page_sections("org_home", request, organisation=org))
    return render(request, "orgs/org_home.html", context)


def application_create(request):
    """«Заявка на регистрацию» — public; the order file is checked by its content."""
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "order_file"}
        try:
            application_submit(data=data, order_file=form.cleaned_data["order_file"])
        except (PortalError, ValidationError) as error:
            apply_error_to_form(form, error)
        else:
            return redirect(reverse("orgs:application_done"))
    return render(request, "orgs/application_form.html", {"form": form})


def application_done(request):
    return render(request, "orgs/application_done.html")
