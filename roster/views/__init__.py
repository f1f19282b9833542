"""Browser pages of roster: one module per part, the routes in `roster/urls.py`."""
