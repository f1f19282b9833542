"""The indicators, registered in fill order (user_days before active_users, which reads it)."""

# isort: off
from . import activity, coverage, events, users  # noqa: F401
from . import active  # noqa: F401  (after users: the fill order)

# isort: on
