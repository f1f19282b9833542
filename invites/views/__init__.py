"""Browser pages of invites: one module per part, the routes in `invites/urls.py`."""
