"""The indicators, registered in fill order (user_days before active_users, which reads it)."""

from . import activity, coverage, events, users  # noqa: F401
