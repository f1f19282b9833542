from portal.web import org_nav_entry


def _invites_entry(user, org) -> dict:
    from .selectors import may_decide_join_requests, pending_join_request_count
    from .views.manage import may_invite

    decides = may_decide_join_requests(user, org)
    return {
        "may_invite": may_invite(user, org),
        "may_decide": decides,
        "pending": pending_join_request_count(user, org) if decides else 0,
    }


def invites_nav(request):
    """The «Приглашения» entry of the organisation's navigation with the count of pending join requests."""
    return org_nav_entry(request, "invites_nav", _invites_entry)
