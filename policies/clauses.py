"""The clauses of the organisation's regulations that the content rules cite.

One place: when the «Порядок использования …» of an organisation is kept as a document in force, these functions
read the clause from it; until then they cite the standard wording of the regulation.
"""

from django.utils.translation import gettext as _

FORBIDDEN_SERVICE_CLAUSE = "4.3"
PROFANITY_CLAUSE = "4.4"


def clause_reference(organisation, rule: str) -> str:
    """«п. 4.3 Порядка использования платформы» for a content rule ("forbidden_service" or "profanity")."""
    number = PROFANITY_CLAUSE if rule == "profanity" else FORBIDDEN_SERVICE_CLAUSE
    return _("п. %(number)s Порядка использования платформы") % {"number": number}
