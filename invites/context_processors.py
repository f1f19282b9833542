from django.utils.functional import SimpleLazyObject


def invites_nav(request):
    """The «Приглашения» entry of the organisation's navigation with the count of pending join requests.

    Computed only when a template shows it, once per request.
    """
    org = getattr(request, "organisation", None)
    user = getattr(request, "user", None)
    if org is None or user is None or not user.is_authenticated:
        return {"invites_nav": None}

    def compute():
        from .selectors import may_decide_join_requests, pending_join_request_count
        from .views.manage import may_invite

        decides = may_decide_join_requests(user, org)
        return {
            "may_invite": may_invite(user, org),
            "may_decide": decides,
            "pending": pending_join_request_count(user, org) if decides else 0,
        }

    return {"invites_nav": SimpleLazyObject(compute)}
