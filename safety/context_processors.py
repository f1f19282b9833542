from portal.web import org_nav_entry


def _safety_entry(user, org) -> dict:
    from .permissions import can_manage_incidents
    from .selectors import open_incident_count

    manages = can_manage_incidents(user, org)
    return {"manages": manages, "open": open_incident_count(org) if manages else 0}


def safety_nav(request):
    """The «Инциденты» entry of an organisation's navigation for its administrators, with the count of new ones."""
    return org_nav_entry(request, "safety_nav", _safety_entry)
