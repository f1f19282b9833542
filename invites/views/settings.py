"""«Настройки организации»: what the portal enforces on this organisation, changed by its administrators.

The page lives in invites, the highest of the apps whose settings it shows (orgs: the staff headcount; chats: the
channels; invites: the rules for links), so that each app keeps its own values and the arrows stay one way.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chats.selectors import channels_of
from chats.services.channels import channel_create, channel_rename
from orgs.web import org_page
from portal.exceptions import PortalError

from ..services.policy import FIELDS, organisation_settings_update, policy_for
from ..settings_forms import ChannelCreateForm, ChannelTitlesForm, SettingsForm


def _show_error(form, error: PortalError, field_map=None) -> None:
    """Each field's own message beside it; a message naming no field of the form above it."""
    placed = False
    for field, messages_ in (error.fields or {}).items():
        name = (field_map or {}).get(field, field)
        if name in form.fields:
            for message in messages_:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


@org_page("manage_org")
def organisation_settings(request, org):
    policy = policy_for(org)
    channels = channels_of(org)
    initial = {field: getattr(policy, field) for field in FIELDS} | {"staff_headcount": org.staff_headcount}
    form = SettingsForm(initial=initial, org=org)
    titles = ChannelTitlesForm(channels=channels)
    new_channel = ChannelCreateForm()
    section = request.POST.get("section") if request.method == "POST" else None
    if section == "limits":
        form = SettingsForm(request.POST, initial=initial, org=org)
        if form.is_valid():
            try:
                organisation_settings_update(organisation=org, actor=request.user, changes=form.cleaned_data)
            except PortalError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("Настройки сохранены."))
                return redirect("invites:settings", org.pk)
    elif section == "channels":
        titles = ChannelTitlesForm(request.POST, channels=channels)
        if titles.is_valid():
            try:
                for chat in channels:
                    channel_rename(chat=chat, actor=request.user, title=titles.cleaned_data[f"title_{chat.pk}"])
            except PortalError as error:
                _show_error(titles, error, {"title": f"title_{chat.pk}"})
            else:
                messages.success(request, _("Названия каналов сохранены."))
                return redirect("invites:settings", org.pk)
    elif section == "new_channel":
        new_channel = ChannelCreateForm(request.POST)
        if new_channel.is_valid():
            try:
                chat = channel_create(organisation=org, actor=request.user, title=new_channel.cleaned_data["title"])
            except PortalError as error:
                _show_error(new_channel, error)
            else:
                messages.success(request, _("Канал «%(title)s» создан.") % {"title": chat.title})
                return redirect("invites:settings", org.pk)
    return render(
        request,
        "invites/settings.html",
        {"form": form, "titles": titles, "new_channel": new_channel, "channels": channels},
    )
