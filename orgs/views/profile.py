"""The organisation's profile: everyone in it sees it, administrators edit it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.exceptions import PortalError
from portal.web import apply_error_to_form

from ..forms import ProfileForm
from ..services.structure import PROFILE_EDITABLE, organisation_update
from ..web import org_page


@org_page("view_org")
def profile(request, org):
    return render(request, "orgs/profile.html", {"org": org})


@org_page("manage_org")
def profile_edit(request, org):
    form = ProfileForm(request.POST or None, initial=model_to_dict(org, fields=PROFILE_EDITABLE))
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(organisation=org, actor=request.user, data=form.cleaned_data)
        except (PortalError, ValidationError) as error:
            apply_error_to_form(form, error)
        else:
            messages.success(request, _("Профиль сохранён."))
            return redirect("orgs:profile", org.pk)
    return render(request, "orgs/profile_form.html", {"form": form})
