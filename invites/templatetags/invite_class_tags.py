"""The classes whose invites page the signed-in user may open."""

from django import template

from ..forms import classes_for_inviter

register = template.Library()


@register.simple_tag(takes_context=True)
def inviter_classes(context, organisation):
    """The classes whose invites page the user may open: every class for an administrator, else their own."""
    user = context["request"].user
    return list(classes_for_inviter(user, organisation))
