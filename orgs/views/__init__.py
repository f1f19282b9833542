"""Browser pages of orgs: one module per part, the routes in `orgs/urls.py`."""
