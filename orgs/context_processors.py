def organisation(request):
    """The organisation being looked at (set by the org views) and its vocabulary, for every template."""
    org = getattr(request, "organisation", None)
    return {"current_org": org, "vocab": org.vocabulary if org else None}
