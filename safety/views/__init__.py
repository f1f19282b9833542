"""Browser pages of safety: one module per part, the routes in `safety/urls.py`."""
