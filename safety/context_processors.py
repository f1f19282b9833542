from django.utils.functional import SimpleLazyObject


def safety_nav(request):
    """The «Инциденты» entry of an organisation's navigation for its administrators, with the count of new ones.

    Computed only when a template shows it, once per request.
    """
    org = getattr(request, "organisation", None)
    user = getattr(request, "user", None)
    if org is None or user is None or not user.is_authenticated:
        return {"safety_nav": None}

    def compute():
        from .permissions import can_manage_incidents
        from .selectors import open_incident_count

        manages = can_manage_incidents(user, org)
        return {"manages": manages, "open": open_incident_count(org) if manages else 0}

    return {"safety_nav": SimpleLazyObject(compute)}
