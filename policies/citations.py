"""The clauses of the organisation's «Порядок использования …» that the content rules cite in a refusal.

When a «Порядок» is in force, the clause is cited from it, with its approval («п. 4.3 Порядка использования …,
утв. приказом от … № …»); until then, by its number in the template the portal ships.
"""

from django.utils.translation import gettext as _

from .clauses import FORBIDDEN_SERVICES_CLAUSE, TEMPLATES, clause_number
from .selectors import procedure_clause_reference

# The clause of the «Порядок» behind each content rule.
CLAUSE_OF_RULE = {"forbidden_service": FORBIDDEN_SERVICES_CLAUSE, "profanity": "manner"}


def template_clause_number(key: str) -> str:
    """The number the template of the «Порядок» gives the clause («4.3»)."""
    template = TEMPLATES["procedure"]
    for i, section in enumerate(template.sections):
        for j, clause in enumerate(section.clauses):
            if clause.key == key:
                return clause_number(template, i, j)
    raise KeyError(key)


def clause_reference(organisation, rule: str) -> str:
    """How a refusal for a content rule ("forbidden_service" or "profanity") cites the regulation."""
    key = CLAUSE_OF_RULE.get(rule, FORBIDDEN_SERVICES_CLAUSE)
    in_force = procedure_clause_reference(organisation, key)
    if in_force:
        return in_force
    return _("п. %(number)s Порядка использования платформы") % {"number": template_clause_number(key)}
