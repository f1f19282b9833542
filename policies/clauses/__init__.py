"""The templates of the documents, shipped in the code: a clause tree per kind, filled from the organisation data."""

from .base import Clause, Section, Template, clause_number, render
from .order import ORDER
from .procedure import FORBIDDEN_SERVICES_CLAUSE, PROCEDURE
from .regulation import REGULATION
from .terms import USER_TERMS

TEMPLATES = {"regulation": REGULATION, "procedure": PROCEDURE, "order": ORDER, "user_terms": USER_TERMS}

__all__ = ["FORBIDDEN_SERVICES_CLAUSE", "TEMPLATES", "Clause", "Section", "Template", "clause_number", "render"]
