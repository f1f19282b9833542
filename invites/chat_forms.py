"""The form of «Пригласить в чат»: whom (a role of the organisation), how many, until when."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import LinkTermsForm, _cap
from .models import InviteRole
from .services.links import policy_for


class ChatInviteForm(LinkTermsForm):
    """An invite into a chat: whom (a role of the organisation), how many, until when."""

    role = forms.ChoiceField(label=_("Кого приглашаете"), widget=forms.RadioSelect)
    field_order = ["role", "uses", "max_uses", "expires_at"]

    def __init__(self, *args, org, roles, **kwargs):
        super().__init__(*args, org=org, **kwargs)
        vocab = org.vocabulary
        labels = {
            InviteRole.TEACHER: _("%(teachers)s и другие сотрудники") % {"teachers": _cap(vocab.teachers)},
            InviteRole.STUDENT: _cap(vocab.students),
            InviteRole.PARENT: _("Родители (законные представители)"),
        }
        self.fields["role"].choices = [(role, labels[role]) for role in roles]
        self.fields["role"].help_text = _("Вступить смогут только те, кто уже состоит в организации в этой роли.")
        if roles:
            self.fields["role"].initial = roles[0]
        self.fields["expires_at"].help_text = _(
            "Время организации (%(tz)s). Если не указать — срок из правил организации для выбранной роли, "
            "не дольше %(max)s дн."
        ) % {"tz": org.get_time_zone_display(), "max": policy_for(org).max_days}

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"role": data["role"], "max_uses": data["max_uses_value"], "expires_at": data.get("expires_at")}
