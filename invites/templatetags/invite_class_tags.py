"""Links to a class's invites page, for the classes the signed-in user may invite into."""

from django import template

from ..forms import classes_for_inviter

register = template.Library()


@register.simple_tag(takes_context=True)
def inviter_classes(context, organisation):
    """The classes whose invites page the user may open: every class for an administrator, else their own."""
    user = context["request"].user
    return list(classes_for_inviter(user, organisation))


@register.simple_tag(takes_context=True)
def may_invite_to_class(context, organisation, group) -> bool:
    from ..views.kits import may_invite_to_class as allowed

    user = context["request"].user
    return group.kind == group.Kind.CLASS and not group.is_archived and allowed(user, organisation, group)
