"""Dates of links in the organisation's own time zone, and the words of an invite in its vocabulary."""

import zoneinfo

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from orgs.models import RUSSIAN_TIME_ZONES
from portal.quotes import inner_quotes

from ..models import InviteRole
from ..terms import join_terms, role_label

register = template.Library()
CITIES = {zone: label.split(" (")[0] for zone, label in RUSSIAN_TIME_ZONES}


@register.filter
def org_time(value, organisation):
    """«5 декабря 2026, 18:00 (Иркутск)»: the moment as the organisation's clocks show it."""
    if not value:
        return ""
    zone = organisation.time_zone
    local = timezone.localtime(value, zoneinfo.ZoneInfo(zone))
    return f"{dateformat.format(local, 'j E Y, H:i')} ({CITIES.get(zone, zone)})"


@register.filter
def role_word(role, organisation):
    """The role as the organisation calls it (invites.terms.role_label)."""
    return role_label(role, organisation)


@register.filter
def target_words(invite, organisation):
    """Where the link leads: a chat, the staff group or «класс 5А» / «группа ЭС-21»."""
    vocab = organisation.vocabulary
    if invite.target_chat_id:
        return _("чат «%(title)s»") % {"title": inner_quotes(invite.target_chat.title)}
    if invite.target_group is None:
        return str(organisation)
    if invite.role == InviteRole.TEACHER:
        return f"коллектив «{invite.target_group.name}»"
    return f"{vocab.group} {invite.target_group.name}"


@register.filter(name="join_terms")
def join_terms_filter(invite, organisation):
    """What happens to whoever follows the link (invites.terms.join_terms)."""
    return join_terms(invite, organisation)
