"""A person's name with the verified-teacher badge, wherever a name appears."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from portal import quotes

register = template.Library()


@register.simple_tag(takes_context=True)
def person(context, user, short=False):
    """The full name; «✓ подтверждён» beside a verified teacher of the current organisation."""
    if user is None:
        return "—"
    # Made once per person and page: a chat page names the same few authors on each of its fifty rows.
    request = context.get("request")
    made = request.__dict__.setdefault("_person_html", {}) if request is not None else {}
    key = (user.pk, user.short_name if short else user.full_name)
    if key not in made:
        made[key] = _person_html(user, key[1], context)
    return made[key]


def _person_html(user, name: str, context):
    verified = context.get("verified_ids") or ()
    if user.pk in verified:
        return format_html(
            '<span class="person">{}</span> <span class="badge badge-verified">{}</span>', name, _("✓ подтверждён")
        )
    return format_html('<span class="person">{}</span>', name)


@register.filter
def inner_quotes(value) -> str:
    """A name that the text puts between «»: its own «» become „“ («Кружок „Юный техник“»)."""
    return quotes.inner_quotes(value)


class _CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        context[self.name] = self.nodelist.render(context)  # a SafeString: the rendered template
        return ""


@register.tag
def capture(parser, token):
    """{% capture name %}…{% endcapture %}: render once, show as {{ name }} where needed (the navigation's entries
    appear twice, in the wide list and in the phone's folded menu, and are worked out once)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% capture name %} takes one name")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return _CaptureNode(nodelist, bits[1])
