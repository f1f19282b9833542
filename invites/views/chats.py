"""«Пригласить в чат»: a chat's working links with their QR codes, and a new link for people of the organisation."""

from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from chats.services.messages import chat_get_for
from orgs.web import org_page
from portal.exceptions import PortalError
from portal.qr import qr_data_uri
from portal.web import apply_error_to_form

from .. import selectors
from ..chat_forms import ChatInviteForm
from ..permissions import chat_invite_roles, require_manage_chat_invites
from ..services import links


def _page(request, org, chat, form=None, *, refusal: PortalError | None = None, status=200):
    rows = []
    if refusal is None:
        for invite in selectors.chat_invites_active(request.user, org, chat):
            url = links.invite_url(invite)
            rows.append((invite, url, qr_data_uri(url) if url else None))
    context = {
        "chat": chat,
        "form": form,
        "rows": rows,
        "refusal": refusal,
        "is_admin": request.user.has_perm("orgs.invite_members", org),
    }
    return render(request, "invites/chat_invites.html", context, status=status)


@org_page("view_org")
def chat_invites(request, org, chat_id):
    """The chat's links the user sees and the form for a new one; owners of the chat and administrators only."""
    chat = chat_get_for(request.user, chat_id, organisation=org)
    try:
        require_manage_chat_invites(request.user, chat)
    except PortalError as error:
        return _page(request, org, chat, refusal=error, status=error.status)
    roles = chat_invite_roles(request.user, chat)
    form = ChatInviteForm(request.POST if request.method == "POST" else None, org=org, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            invite, _token = links.invite_create(
                organisation=org, actor=request.user, target_chat=chat, **form.service_kwargs()
            )
        except (PortalError, DjangoValidationError) as error:
            apply_error_to_form(form, error)
        else:
            messages.success(request, _("Ссылка создана. Скопируйте её или покажите QR-код тем, кого приглашаете."))
            return redirect(reverse("invites:chat", args=[org.pk, chat.pk]) + f"#invite-{invite.pk}")
    return _page(request, org, chat, form if roles else None, status=400 if form.errors else 200)
