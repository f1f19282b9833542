"""What invites add to the pages of orgs (registered in InvitesConfig.ready() through orgs.hooks)."""

from orgs.hooks import register_page_section

from .permissions import can_invite_to_class
from .selectors import join_requests_of_applicant


def own_join_requests(request, **objects) -> dict:
    """The signed-in person's pending join requests (organisation, class, since when, who decides)."""
    return {"join_requests": join_requests_of_applicant(request.user)}


def class_invites(request, organisation, group) -> dict:
    """Whether the class page links to the class's invites: a current class the user may invite into."""
    allowed = not group.is_archived and can_invite_to_class(request.user, organisation, group)
    return {"can_invite_here": allowed}


def register() -> None:
    register_page_section("home", "invites/home_requests.html", own_join_requests)
    register_page_section("org_home", "invites/home_requests.html", own_join_requests)
    register_page_section("class", "invites/class_entry.html", class_invites)
