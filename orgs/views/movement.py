"""«Движение»: the year-end promotion (preview, confirm, report), transfers from other organisations, hiring, and a
person's history page."""

from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.exceptions import PortalError
from portal.web import apply_error_to_form, perform

from .. import selectors
from ..forms import HireForm, TransferDecisionForm
from ..models import Group, Membership
from ..movement_models import OrgTransfer
from ..services import movement as services
from ..services.people import person_add
from ..services.promotion import ACTIONS, promotion_confirm, promotion_get, promotion_preview, promotion_progress
from ..web import org_page

ACTION_LABELS = {
    "promote": gettext_lazy("перевести"),
    "graduate": gettext_lazy("выпустить"),
    "exclude": gettext_lazy("не переводить"),
    "merge": gettext_lazy("объединить с другим"),
    "split": gettext_lazy("разделить"),
}


def _changes_from(post) -> dict:
    """The administrator's changes of the plan, as the preview form posts them."""
    changes = {}
    for key, value in post.items():
        if not key.startswith("action-"):
            continue
        pk = key.removeprefix("action-")
        parts = [p.strip() for p in post.get(f"parts-{pk}", "").replace(";", ",").split(",") if p.strip()]
        students = {
            k.rsplit("-", 1)[1]: v for k, v in post.items() if k.startswith(f"part-{pk}-") and v.strip().isdigit()
        }
        changes[pk] = {
            "action": value if value in ACTIONS else None,
            "merge_into": post.get(f"merge-{pk}") or None,
            "parts": parts,
            "students": {k: int(v) for k, v in students.items()},
        }
    return changes


@org_page("manage_movement")
def promotion(request, org):
    """Preview the promotion, change it, confirm it."""
    changes = _changes_from(request.POST) if request.method == "POST" else {}
    try:
        plan = promotion_preview(organisation=org, actor=request.user, changes=changes)
    except PortalError as error:
        plan, problem = None, error.message
    else:
        problem = ""
    if request.method == "POST" and "confirm" in request.POST and plan is not None:
        result, ok = perform(
            request,
            lambda: promotion_confirm(
                organisation=org, actor=request.user, changes=changes, from_year=request.POST.get("from_year")
            ),
            "",
        )
        if ok:
            return redirect("orgs:promotion_report", org.pk, result.pk)
    context = {
        "plan": plan,
        "problem": problem,
        "labels": ACTION_LABELS,
        "history": selectors.promotions(org)[:5],
    }
    return render(request, "orgs/promotion.html", context, status=400 if plan and plan["errors"] else 200)


@org_page("manage_movement")
def promotion_report(request, org, promotion_id):
    promotion = promotion_get(organisation=org, actor=request.user, pk=promotion_id)
    progress = promotion_progress(promotion)
    if request.GET.get("format") == "json":
        return JsonResponse(progress)
    return render(request, "orgs/promotion_report.html", {"promotion": promotion, "progress": progress})


@org_page("manage_movement")
def transfers(request, org):
    """Transfers other organisations asked this one to accept, and the ones this one asked."""
    incoming = list(selectors.transfers_incoming(org))
    forms = {t.pk: TransferDecisionForm(org=org, auto_id=f"transfer{t.pk}_%s") for t in incoming}
    if request.method == "POST":
        transfer = next((t for t in incoming if str(t.pk) == request.POST.get("transfer")), None)
        if transfer is None:
            raise Http404
        form = TransferDecisionForm(request.POST, org=org, auto_id=f"transfer{transfer.pk}_%s")
        forms[transfer.pk] = form
        if form.is_valid():
            if "reject" in request.POST:
                run, done = (
                    lambda: services.org_transfer_reject(
                        transfer=transfer, actor=request.user, note=form.cleaned_data["note"]
                    ),
                    _("В переводе отказано."),
                )
            else:
                run, done = (
                    lambda: services.org_transfer_accept(
                        transfer=transfer, actor=request.user, group=form.cleaned_data["group"]
                    ),
                    _("Перевод принят."),
                )
            _result, ok = perform(request, run, done)
            if ok:
                return redirect("orgs:transfers", org.pk)
    rows = [(t, forms[t.pk]) for t in incoming]
    return render(
        request,
        "orgs/transfers.html",
        {"incoming": rows, "outgoing": selectors.transfers_outgoing(org)[:50], "pending": OrgTransfer.Status.PENDING},
    )


@org_page("manage_movement")
def movement(request, org):
    """The movement section: the promotion, transfers waiting for a decision, hiring a member of staff."""
    form = HireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = person_add(
                organisation=org,
                actor=request.user,
                role=Membership.Role.TEACHER,
                last_name=data["last_name"],
                first_name=data["first_name"],
                patronymic=data["patronymic"],
                phone=data["phone"] or None,
                email=data["email"] or None,
                position=data["position"],
            )
        except PortalError as error:
            apply_error_to_form(form, error)
        else:
            perform(request, lambda: None, _("Сотрудник принят: %(name)s.") % {"name": membership.user.full_name})
            return redirect("orgs:person", org.pk, membership.user_id)
    context = {
        "form": form,
        "pending": selectors.transfers_incoming(org).filter(status=OrgTransfer.Status.PENDING).count(),
        "history": selectors.promotions(org)[:5],
        "classes": Group.objects.filter(organisation=org, kind=Group.Kind.CLASS, is_archived=False).count(),
    }
    return render(request, "orgs/movement.html", context, status=400 if form.errors else 200)


@org_page("view_members")
def person_history(request, org, user_id):
    """«История»: the person's memberships and movements in this organisation."""
    memberships = list(
        selectors.members_for_user(request.user, org, include_ended=True).filter(user_id=user_id).order_by("valid_from")
    )
    if not memberships:
        raise Http404
    return render(
        request,
        "orgs/person_history.html",
        {
            "person": memberships[0].user,
            "memberships": memberships,
            "movements": selectors.person_history(org, user_id),
        },
    )
