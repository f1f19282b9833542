from functools import cache

from django.utils.functional import SimpleLazyObject


def organisation(request):
    """The organisation being looked at (set by the org views), its vocabulary and the viewer's rights there.

    The rights and the verified-teacher ids are computed only if a template uses them, once per request.
    """
    org = getattr(request, "organisation", None)
    if org is None:
        return {
            "current_org": None,
            "vocab": None,
            "org_perms": frozenset(),
            "verified_ids": frozenset(),
            "verification_pending": 0,
        }

    def perms():
        from .rights import rights_of

        user = request.user
        if user.is_active and user.is_superuser:  # guardian's get_perms gave operators every right
            from django.contrib.auth.models import Permission

            return frozenset(
                Permission.objects.filter(content_type__app_label="orgs").values_list("codename", flat=True)
            )
        return frozenset(rights_of(user).on(org))

    def verified():
        from .selectors import verified_teacher_ids

        return frozenset(verified_teacher_ids(org))

    org_perms = SimpleLazyObject(perms)

    @cache  # a callable, which the template calls (once) where it shows the count; a number for blocktranslate
    def pending():
        """Teachers waiting for verification, for those who verify (the navigation's and the home page's count)."""
        from .selectors import verification_pending_count

        return verification_pending_count(org) if "verify_teachers" in org_perms else 0  # the rights asked once

    return {
        "current_org": org,
        "vocab": org.vocabulary,
        "org_perms": org_perms,
        "verified_ids": SimpleLazyObject(verified),
        "verification_pending": pending,
    }
