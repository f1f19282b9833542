"""Browser pages of policies: one module per part, the routes in `policies/urls.py`."""
