"""A class's links at once: personal links by the list, the printable kit, CSV/XLSX exports and e-mail sending."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.models import Group
from orgs.selectors import group_get
from orgs.web import org_page
from portal.exceptions import PortalError
from portal.spreadsheets import CSV_TYPE, XLSX_TYPE
from portal.web import apply_error_to_form

from .. import selectors
from ..exports import invites_csv, invites_xlsx
from ..forms import ClassBulkForm, KitCopiesForm
from ..kits import kit_copies, kit_filename, kit_pdf, link_for
from ..models import Invite, InviteRole
from ..permissions import can_invite_to_class
from ..services.bulk import invite_bulk_for_class
from ..services.redeem import invite_state
from ..services.sending import invite_mailing_get, invite_mailing_progress, invite_mailing_start
from .manage import _require_inviter

SHOWN_LIMIT = 300
EXPORTS = {
    "csv": (invites_csv, CSV_TYPE),
    "xlsx": (invites_xlsx, XLSX_TYPE),
}


def _class(request, org, group_id) -> Group:
    group = group_get(request.user, org, group_id)
    if group.kind != Group.Kind.CLASS or not can_invite_to_class(request.user, org, group):
        raise PermissionDenied
    return group


def _ids(request) -> list[int] | None:
    """The links of one batch («?ids=4,5,6»): None when the page is about the whole class."""
    raw = request.GET.get("ids")
    if raw is None:
        return None
    return [int(part) for part in raw.split(",") if part.strip().isdigit()][:SHOWN_LIMIT]


def _active_invites(user, org, group: Group, ids: list[int] | None = None):
    """The class's working links the user sees (administrators: all; others: their own), in print order."""
    qs = selectors.invites_for_user(user, org).filter(
        target_group=group, status=Invite.Status.ACTIVE, expires_at__gt=timezone.now()
    )
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.exclude(role=InviteRole.TEACHER).order_by(
        "role", "bound_student__last_name", "bound_student__first_name", "recipient_name", "pk"
    )


def _ids_query(invites) -> str:
    return "?ids=" + ",".join(str(invite.pk) for invite in invites)


def _class_page(request, org, group, form=None, status=200):
    invites = list(_active_invites(request.user, org, group)[:SHOWN_LIMIT])
    context = {
        "group": group,
        "form": form or ClassBulkForm(org=org, group=group),
        "invites": invites,
        "with_email": sum(1 for invite in invites if invite.recipient_email),
        "is_admin": request.user.has_perm("orgs.invite_members", org),
    }
    return render(request, "invites/class_invites.html", context, status=status)


def _created_page(request, org, group, ids, status=200):
    invites = list(_active_invites(request.user, org, group, ids))
    context = {
        "group": group,
        "rows": [(invite, link_for(invite)) for invite in invites],
        "query": _ids_query(invites),
    }
    return render(request, "invites/class_created.html", context, status=status)


@org_page("view_org")
def class_invites(request, org, group_id):
    """The class's links and the form that makes personal links for the class in one go (all or nothing)."""
    _require_inviter(request.user, org)
    group = _class(request, org, group_id)
    if request.method != "POST":
        return _class_page(request, org, group)
    form = ClassBulkForm(request.POST, org=org, group=group)
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = invite_bulk_for_class(
                organisation=org,
                actor=request.user,
                group=group,
                student_names=data["student_names"],
                parents=data["parents"],
                expires_at=data.get("expires_at"),
            )
        except (PortalError, DjangoValidationError) as error:
            apply_error_to_form(form, error)
        else:
            messages.success(request, _("Создано личных ссылок: %(n)s.") % {"n": len(created)})
            url = reverse("invites:class_created", args=[org.pk, group.pk])
            return redirect(url + _ids_query(invite for invite, _token in created))
    return _class_page(request, org, group, form=form, status=400)


@org_page("view_org")
def class_created(request, org, group_id):
    """The batch just made: its links, the kit for the meeting and the exports of exactly these links."""
    _require_inviter(request.user, org)
    group = _class(request, org, group_id)
    return _created_page(request, org, group, _ids(request) or [])


def _failed(request, org, group, ids, error: PortalError):
    """A kit or export that cannot be made: the reason on the page the user came from, never a server error."""
    messages.error(request, error.message)
    if ids is not None:
        return _created_page(request, org, group, ids, status=error.status)
    return _class_page(request, org, group, status=error.status)


@org_page("view_org")
def class_kit(request, org, group_id):
    """«Распечатать приглашения»: an A4 PDF of the class's working links (or of one batch, «?ids=»)."""
    _require_inviter(request.user, org)
    group = _class(request, org, group_id)
    ids = _ids(request)
    try:
        pdf = kit_pdf(list(_active_invites(request.user, org, group, ids)), org, group)
    except PortalError as error:
        return _failed(request, org, group, ids, error)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{kit_filename(org, group)}"'
    return response


@org_page("view_org")
def invite_kit(request, org, invite_id):
    """One link's cards: a personal link once; a shared link as many identical cards as asked (1–40)."""
    _require_inviter(request.user, org)
    invite = selectors.invite_get(request.user, org, invite_id)
    form = KitCopiesForm(request.GET or {"copies": 1})
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("invites:detail", org.pk, invite.pk)
    if invite_state(invite) != Invite.Status.ACTIVE or invite.target_chat_id:
        messages.error(request, _("Печатать можно только действующую ссылку в организацию или класс."))
        return redirect("invites:detail", org.pk, invite.pk)
    try:
        pdf = kit_pdf(kit_copies(invite, form.cleaned_data["copies"]), org, invite.target_group)
    except PortalError as error:
        messages.error(request, error.message)
        return redirect("invites:detail", org.pk, invite.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invite-{org.pk}-{invite.pk}.pdf"'
    return response


@org_page("view_org")
def class_export(request, org, group_id, fmt):
    """The class's working links (or one batch) as CSV or XLSX."""
    if fmt not in EXPORTS:
        raise Http404
    _require_inviter(request.user, org)
    group = _class(request, org, group_id)
    ids = _ids(request)
    invites = list(_active_invites(request.user, org, group, ids))
    if not invites:
        return _failed(request, org, group, ids, PortalError(_("Нет действующих ссылок для выгрузки.")))
    build, content_type = EXPORTS[fmt]
    response = HttpResponse(build(invites, org), content_type=content_type)
    name = kit_filename(org, group).removesuffix(".pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_POST
@org_page("view_org")
def class_mailing_start(request, org, group_id):
    """«Разослать по e-mail»: the class's working links that have a recipient's address, as a background job."""
    _require_inviter(request.user, org)
    group = _class(request, org, group_id)
    invites = [invite for invite in _active_invites(request.user, org, group) if invite.recipient_email]
    try:
        mailing = invite_mailing_start(organisation=org, actor=request.user, invites=invites)
    except PortalError as error:
        messages.error(request, error.message)
        return redirect("invites:class", org.pk, group.pk)
    messages.success(request, _("Рассылка запущена."))
    url = reverse("invites:mailing", args=[org.pk, mailing.pk])
    return redirect(f"{url}?group={group.pk}")


@org_page("view_org")
def mailing_progress(request, org, mailing_id):
    """«Отправлено N из M»: the page asks for the figures every 2 s while the job runs; ?format=json gives them."""
    _require_inviter(request.user, org)
    mailing = invite_mailing_get(request.user, org, mailing_id)
    progress = invite_mailing_progress(mailing)
    if request.GET.get("format") == "json":
        return JsonResponse(progress)
    group_id = request.GET.get("group", "")
    group = None
    if group_id.isdigit():
        group = Group.objects.filter(organisation=org, kind=Group.Kind.CLASS, pk=int(group_id)).first()
    return render(request, "invites/mailing_progress.html", {"mailing": mailing, "progress": progress, "group": group})
