"""The start page's block of the person's own join requests that wait for a decision."""

from django import template

from ..selectors import join_requests_of_applicant

register = template.Library()


@register.simple_tag(takes_context=True)
def my_join_requests(context) -> list:
    """The signed-in person's pending join requests (organisation, class, since when, who decides)."""
    return join_requests_of_applicant(context["request"].user)
