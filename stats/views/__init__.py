"""Browser pages of stats: one module per part, the routes in `stats/urls.py`."""
