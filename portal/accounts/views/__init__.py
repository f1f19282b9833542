"""Browser pages of accounts: one module per part, the routes in `portal/accounts/urls.py`."""
